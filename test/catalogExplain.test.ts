import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import type { Statement } from "effect/sql/Statement"
import type { ProductListQuery } from "../src/domain/catalog.ts"
import { adminListingQueries } from "../src/services/catalog/AdminListing.ts"
import { listingQueries, normalizeListQuery, priceBounds } from "../src/services/catalog/Listing.ts"
import { planSearch } from "../src/services/catalog/Search.ts"
import { suggestionQueries } from "../src/services/catalog/Suggestions.ts"
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
  { search: "premium", category_id: 1, in_stock: "true", sort_by: "relevance" },
  // Search: inside words, codes, typos, several words, and each with every facet.
  { search: "phone", facets: "brand,category,price,rating,in_stock" },
  { search: "samsnug", facets: "brand,category,price,rating,in_stock" },
  { search: "dumbell" },
  { search: "wh1000xm5" },
  { search: "sony headphones", sort_by: "price", sort_order: "asc" },
  { search: "a", facets: "brand,price" },
  { search: "black shirt", brand: "Nike,Puma", min_rating: 3, facets: "brand,category,price,rating,in_stock" },
  // Facets and the new filters without a search.
  { facets: "brand,category,price,rating,in_stock" },
  { category_id: 1, facets: "brand,category,price,rating,in_stock" },
  { brand: "Apple,Samsung,Sony", min_price: 1000, max_price: 50000, facets: "brand,price" },
  { min_rating: 4, in_stock: "true", facets: "rating,in_stock", sort_by: "rating" }
]

/** Literal SQL for a statement's parameters, so EXECUTE can pass them to a prepared statement. */
const literal = (value: unknown): string =>
  Array.isArray(value)
    ? `'{${value
        .map((v) => `"${String(v).replace(/["\\]/g, "\\$&")}"`)
        .join(",")
        .replace(/'/g, "''")}}'`
    : typeof value === "number"
      ? String(value)
      : `'${String(value).replace(/'/g, "''")}'`

/** The plan PostgreSQL uses for a prepared statement once it settles on a generic one. */
const genericPlan = (sql: SqlClient.SqlClient, statement: Statement<unknown>) =>
  sql.withTransaction(
    Effect.gen(function* () {
      const [text, values] = statement.compile()
      yield* sql.unsafe("SET LOCAL plan_cache_mode = force_generic_plan")
      yield* sql.unsafe(`PREPARE generic AS ${text}`)
      const rows = yield* sql.unsafe<{ "QUERY PLAN": string }>(
        `EXPLAIN EXECUTE generic${values.length === 0 ? "" : `(${values.map(literal).join(", ")})`}`
      )
      yield* sql.unsafe("DEALLOCATE generic")
      return rows.map((row) => row["QUERY PLAN"]).join("\n")
    })
  )

/** Typed prefixes for the suggest endpoint. */
const SUGGEST = ["i", "iph", "sam", "phone", "sony wh", "headphnes", "zz"]

layer(Layer.mergeAll(TestDatabaseLive, testStore()), { timeout: 120_000 })("listing query plans", (it) => {
  it.effect(
    "no listing, search, facet or suggestion query scans the products table sequentially",
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
          const plan = params.search === null ? null : yield* planSearch(sql, params.search)
          const queries = listingQueries(sql, params, {
            categoryIds,
            search: plan ?? (params.search ? "nothing" : null)
          })
          const { popular } = queries
          const statements = [
            queries.count,
            queries.page,
            ...(queries.rankedPage === null ? [] : [queries.rankedPage]),
            ...(popular === null
              ? []
              : [
                  popular.page,
                  // The second stage, as it runs after a popular ranking whose last row is below the bound.
                  ...[true, false].map((inNames) =>
                    popular.outside(
                      [{ total: 1, t_id: 1, t_score: "0.500", t_review_count: 1, t_rating: "4.00", id: 1 }],
                      "0.500",
                      inNames
                    )
                  )
                ]),
            queries.summary,
            queries.brands,
            queries.categories,
            queries.priceBuckets(priceBounds(100, 150000)),
            queries.summaryWithout("price"),
            queries.summaryWithout("rating"),
            queries.summaryWithout("in_stock")
          ]
          for (const statement of statements) {
            const [text, values] = statement.compile()
            const plan = (yield* sql.unsafe<{ "QUERY PLAN": string }>(`EXPLAIN ${text}`, values))
              .map((row) => row["QUERY PLAN"])
              .join("\n")
            assert.notMatch(plan, /Seq Scan on products/, `${JSON.stringify(query)}\n${plan}`)
          }
          // A prepared statement gets a generic plan after five runs; it must not walk an index in popularity
          // order for a search's matches either (that read every product for a rare word).
          if (popular !== null) {
            const plan = yield* genericPlan(sql, popular.page)
            assert.notMatch(plan, /Seq Scan on products|Index Scan( Backward)? using products_active_/, plan)
          }
        }
        for (const typed of SUGGEST) {
          const plan = yield* planSearch(sql, typed)
          if (plan === null) continue
          const queries = suggestionQueries(sql, plan)
          for (const statement of [queries.products, queries.brands, queries.categories]) {
            const [text, values] = statement.compile()
            const explained = (yield* sql.unsafe<{ "QUERY PLAN": string }>(`EXPLAIN ${text}`, values))
              .map((row) => row["QUERY PLAN"])
              .join("\n")
            assert.notMatch(explained, /Seq Scan on (products|search_words)/, `suggest ${typed}\n${explained}`)
          }
          const generic = yield* genericPlan(sql, queries.products)
          assert.match(generic, /products_name_terms_idx/, `suggest ${typed} (generic plan)\n${generic}`)
        }
      }),
    120_000
  )
})

layer(Layer.mergeAll(TestDatabaseLive, testStore()), { timeout: 120_000 })("admin listing query plans", (it) => {
  it.effect("the admin list's search of names, SKUs and brands uses its trigram index", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* seedCatalog
      yield* seedSyntheticProducts(6000)
      for (const query of [{ search: "samsung" }, { search: "SKU-12", is_active: "false" as const }]) {
        const queries = adminListingQueries(sql, query)
        for (const statement of [queries.count, queries.rows]) {
          const [text, values] = statement.compile()
          const plan = (yield* sql.unsafe<{ "QUERY PLAN": string }>(`EXPLAIN ${text}`, values))
            .map((row) => row["QUERY PLAN"])
            .join("\n")
          assert.match(plan, /products_admin_search_idx/, `${JSON.stringify(query)}\n${plan}`)
        }
      }
    })
  )
})
