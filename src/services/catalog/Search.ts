import { Effect } from "effect"
import type { SqlClient } from "effect/sql"
import type { Fragment } from "effect/sql/Statement"

/**
 * How a shopper's search becomes SQL. The words (as catalog_search_tokens of
 * migrations/0006_search.sql splits them, at most MAX_SEARCH_WORDS) are
 * each expanded against the catalog's vocabulary (search_words) into the
 * lexemes they match: as a whole word, as a prefix, inside a longer word
 * (3+ letters), or, for a word the catalog does not know (4+ letters), as a
 * small typo of one it does. Every word must match (AND); the GIN index on
 * products.search_terms then finds the products, and the match classes rank them.
 */
export const MAX_SEARCH_WORDS = 8

/** At most this many longer words per search word for "inside a word" (shortest first). */
const MAX_INFIX_WORDS = 60
/** Candidates fetched by trigram similarity before the edit-distance check. */
const MAX_SIMILAR_WORDS = 40

/**
 * Trigram similarity a vocabulary word needs to be considered as the word a
 * typo meant; the edit-distance check (maxEdits) then removes the noise it lets
 * in. Measured on the 100k synthetic catalog's 2,448 words of 5+ letters with
 * one random edit each (9,694 typos; README, "Search"): 0.25 keeps 98.6% of
 * them (94.3% of swapped letters, the hardest: samsnug/samsung scores 0.33)
 * at 7.6 candidates a word on average; 0.3 keeps 96.9% (87.3% of swaps).
 */
export const TYPO_SIMILARITY = 0.25
/** Looser, for "did you mean" when nothing matched at all: keeps every single-edit typo measured. */
export const SUGGESTION_SIMILARITY = 0.2

/** Words that only narrow a search when they are all it has ("shoes for men" needs no "for"). */
const STOP_WORDS = new Set(["a", "an", "and", "the", "for", "with", "of", "in", "on", "by", "to", "from", "&"])

/** Edits a typo may be from the word it meant: none under 4 letters, 1 up to 5, 2 from 6. */
export const maxEdits = (length: number) => (length < 4 ? 0 : length < 6 ? 1 : 2)

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), stopping past `limit`. */
export const editDistance = (a: string, b: string, limit: number): number => {
  if (Math.abs(a.length - b.length) > limit) return limit + 1
  const rows: Array<Array<number>> = [Array.from({ length: b.length + 1 }, (_, j) => j)]
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    let best = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1)
      row.push(d)
      best = Math.min(best, d)
    }
    if (best > limit) return limit + 1
    rows.push(row)
  }
  return rows[a.length]![b.length]!
}

/** A plural's singular for matching ("phones" also finds iPhone through "phone"); null when none. */
export const singularOf = (word: string): string | null => {
  return /^..+[^s0-9]s$/.test(word) ? word.slice(0, -1) : null
}

/** One search word and what it matches in the vocabulary. */
export interface WordMatch {
  readonly word: string
  /** The word itself and its singular: whole-word matches. */
  readonly exact: ReadonlyArray<string>
  /** Prefixes (tsquery `:*`): the word, or its singular. */
  readonly prefix: string
  readonly infix: ReadonlyArray<string>
  readonly typo: ReadonlyArray<string>
  /** Whether the vocabulary holds the word or a longer word containing it: false means it matches nothing. */
  readonly known: boolean
  /**
   * The fields (bits: 1 name, 2 brand, 4 categories, 8 description; migrations/0008_search_bounds.sql)
   * the vocabulary has ever had these words in, so relevance looks for each only where it can be: of
   * the exact words together, of any word with the prefix, and of each infix and typo word.
   */
  readonly fields: {
    readonly exact: number
    readonly prefix: number
    readonly infix: ReadonlyArray<number>
    readonly typo: ReadonlyArray<number>
  }
}

export interface SearchPlan {
  readonly words: ReadonlyArray<WordMatch>
}

/** False for a word that matches no product whatever the others: the search then finds nothing. */
export const matchesSomething = (w: WordMatch) => w.known || w.typo.length > 0

/** A tsquery operand for a lexeme. */
export const quote = (lexeme: string) => `'${lexeme.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`
const any = (terms: ReadonlyArray<string>) => (terms.length === 1 ? terms[0]! : `(${terms.join(" | ")})`)

