import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import type { ProductListQuery } from "../src/domain/catalog.ts"
import { listingQueries, normalizeListQuery } from "../src/services/catalog/Listing.ts"
import { seedCatalog, seedSyntheticProducts } from "../src/services/seed/catalog.ts"
import { TestDatabaseLive } from "./support/TestDatabase.ts"
import { testStore } from "./support/TestStore.ts"

/** Every filter and sort of GET /api/products alone, and a few together. */
const CASES: ReadonlyArray<ProductListQuery> = [
  {},
  ...(["created_at", "price", "final_price", "name", "rating", "review_count"] as const).flatMap((sort_by) => [
    { sort_by, sort_order: "asc" as const },
    { sort_by, sort_order: "desc" as const, page: 40 }
  ]),
  { category_id: 1 },
  { category_id: 1, sort_by: "final_price", sort_order: "asc" },
  { search: "phone" },
  { search: "s", sort_by: "relevance" },
  { search: "by" },
  { search: "by", sort_by: "price", sort_order: "asc" },
  { search: "nike running shoe", sort_by: "price" },
  { min_price: 0 },
  { min_price: 1000, max_price: 5000 },
  { max_price: 500, sort_by: "rating" },
  { brand: "Sony" },
  { brand: "Sony", sort_by: "name", sort_order: "asc" },
  { in_stock: "true" },
  { in_stock: "true", sort_by: "review_count" },
  { category_id: 2, brand: "Nike", in_stock: "true", min_price: 100, max_price: 100000, sort_by: "price" },
  { search: "premium", category_id: 1, in_stock: "true", sort_by: "relevance" }
]

layer(Layer.mergeAll(TestDatabaseLive, testStore()), { timeout: 120_000 })("listing query plans", (it) => {
  it.effect(
    "no listing query scans the products table sequentially",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* seedCatalog
        // Enough rows, with fresh statistics (the seed ANALYZEs), for the planner to prefer indexes where it can.
        yield* seedSyntheticProducts(6000)
        for (const query of CASES) {
          const params = normalizeListQuery(query)
          const categoryIds =
            params.categoryId === null
              ? null
              : (yield* sql<{ id: number }>`
                  WITH RECURSIVE t(id) AS (SELECT ${params.categoryId}::int
                    UNION SELECT c.id FROM categories c JOIN t ON c.parent_id = t.id)
                  SELECT id FROM t`).map((r) => r.id)
          const { count, page } = listingQueries(sql, params, categoryIds)
          for (const statement of [count, page]) {
            const [text, values] = statement.compile()
            const plan = (yield* sql.unsafe<{ "QUERY PLAN": string }>(`EXPLAIN ${text}`, values))
              .map((row) => row["QUERY PLAN"])
              .join("\n")
            assert.notMatch(plan, /Seq Scan on products/, `${JSON.stringify(query)}\n${plan}`)
          }
        }
      }),
    120_000
  )
})
