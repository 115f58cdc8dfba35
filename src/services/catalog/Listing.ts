import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import type { Fragment } from "effect/sql/Statement"
import { type ProductListQuery, ProductPage, type SortField } from "../../domain/catalog.ts"
import { ValidationError } from "../../domain/errors.ts"
import { paginationOf, perPageOf } from "../../domain/pagination.ts"
import type { ReadCache } from "../ReadCache.ts"
import { CATALOG_VERSION_KEYS, catalogKeys, LISTING_MAX_AGE } from "./CatalogCache.ts"
import { PRODUCT_COLUMNS, productRows } from "./Products.ts"
import { prefixTsquery } from "./Search.ts"

/** The listing parameters after defaults, caps and normalisation: also the cache key. */
export interface ListParams {
  readonly page: number
  readonly perPage: number
  readonly categoryId: number | null
  /** The prefix tsquery built from the search words; "" when the search had no words. */
  readonly tsquery: string | null
  readonly minPrice: number | null
  readonly maxPrice: number | null
  readonly brand: string | null
  readonly inStock: boolean
  readonly sortBy: SortField
  readonly desc: boolean
}

export const normalizeListQuery = (query: ProductListQuery): ListParams => {
  const search = query.search?.trim() ?? ""
  return {
    page: query.page ?? 1,
    perPage: perPageOf(query.per_page, 20),
    categoryId: query.category_id ?? null,
    tsquery: search === "" ? null : prefixTsquery(search),
    minPrice: query.min_price ?? null,
    maxPrice: query.max_price ?? null,
    brand: query.brand?.trim() ? query.brand.trim().toLowerCase() : null,
    inStock: query.in_stock === "true",
    sortBy: query.sort_by ?? "created_at",
    desc: (query.sort_order ?? "desc") === "desc"
  }
}

/** Whitelisted ORDER BY column per sort; the tie-break on id runs in the same direction so one index serves both. */
const SORT_COLUMNS: Record<Exclude<SortField, "relevance">, string> = {
  created_at: "p.created_at",
  price: "p.price",
  final_price: "p.final_price",
  name: "p.name",
  rating: "p.rating",
  review_count: "p.review_count"
}

/**
 * The two statements of a listing page: the total, and the page itself. Every
 * condition and ORDER BY here has an index (migrations/0002_catalog.sql);
 * test/catalog-explain.test.ts checks the plans of exactly these statements.
 */
export const listingQueries = (
  sql: SqlClient.SqlClient,
  params: ListParams,
  categoryIds: ReadonlyArray<number> | null
) => {
  const conditions: Array<Fragment> = [sql`p.is_active`]
  if (categoryIds !== null) conditions.push(sql`p.category_id = ANY(${categoryIds}::int[])`)
  // A scalar subquery hides the query's words from the planner, so it never estimates a common word
  // ("with", a one-letter prefix) as matching most rows and reads the whole table: search is always
  // driven by the GIN index.
  const tsquery = params.tsquery ? sql`(SELECT to_tsquery('simple', catalog_unaccent(${params.tsquery})))` : null
  if (tsquery !== null) conditions.push(sql`p.search_vector @@ ${tsquery}`)
  if (params.minPrice !== null) conditions.push(sql`p.final_price >= ${String(params.minPrice)}::numeric`)
  if (params.maxPrice !== null) conditions.push(sql`p.final_price <= ${String(params.maxPrice)}::numeric`)
  if (params.brand !== null) conditions.push(sql`lower(p.brand) = ${params.brand}`)
  if (params.inStock) conditions.push(sql`p.stock_quantity > 0`)
  const where = sql.and(conditions)
  const direction = sql.literal(params.desc ? "DESC" : "ASC")
  const order =
    params.sortBy === "relevance" && tsquery !== null
      ? sql`ts_rank(p.search_vector, ${tsquery}) ${direction}, p.id ${direction}`
      : sql`${sql.literal(SORT_COLUMNS[params.sortBy === "relevance" ? "created_at" : params.sortBy])} ${direction}, p.id ${direction}`
  return {
    count: sql<{ total: number }>`SELECT count(*)::int AS total FROM products p WHERE ${where}`,
    page: sql`SELECT ${sql.literal(PRODUCT_COLUMNS)} FROM products p WHERE ${where}
              ORDER BY ${order} LIMIT ${params.perPage} OFFSET ${(params.page - 1) * params.perPage}`
  }
}

/** GET /api/products: filtered, sorted pages, cached under their normalised parameters. */
export const makeListing = (
  cache: ReadCache,
  withDescendants: (categoryId: number) => Effect.Effect<ReadonlyArray<number>>
) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const loadPage = (params: ListParams) =>
      Effect.gen(function* () {
        const empty = {
          products: [],
          pagination: paginationOf(params.page, params.perPage, 0)
        }
        // A search made only of operators and punctuation has no word to match.
        if (params.tsquery === "") return empty
        let categoryIds: ReadonlyArray<number> | null = null
        if (params.categoryId !== null) {
          categoryIds = yield* withDescendants(params.categoryId)
          if (categoryIds.length === 0) return yield* ValidationError.field("category_id", "Category not found")
        }
        const queries = listingQueries(sql, params, categoryIds)
        const [{ total }] = (yield* Effect.orDie(queries.count)) as unknown as [{ total: number }]
        const pagination = paginationOf(params.page, params.perPage, total)
        // Past the last page there is nothing to read: skip the query rather than walk an index to the end.
        if ((params.page - 1) * params.perPage >= total) return { products: [], pagination }
        const products = yield* Effect.orDie(productRows(queries.page))
        return { products, pagination }
      })

    const listProducts = Effect.fn("Catalog.listProducts")(function* (query: ProductListQuery) {
      const params = normalizeListQuery(query)
      return yield* cache.get({
        cache: "product_list",
        key: catalogKeys.listing(params),
        versions: [CATALOG_VERSION_KEYS.listing],
        maxAge: LISTING_MAX_AGE,
        schema: ProductPage,
        load: loadPage(params)
      })
    })

    const cachedListing = (query: ProductListQuery) =>
      cache.peek({
        cache: "product_list",
        key: catalogKeys.listing(normalizeListQuery(query)),
        versions: [CATALOG_VERSION_KEYS.listing],
        maxAge: LISTING_MAX_AGE
      })

    return { listProducts, cachedListing }
  })