/** The tsquery a product must satisfy: every word through any of its lexemes. */
export const matchQuery = (plan: SearchPlan): string =>
  plan.words
    .map((w) => any([...w.exact.map(quote), `${quote(w.prefix)}:*`, ...w.infix.map(quote), ...w.typo.map(quote)]))
    .join(" & ")

type Field = "A" | "B" | "C" | "D"
type Kind = "exact" | "prefix" | "infix" | "typo"
const FIELDS: ReadonlyArray<Field> = ["A", "B", "C", "D"]
const KINDS: ReadonlyArray<Kind> = ["exact", "prefix", "infix", "typo"]
/** Name, brand, category path, description. */
const FIELD_WEIGHT: Record<Field, number> = { A: 1, B: 0.8, C: 0.6, D: 0.3 }
const KIND_WEIGHT: Record<Kind, number> = { exact: 1, prefix: 0.8, infix: 0.5, typo: 0.4 }
/** A field's bit in search_words.fields. */
export const FIELD_BIT: Record<Field, number> = { A: 1, B: 2, C: 4, D: 8 }
/** Every field: what a word whose fields are not known may score in. */
export const ALL_FIELDS = 15
const PHRASE_BONUS = "0.5"
/** The score of matching one way in one field, as relevance writes it into SQL (exact decimals). */
const score = (kind: Kind, field: Field) => (KIND_WEIGHT[kind] * FIELD_WEIGHT[field]).toFixed(3)

/** The tsquery operands of one way of matching, unlabelled, leaving out words never seen in `field`. */
const kindLexemes = (w: WordMatch, kind: Kind, field: Field): ReadonlyArray<string> => {
  const bit = FIELD_BIT[field]
  const inField = (terms: ReadonlyArray<string>, fields: ReadonlyArray<number>) =>
    terms.filter((_, i) => (fields[i]! & bit) !== 0).map(quote)
  switch (kind) {
    case "exact":
      return (w.fields.exact & bit) === 0 ? [] : w.exact.map(quote)
    case "prefix":
      return (w.fields.prefix & bit) === 0 ? [] : [`${quote(w.prefix)}:*`]
    case "infix":
      return inField(w.infix, w.fields.infix)
    case "typo":
      return inField(w.typo, w.fields.typo)
  }
}

/** The same operands restricted to `field` (`'bat':A`, `'bat':*A`). */
const kindTerms = (w: WordMatch, kind: Kind, field: Field): ReadonlyArray<string> =>
  kindLexemes(w, kind, field).map((t) => (t.endsWith(":*") ? `${t}${field}` : `${t}:${field}`))

/** Whether the words can stand together in a name as typed: several, each of them seen in a name. */
const phrasePossible = (plan: SearchPlan) =>
  plan.words.length > 1 && plan.words.every((w) => (w.fields.exact & FIELD_BIT.A) !== 0)

/**
 * The relevance of a matching product: per word and field, the weight of the
 * best way the word matches there (exact > prefix > inside a word > typo),
 * times the field's (name > brand > category > description), summed over
 * fields and words; plus a bonus when the words stand together in the name as
 * typed. Summing fields lets "samsung phone" put Samsung's phones (Samsung as
 * name and brand) before a phone holder "for Samsung Galaxy".
 */
export const relevance = (sql: SqlClient.SqlClient, plan: SearchPlan): Fragment => {
  const parts: Array<Fragment> = plan.words.flatMap((w) =>
    FIELDS.flatMap((field) => {
      const all = KINDS.flatMap((kind) => kindTerms(w, kind, field))
      if (all.length === 0) return []
      const whens = KINDS.flatMap((kind) => {
        const terms = kindTerms(w, kind, field)
        return terms.length === 0
          ? []
          : [sql`WHEN p.search_terms @@ ${any(terms)}::tsquery THEN ${sql.literal(score(kind, field))}`]
      })
      // One test settles the common case, a word that is nowhere in this field.
      return [
        sql`(CASE WHEN NOT p.search_terms @@ ${any(all)}::tsquery THEN 0 ${sql.join(" ", false)(whens)} ELSE 0 END)`
      ]
    })
  )
  if (phrasePossible(plan)) {
    const phrase = plan.words.map((w) => `${quote(w.word)}:A`).join(" <-> ")
    parts.push(sql`(CASE WHEN p.search_terms @@ ${phrase}::tsquery THEN ${sql.literal(PHRASE_BONUS)} ELSE 0 END)`)
  }
  return parts.length === 0 ? sql`0` : sql.join(" + ", false)(parts)
}

