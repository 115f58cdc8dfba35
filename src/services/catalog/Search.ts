const MAX_SEARCH_WORDS = 8

/**
 * A tsquery that ANDs every word of the input as a prefix (`iph` finds
 * "iPhone"). Only letters and digits survive, so no tsquery operator of the
 * input ever reaches to_tsquery; accents go here and again in SQL (unaccent).
 */
export const prefixTsquery = (search: string): string =>
  search
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{Nd}]+/u)
    .filter((word) => word.length > 0)
    .slice(0, MAX_SEARCH_WORDS)
    .map((word) => `'${word}':*`)
    .join(" & ")
