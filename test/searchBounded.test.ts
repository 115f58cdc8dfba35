import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import type { ProductListQuery } from "../src/domain/catalog.ts"
import { listingQueries, normalizeListQuery } from "../src/services/catalog/Listing.ts"
import { matchQuery, planSearch, relevance, relevanceBound } from "../src/services/catalog/Search.ts"
import { seedCatalog, seedSyntheticProducts } from "../src/services/seed/catalog.ts"
import { searches } from "../bench/search.ts"
import { TestDatabaseLive } from "./support/TestDatabase.ts"
import { testStore } from "./support/TestStore.ts"

/**
 * The bounded relevance page (Listing.ts boundedPage) must be exactly the page that ranks every match,
 * and relevanceBound a true upper bound: checked over the benchmark's 200 searches (single words, pairs,
 * typos) on the synthetic catalog, on later pages and with filters, and again after products and
 * categories change the vocabulary's fields.
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

const check = (sql: SqlClient.SqlClient, query: ProductListQuery) =>
  Effect.gen(function* () {
    const params = normalizeListQuery(query)
    const plan = yield* planSearch(sql, params.search!)
    if (plan === null) return "none" as const
    const queries = listingQueries(sql, params, { categoryIds: null, search: plan })
    const label = JSON.stringify(query)
    // Upper bound: no match scores above it.
    const [max] = yield* sql<{ max: string | null }>`
      SELECT max(${relevance(sql, plan)})::text AS max FROM products p
      WHERE p.is_active AND p.search_terms @@ ${matchQuery(plan)}::tsquery`
    if (max!.max !== null)
      assert.isAtMost(Number(max!.max), Number(relevanceBound(plan)), `${label}: a match scores above the bound`)
    const rows = yield* queries.boundedPage!
    const [count] = yield* queries.count
    // The total comes with the bounded page whether or not products filled it.
    assert.strictEqual(rows[0]!.total, count!.total, label)
    const bounded = rows.filter((row): row is typeof row & { id: number } => row.id !== null)
    if (bounded.length < params.perPage) return "ranked" as const
    const full = yield* queries.page
    assert.deepStrictEqual(ids(bounded), ids(full as Array<{ id: number }>), label)
    return "bounded" as const
  })

layer(Layer.mergeAll(TestDatabaseLive, testStore()), { timeout: 300_000 })("bounded relevance pages", (it) => {
  it.effect(
    "are the pages that rank every match, and the bound holds, also after the catalog changes",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* seedCatalog
        yield* seedSyntheticProducts(3000)
        const tally = { bounded: 0, ranked: 0, none: 0 }
        for (const search of searches())
          for (const variant of VARIANTS) tally[yield* check(sql, { ...variant, search })]++
        console.log(`bounded relevance pages: ${JSON.stringify(tally)}`)
        // The shortcut must actually be taken for broad searches, or this test checks nothing.
        assert.isAbove(tally.bounded, 200)

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