/** A relevance (an exact decimal of three places, as SQL and the bounds write it) in whole thousandths, to compare exactly. */
export const thousandths = (decimal: string) => Math.round(Number(decimal) * 1000)

/** The most `fields` can add to this plan's relevance, in thousandths: per word and field, its best way of matching there. */
const boundOver = (plan: SearchPlan, fields: ReadonlyArray<Field>) => {
  let total = 0
  for (const w of plan.words)
    for (const field of fields) {
      const best = KINDS.find((kind) => kindTerms(w, kind, field).length > 0)
      if (best !== undefined) total += thousandths(score(best, field))
    }
  return total
}

/**
 * The highest relevance any product can reach for this plan, as an exact decimal: per word and field the
 * best way of matching whose words have been in that field, summed as relevance sums them, plus the phrase
 * bonus when every word has been in a name. When a page of products reaches it, no other product can rank
 * before them, so the ranking need not read every match (Listing.ts, relevancePage).
 */
export const relevanceBound = (plan: SearchPlan): string => {
  const phrase = phrasePossible(plan) ? thousandths(PHRASE_BONUS) : 0
  return ((boundOver(plan, FIELDS) + phrase) / 1000).toFixed(3)
}

/** The highest relevance a product can reach with none of the words in its name (the phrase bonus needs one). */
export const relevanceBoundOutsideNames = (plan: SearchPlan): string =>
  (boundOver(plan, ["B", "C", "D"]) / 1000).toFixed(3)

/**
 * The tsquery, over a name's lexemes (ts_filter(search_terms, '{a}'), indexed by migrations/0009), of products
 * with any of the words in their name in any way the vocabulary has seen there; null when none can be.
 */
export const inNameQuery = (plan: SearchPlan): string | null => {
  const terms = plan.words.flatMap((w) => KINDS.flatMap((kind) => kindLexemes(w, kind, "A")))
  return terms.length === 0 ? null : [...new Set(terms)].join(" | ")
}

interface WordRow {
  readonly n: number
  readonly word: string
  readonly known: boolean
  /** Whether this word and the next, written together, are a catalog word ("g shock" -> gshock). */
  readonly joins_next: boolean
  readonly infix: ReadonlyArray<string>
  readonly similar: ReadonlyArray<string>
  readonly exact_fields: number
  readonly prefix_fields: number
  readonly infix_fields: ReadonlyArray<number>
  readonly similar_fields: ReadonlyArray<number>
}

/**
 * The search words of `search` with their matches in the vocabulary: one query.
 * Null when the search has no word (only punctuation or operators).
 */
