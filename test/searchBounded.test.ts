import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import type { ProductListQuery } from "../src/domain/catalog.ts"
import { listingQueries, normalizeListQuery, relevancePage } from "../src/services/catalog/Listing.ts"
import {
  inNameQuery,
  matchQuery,
  planSearch,
  relevance,
  relevanceBound,
  relevanceBoundOutsideNames
} from "../src/services/catalog/Search.ts"
import { seedCatalog, seedSyntheticProducts } from "../src/services/seed/catalog.ts"
import { searches } from "../bench/search.ts"
import { TestDatabaseLive } from "./support/TestDatabase.ts"
import { testStore } from "./support/TestStore.ts"

/**
 * The relevance page built from the popular matches (Listing.ts relevancePage) must be exactly the page
 * that ranks every match, and relevanceBound and relevanceBoundOutsideNames true upper bounds: checked over
 * the benchmark's 200 searches (single words, pairs, typos) on the synthetic catalog, on later pages and
 * with filters, and again after products and categories change the vocabulary's fields.
 */
const VARIANTS: ReadonlyArray<Partial<ProductListQuery>> = [
  {},
  { page: 2 },
  { page: 4, per_page: 10 },
  { per_page: 50 },
  { in_stock: "true" },
  { min_rating: 4, brand: "Samsung,Apple,Nike" }
]

const ids = (rows: ReadonlyArray<{ id: number }>) => rows.map((r) => r.id)

const check = (
  sql: SqlClient.SqlClient,
  query: ProductListQuery,
  sizes?: { readonly popularRows: number; readonly namesFrom: number }
) =>
  Effect.gen(function* () {
    const params = normalizeListQuery(query)
    const plan = yield* planSearch(sql, params.search!)
    if (plan === null) return "none" as const
    const queries = listingQueries(sql, params, { categoryIds: null, search: plan }, sizes)
    const label = `${JSON.stringify(query)} ${JSON.stringify(sizes ?? "default sizes")}`
    // Upper bounds: no match scores above the bound, and none without the words in its name above that bound.
    const names = inNameQuery(plan)
    const [max] = yield* sql<{ all: string | null; outside_names: string | null }>`
      SELECT max(${relevance(sql, plan)})::text AS all,
             max(${relevance(sql, plan)}) FILTER (WHERE ${
               names === null ? sql`TRUE` : sql`NOT ts_filter(p.search_terms, '{a}') @@ ${names}::tsquery`
             })::text AS outside_names
      FROM products p WHERE p.is_active AND p.search_terms @@ ${matchQuery(plan)}::tsquery`
    if (max!.all !== null)
      assert.isAtMost(Number(max!.all), Number(relevanceBound(plan)), `${label}: a match scores above the bound`)
    if (max!.outside_names !== null)
      assert.isAtMost(
        Number(max!.outside_names),
        Number(relevanceBoundOutsideNames(plan)),
        `${label}: a match without the words in its name scores above that bound`
      )
    const popular = relevancePage(queries, params)
    if (popular === null) return "ranked" as const
    const page = yield* popular
    const full = yield* queries.page
    const [count] = yield* queries.count
    assert.deepStrictEqual(ids(page.rows as Array<{ id: number }>), ids(full as Array<{ id: number }>), label)
    assert.strictEqual(page.total, count!.total, label)
    return page.how
  })

layer(Layer.mergeAll(TestDatabaseLive, testStore()), { timeout: 300_000 })("bounded relevance pages", (it) => {
  it.effect(
    "are the pages that rank every match, and the bound holds, also after the catalog changes",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* seedCatalog
        yield* seedSyntheticProducts(3000)
        const tally = { popular: 0, "popular, then names": 0, "popular, then all": 0, ranked: 0, none: 0 }
        // The default, and few enough popular rows that most searches on this small catalog have more matches.
        for (const sizes of [undefined, { popularRows: 60, namesFrom: 0 }, { popularRows: 60, namesFrom: 1e9 }])
          for (const search of searches())
            for (const variant of VARIANTS) tally[yield* check(sql, { ...variant, search }, sizes)]++
        console.log(`relevance pages by way: ${JSON.stringify(tally)}`)
        // Each way must actually be taken, or this test checks nothing.
        assert.isAbove(tally.popular, 200)
        assert.isAbove(tally["popular, then names"], 0)
        assert.isAbove(tally["popular, then all"], 0)

        // Words move into other fields: a brand takes a word only names had, a category a word only
        // descriptions had. The bound must follow (vocabulary fields are kept by the triggers of 0008).
        yield* sql`UPDATE products SET brand = 'Phone' WHERE id = (SELECT min(id) FROM products WHERE sku LIKE 'SYN-%')`
        yield* sql`UPDATE categories SET name = name || ' Cotton' WHERE id = (SELECT min(category_id) FROM products)`
        yield* sql`INSERT INTO products (name, description, price, category_id, brand, stock_quantity, sku, review_count)
                   VALUES ('Phone Phone', 'phone', 10, 1, 'Phone', 1, 'BOUND-1', 100000)`
        const [fields] = yield* sql<{ phone: number; cotton: number }>`
          SELECT (SELECT fields FROM search_words WHERE word = 'phone')::int AS phone,
                 (SELECT fields FROM search_words WHERE word = 'cotton')::int AS cotton`
        assert.strictEqual(fields!.phone & 2, 2, "phone is now a brand word")
        assert.strictEqual(fields!.cotton & 4, 4, "cotton is now a category word")
        for (const search of ["phone", "cotton", "phone cotton", "samsung phone", "phones"])
          yield* check(sql, { search })
        const params = normalizeListQuery({ search: "phone" })
        const plan = yield* planSearch(sql, "phone")
        const first = yield* listingQueries(sql, params, { categoryIds: null, search: plan! }).page
        assert.strictEqual(
          (first[0] as { sku?: string; id: number }).id,
          (yield* sql<{ id: number }>`
          SELECT id FROM products WHERE sku = 'BOUND-1'`)[0]!.id
        )
      }),
    300_000
  )
})
