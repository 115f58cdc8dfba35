/**
 * The one rule for text that enters the shop: no NUL (PostgreSQL `text`
 * refuses it, with an error instead of a 400) and no unpaired UTF-16 surrogate
 * (it has no UTF-8 encoding). Applied to every query, path and body string,
 * keys included, before any schema or handler sees them.
 */
export const isCleanString = (text: string) => text.isWellFormed() && !text.includes("\0")

export const UNCLEAN_MESSAGE = "must not contain NUL characters or unpaired surrogates"

/** Readable in an error body whatever it holds (JSON escapes for NUL and lone surrogates). */
export const fieldName = (key: string) => (isCleanString(key) ? key : JSON.stringify(key).slice(1, -1))

/** The dotted path (`address.street`, `items.0`) of the first string, key or value, in a JSON value that breaks the rule. */
export const findUncleanField = (value: unknown, path = ""): string | undefined => {
  if (typeof value === "string") return isCleanString(value) ? undefined : path
  if (typeof value !== "object" || value === null) return undefined
  const entries = Array.isArray(value) ? value.entries() : Object.entries(value)
  for (const [key, item] of entries) {
    const field = path === "" ? fieldName(String(key)) : `${path}.${fieldName(String(key))}`
    if (typeof key === "string" && !isCleanString(key)) return field
    const found = findUncleanField(item, field)
    if (found !== undefined) return found
  }
  return undefined
}
