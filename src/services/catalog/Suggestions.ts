import { Effect } from "effect"
import type { SqlClient } from "effect/sql"
import { ReadSql } from "../../infra/ReadReplica.ts"
import { type SuggestQuery, Suggestions } from "../../domain/catalog.ts"
import type { JsonBody, ReadCache } from "../ReadCache.ts"
import { CATALOG_VERSION_KEYS, catalogKeys, LISTING_MAX_AGE } from "./CatalogCache.ts"
import { FIELD_BIT, planSearch, quote, type SearchPlan } from "./Search.ts"
import { dieOnSqlError } from "../sqlErrors.ts"

/** Products read to pick the most reviewed suggestions from: bounds the work for a prefix most names share. */
const PRODUCT_CANDIDATES = 60
/**
 * How long one instance reuses the list of brands: a new brand, or a new spelling of one, shows in
 * suggestions at most this late.
 */
const BRAND_LIST_TTL_MS = 60_000

/**
 * A name's words for ranking suggestions, as catalog_search_tokens splits
 * them (accents off, lower case, apostrophes dropped), done here rather than
 * per row in SQL, where the regular expressions cost more than the lookup.
 */
export const nameTokens = (name: string): Array<string> =>
  name
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/['`\u2018\u2019]/g, "")
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0)
/** Brands and categories each take at most this many places, so products are always among the suggestions. */
const MAX_NAMED = 3

/**
 * The tsquery of names a suggestion may come from: every word typed so far as
 * a prefix of a name's word, or inside one (3+ letters) of the words names have had. It runs
 * against the names' part of search_terms, indexed on its own (migrations/0009_suggest_name_terms.sql).
 */
export const nameQuery = (plan: SearchPlan) =>
  plan.words
    .map((w) => {
      const inNames = w.infix.filter((_, i) => (w.fields.infix[i]! & FIELD_BIT.A) !== 0)
      const terms = [`${quote(w.prefix)}:*`, ...inNames.map(quote)]
      return terms.length === 1 ? terms[0]! : `(${terms.join(" | ")})`
    })
    .join(" & ")

/** How well a name's words match the typed words: 2 a prefix of every word in order from the start, 1 all prefixes, 0 otherwise. */
const nameScore = (tokens: ReadonlyArray<string>, plan: SearchPlan) => {
  const words = plan.words
  const atStart = words.every((w, i) => tokens[i]?.startsWith(w.prefix) ?? false)
  if (atStart) return 2
  return words.every((w) => tokens.some((t) => t.startsWith(w.prefix))) ? 1 : 0
}
const matchesName = (tokens: ReadonlyArray<string>, plan: SearchPlan) =>
  plan.words.every((w) => tokens.some((t) => t.startsWith(w.prefix) || (w.prefix.length >= 3 && t.includes(w.prefix))))

/** The statements of one suggestion request (test/catalogExplain.test.ts checks their plans). */
export const suggestionQueries = (sql: SqlClient.SqlClient, plan: SearchPlan) => ({
  products: sql<{ id: number; name: string }>`
    SELECT id, name FROM (
      SELECT p.id, p.name, p.review_count FROM products p
      WHERE p.is_active AND ts_filter(p.search_terms, '{a}') @@ (SELECT ${nameQuery(plan)}::tsquery)
      LIMIT ${PRODUCT_CANDIDATES}
    ) AS c ORDER BY review_count DESC, id`,
  // Distinct brands by skipping through the brand index: one probe per brand, however many products each
  // has; each with the spelling of one of its products (the index is on the lower-case name).
  brands: sql<{ brand: string }>`
    WITH RECURSIVE b(lb, brand) AS (
      (SELECT lower(brand), brand FROM products WHERE is_active AND brand IS NOT NULL ORDER BY lower(brand) LIMIT 1)
      UNION ALL
      SELECT n.lb, n.brand FROM b CROSS JOIN LATERAL (
        SELECT lower(brand) AS lb, brand FROM products
        WHERE is_active AND brand IS NOT NULL AND lower(brand) > b.lb ORDER BY lower(brand) LIMIT 1
      ) AS n
    )
    SELECT brand FROM b`,
  categories: sql<{ id: number; name: string }>`SELECT id, name FROM categories WHERE is_active ORDER BY id`
})