export const planSearch = (sql: SqlClient.SqlClient, search: string) =>
  Effect.gen(function* () {
    const rows = yield* sql<WordRow>`
      WITH words AS (
        SELECT w, n::int AS n, CASE WHEN w ~ '^..+[^s0-9]s$' THEN left(w, -1) ELSE w END AS stem,
               lead(w) OVER (ORDER BY n) AS next
        FROM unnest((catalog_search_tokens(${search}))[1:${MAX_SEARCH_WORDS * 2}]) WITH ORDINALITY AS t(w, n)
      )
      SELECT n, w AS word,
        EXISTS (SELECT 1 FROM search_words s WHERE s.word = words.w) AS known,
        EXISTS (SELECT 1 FROM search_words s WHERE s.word = words.w || words.next) AS joins_next,
        coalesce(infix.words, '{}') AS infix, coalesce(infix.fields, '{}') AS infix_fields,
        coalesce(typo.words, '{}') AS similar, coalesce(typo.fields, '{}') AS similar_fields,
        (SELECT coalesce(bit_or(s.fields), 0)::int FROM search_words s WHERE s.word IN (words.w, words.stem)) AS exact_fields,
        (SELECT coalesce(bit_or(s.fields), 0)::int FROM search_words s WHERE s.word LIKE words.stem || '%') AS prefix_fields
      FROM words
      LEFT JOIN LATERAL (
        SELECT array_agg(word ORDER BY length(word), word) AS words, array_agg(fields::int ORDER BY length(word), word) AS fields
        FROM (
          SELECT s.word, s.fields FROM search_words s
          WHERE length(words.w) >= 3 AND s.word LIKE '%' || words.stem || '%' AND s.word <> words.w
          ORDER BY length(s.word), s.word LIMIT ${MAX_INFIX_WORDS}
        ) AS i
      ) AS infix ON true
      LEFT JOIN LATERAL (
        SELECT array_agg(m.word ORDER BY m.n) AS words, array_agg(s.fields::int ORDER BY m.n) AS fields
        FROM search_words_similar(words.w, ${TYPO_SIMILARITY}::real, ${MAX_SIMILAR_WORDS}::int) WITH ORDINALITY AS m(word, score, n)
        JOIN search_words s ON s.word = m.word
        WHERE length(words.w) >= 4 AND NOT EXISTS (SELECT 1 FROM search_words s WHERE s.word = words.w)
      ) AS typo ON true
      ORDER BY n`
    // A letter or two next to another word is part of a code ("g-shock", "t shirt", "levi s"): when the two
    // written together are a catalog word, they are searched as that word, not as a one-letter prefix.
    const all: Array<WordRow> = []
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!
      const next = rows[i + 1]
      if (next !== undefined && r.joins_next && (r.word.length <= 2 || next.word.length <= 2)) {
        all.push({
          n: r.n,
          word: r.word + next.word,
          known: true,
          joins_next: false,
          infix: [],
          similar: [],
          exact_fields: ALL_FIELDS,
          prefix_fields: ALL_FIELDS,
          infix_fields: [],
          similar_fields: []
        })
        i++
      } else all.push(r)
    }
    const meaningful = all.filter((r) => !STOP_WORDS.has(r.word))
    const chosen = (meaningful.length > 0 ? meaningful : all).slice(0, MAX_SEARCH_WORDS)
    if (chosen.length === 0) return null
    const words = chosen.map((r): WordMatch => {
      const singular = singularOf(r.word)
      const stem = singular ?? r.word
      const exact = singular === null ? [r.word] : [r.word, singular]
      const infixAt = r.infix.flatMap((t, i) => (!t.startsWith(stem) && !exact.includes(t) ? [i] : []))
      // Typos only for a word the catalog has nowhere, not even inside a longer word: "phones" is not "ones".
      const known = r.known || r.infix.length > 0
      const limit = known ? -1 : maxEdits(r.word.length)
      const typoAt = r.similar.flatMap((t, i) => (editDistance(r.word, t, limit) <= limit ? [i] : []))
      return {
        word: r.word,
        exact,
        prefix: stem,
        infix: infixAt.map((i) => r.infix[i]!),
        typo: typoAt.map((i) => r.similar[i]!),
        known,
        fields: {
          exact: r.exact_fields,
          prefix: r.prefix_fields,
          infix: infixAt.map((i) => r.infix_fields[i]!),
          typo: typoAt.map((i) => r.similar_fields[i]!)
        }
      }
    })
    return { words } satisfies SearchPlan
  })

/**
 * "Did you mean": each word that matches nothing replaced by the closest
 * vocabulary word (fewest edits, then trigram similarity); null when no word
 * can be corrected. The caller checks that the corrected search finds something.
 */
export const correctSearch = (sql: SqlClient.SqlClient, plan: SearchPlan) =>
  Effect.gen(function* () {
    let changed = false
    const corrected: Array<string> = []
    for (const w of plan.words) {
      if (w.known && w.typo.length === 0) {
        corrected.push(w.word)
        continue
      }
      const candidates = yield* sql<{ word: string; score: number }>`
        SELECT word, score FROM search_words_similar(${w.word}, ${SUGGESTION_SIMILARITY}::real, ${MAX_SIMILAR_WORDS}::int)`
      const limit = Math.max(2, Math.floor(w.word.length / 3))
      const best = candidates
        .map((c) => ({ ...c, distance: editDistance(w.word, c.word, limit) }))
        .filter((c) => c.distance <= limit && /[a-z]/.test(c.word))
        .sort((a, b) => a.distance - b.distance || b.score - a.score || a.word.localeCompare(b.word))[0]
      if (best === undefined) corrected.push(w.word)
      else {
        corrected.push(best.word)
        changed = true
      }
    }
    return changed ? corrected.join(" ") : null
  })