const NO_SUGGESTIONS = JSON.stringify({ suggestions: [] }) as JsonBody

/** GET /api/products/suggest: what to offer as the shopper types, cached like listings. */
export const makeSuggestions = (cache: ReadCache) =>
  Effect.gen(function* () {
    const sql = yield* ReadSql

    // The distinct brands, kept briefly: listing them walks the brand index once per brand.
    let brandList: {
      readonly at: number
      readonly brands: ReadonlyArray<{ brand: string; tokens: Array<string> }>
    } | null = null
    const brands = Effect.suspend(() =>
      brandList !== null && Date.now() - brandList.at < BRAND_LIST_TTL_MS
        ? Effect.succeed(brandList.brands)
        : Effect.map(suggestionQueries(sql, { words: [] }).brands, (rows) => {
            brandList = { at: Date.now(), brands: rows.map((r) => ({ brand: r.brand, tokens: nameTokens(r.brand) })) }
            return brandList.brands
          })
    )

    const load = (q: string, limit: number) =>
      Effect.gen(function* () {
        const plan = q === "" ? null : yield* planSearch(sql, q)
        if (plan === null) return { suggestions: [] }
        const queries = suggestionQueries(sql, plan)
        const [productRows, brandRows, categoryRows] = yield* Effect.all(
          [queries.products, brands, queries.categories],
          { concurrency: "unbounded" }
        )
        const products = productRows.map((r) => ({ ...r, tokens: nameTokens(r.name) }))
        const categories = categoryRows.map((r) => ({ ...r, tokens: nameTokens(r.name) }))
        const ranked = <A extends { tokens: ReadonlyArray<string> }>(rows: ReadonlyArray<A>) =>
          rows
            .filter((r) => matchesName(r.tokens, plan))
            .map((r) => ({ row: r, score: nameScore(r.tokens, plan) }))
            .sort((a, b) => b.score - a.score)
        const named = [
          ...ranked(brandRows)
            .slice(0, MAX_NAMED)
            .map((b) => ({ score: b.score, type: "brand" as const, text: b.row.brand })),
          ...ranked(categories)
            .slice(0, MAX_NAMED)
            .map((c) => ({ score: c.score, type: "category" as const, text: c.row.name, id: c.row.id }))
        ]
        // Candidates come most reviewed first; a name that starts with the words typed goes before one that only contains them.
        const productHits = ranked(products).map((p) => ({
          score: p.score,
          type: "product" as const,
          text: p.row.name,
          id: p.row.id
        }))
        const seen = new Set<string>()
        const suggestions = [...named, ...productHits]
          .sort((a, b) => b.score - a.score)
          .filter((s) => {
            const key = `${s.type}:${s.text.toLowerCase()}`
            if (seen.has(key)) return false
            seen.add(key)
            return true
          })
          .slice(0, limit)
          .map(({ score: _, ...s }) => s)
        return { suggestions }
      }).pipe(dieOnSqlError)

    const suggest = Effect.fn("Catalog.suggest")(function* (query: SuggestQuery) {
      const q = query.q?.trim().replace(/\s+/g, " ").toLowerCase() ?? ""
      const limit = query.limit ?? 8
      if (q === "") return NO_SUGGESTIONS
      return yield* cache.get({
        cache: "suggest",
        key: catalogKeys.suggest(q, limit),
        versions: [CATALOG_VERSION_KEYS.listing],
        maxAge: LISTING_MAX_AGE,
        schema: Suggestions,
        load: load(q, limit)
      })
    })

    return { suggest }
  })
