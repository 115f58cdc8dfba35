import { Effect } from "effect"
import type { SqlClient } from "effect/sql"
import { ReadSql } from "../../infra/ReadReplica.ts"
import type { Fragment } from "effect/sql/Statement"
import {
  type FacetName,
  type Facets,
  listParam,
  type Product,
  type ProductListQuery,
  ProductPage,
  type SortField
} from "../../domain/catalog.ts"
import { ValidationError } from "../../domain/errors.ts"
import { paginationOf, perPageOf } from "../../domain/pagination.ts"
import type { ReadCache } from "../ReadCache.ts"
import { CATALOG_VERSION_KEYS, catalogKeys, LISTING_MAX_AGE } from "./CatalogCache.ts"
import { PRODUCT_COLUMNS, productRows } from "./Products.ts"
import { dieOnSqlError } from "../sqlErrors.ts"
import {
  correctSearch,
  matchesSomething,
  matchQuery,
  planSearch,
  inNameQuery,
  relevance,
  relevanceBound,
  relevanceBoundOutsideNames,
  type SearchPlan,
  thousandths
} from "./Search.ts"

/** The listing parameters after defaults, caps and normalisation: also the cache key. */
export interface ListParams {
  readonly page: number
  readonly perPage: number
  readonly categoryId: number | null
  /** The search as typed, trimmed, spaces collapsed and lower case; null for none (or only spaces). */
  readonly search: string | null
  readonly minPrice: number | null
  readonly maxPrice: number | null
  /** Lower-case brand names, sorted; empty for no brand filter. */
  readonly brands: ReadonlyArray<string>
  readonly minRating: number | null
  readonly inStock: boolean
  readonly sortBy: SortField
  readonly desc: boolean
  /** Requested facets, sorted and without repeats. */
  readonly facets: ReadonlyArray<FacetName>
}

export const normalizeListQuery = (query: ProductListQuery): ListParams => {
  const search = query.search?.trim().replace(/\s+/g, " ").toLowerCase() ?? ""
  return {
    page: query.page ?? 1,
    perPage: perPageOf(query.per_page, 20),
    categoryId: query.category_id ?? null,
    search: search === "" ? null : search,
    minPrice: query.min_price ?? null,
    maxPrice: query.max_price ?? null,
    brands: [...new Set(listParam(query.brand).map((b) => b.toLowerCase()))].sort(),
    minRating: query.min_rating ?? null,
    inStock: query.in_stock === "true",
    sortBy: query.sort_by ?? (search === "" ? "created_at" : "relevance"),
    desc: (query.sort_order ?? "desc") === "desc",
    facets: [...new Set(listParam(query.facets) as Array<FacetName>)].sort()
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

/** What a listing's statements need besides its parameters, read from the database first. */
export interface ListingContext {
  /** The category filter with every descendant; null without one. */
  readonly categoryIds: ReadonlyArray<number> | null
  /** The search's words and their matches; null without a search, "nothing" when a word matches no product. */
  readonly search: SearchPlan | "nothing" | null
}

/** A row of the first stage of a popular relevance page: the total, a row of the popular matches' ranking, and product columns on the page's rows. */
export interface PopularRow {
  readonly total: number
  readonly t_id: number | null
  readonly t_score: string
  readonly t_review_count: number
  readonly t_rating: string
  readonly id: number | null
}

const BRAND_FACET_SIZE = 20
/**
 * Most popular matches a relevance page scores first (relevancePage). On the 100k catalog the broadest words
 * (`mat` 23,232 matches, `saree` typed `sree`, `phone`, `novel`) fill page 1 at the relevance bound within
 * their 20-250 most popular matches.
 */
const POPULAR_ROWS = 500
/** Matches from which relevancePage's second stage reads only products with the words in their name, when it may. */
const NAMES_FROM = 2000
const RATING_STEPS = [4, 3, 2, 1] as const

/**
 * The statements of a listing: its total (with the counts that facets over the
 * same filters need), the page, and each facet's counts. Every condition and
 * ORDER BY has an index (migrations/0002_catalog.sql, 0006_search.sql);
 * test/catalogExplain.test.ts checks the plans of exactly these statements.
 */
export const listingQueries = (
  sql: SqlClient.SqlClient,
  params: ListParams,
  context: ListingContext,
  /** relevancePage's sizes; tests make them small, so that a small catalog takes every way. */
  { popularRows, namesFrom }: { readonly popularRows: number; readonly namesFrom: number } = {
    popularRows: POPULAR_ROWS,
    namesFrom: NAMES_FROM
  }
) => {
  const match =
    context.search === null
      ? null
      : context.search === "nothing"
        ? sql`FALSE`
        : // A scalar subquery hides the words from the planner, so it never estimates a common word or a
          // one-letter prefix as matching most rows and reads the whole table: search always uses the GIN index.
          sql`p.search_terms @@ (SELECT ${matchQuery(context.search)}::tsquery)`
  /** The conditions, leaving out the filter of the facet being counted (multi-select). */
  const where = (without?: FacetName) => {
    const conditions: Array<Fragment> = [sql`p.is_active`]
    if (match !== null) conditions.push(match)
    if (context.categoryIds !== null && without !== "category")
      conditions.push(sql`p.category_id = ANY(${context.categoryIds}::int[])`)
    if (without !== "price") {
      if (params.minPrice !== null) conditions.push(sql`p.final_price >= ${String(params.minPrice)}::numeric`)
      if (params.maxPrice !== null) conditions.push(sql`p.final_price <= ${String(params.maxPrice)}::numeric`)
    }
    if (params.brands.length > 0 && without !== "brand")
      conditions.push(
        params.brands.length === 1
          ? sql`lower(p.brand) = ${params.brands[0]!}`
          : sql`lower(p.brand) = ANY(${params.brands}::text[])`
      )
    if (params.minRating !== null && without !== "rating")
      conditions.push(sql`p.rating >= ${String(params.minRating)}::numeric`)
    if (params.inStock && without !== "in_stock") conditions.push(sql`p.in_stock`)
    return sql.and(conditions)
  }
  /** Whether a facet's own filter is set, so its counts need their own statement. */
  const filtered: Record<FacetName, boolean> = {
    brand: params.brands.length > 0,
    category: false,
    price: params.minPrice !== null || params.maxPrice !== null,
    rating: params.minRating !== null,
    in_stock: params.inStock
  }

  const plan = context.search !== null && context.search !== "nothing" ? context.search : null
  /** The search's plan when the page is ordered by relevance; null otherwise. */
  const ranked = params.sortBy === "relevance" ? plan : null
  const dir = params.desc ? "DESC" : "ASC"
  const direction = sql.literal(dir)
  const order = sql`${sql.literal(SORT_COLUMNS[params.sortBy === "relevance" ? "created_at" : params.sortBy])} ${direction}, p.id ${direction}`
  const limit = sql`LIMIT ${params.perPage} OFFSET ${(params.page - 1) * params.perPage}`
  /** The relevance order over rows of (id, score, review_count, rating), their columns named with `prefix`. */
  const rankedBy = (prefix: string) =>
    sql.literal(
      `${prefix}score ${dir}, ${prefix}review_count ${dir}, ${prefix}rating ${dir}, ${prefix}id ${params.desc ? "ASC" : "DESC"}`
    )
  /**
   * Every match with its relevance, and only what ranking needs: the sort runs over these narrow rows and
   * only a page's products are read in full (sorting whole rows cost a third more on broad searches).
   */
  const scored = (plan: SearchPlan) =>
    sql`SELECT p.id, ${relevance(sql, plan)} AS score, p.review_count, p.rating FROM products p WHERE ${where()}`

  /** The number of products under `condition`, with the rating, stock and price-range figures facets need. */
  const summary = (condition: Fragment) => sql<{
    total: number
    rating_4: number
    rating_3: number
    rating_2: number
    rating_1: number
    in_stock: number
    min_price: number | null
    max_price: number | null
  }>`SELECT count(*)::int AS total,
       count(*) FILTER (WHERE p.rating >= 4)::int AS rating_4, count(*) FILTER (WHERE p.rating >= 3)::int AS rating_3,
       count(*) FILTER (WHERE p.rating >= 2)::int AS rating_2, count(*) FILTER (WHERE p.rating >= 1)::int AS rating_1,
       count(*) FILTER (WHERE p.in_stock)::int AS in_stock,
       min(p.final_price)::float8 AS min_price, max(p.final_price)::float8 AS max_price
     FROM products p WHERE ${condition}`

  const popularStages = (plan: SearchPlan) => ({
    /**
     * The first stage: every match is gathered once (MATERIALIZED, so no plan walks a popularity index to its
     * end looking for the few matches of a rare word) and counted, the most popular `popularRows` of them are
     * scored, and the first page * perPage of their ranking come back (`t_` columns), the requested page's
     * rows with their product columns. Always one row at least: the total of all matches.
     */
    page: sql<PopularRow>`
      WITH m AS MATERIALIZED (SELECT p.id, p.review_count, p.rating FROM products p WHERE ${where()}),
      t AS MATERIALIZED (
        SELECT c.id, c.review_count, c.rating, ${relevance(sql, plan)} AS score
        FROM (SELECT m.* FROM m ORDER BY m.review_count DESC, m.rating DESC, m.id
              LIMIT ${sql.literal(String(popularRows))}) AS c
        JOIN products p ON p.id = c.id
      ),
      r AS (
        SELECT t.*, row_number() OVER (ORDER BY ${rankedBy("t.")}) AS n FROM t
        ORDER BY n LIMIT ${params.page * params.perPage}
      )
      SELECT c.total, r.id AS t_id, r.score::text AS t_score, r.review_count AS t_review_count,
             r.rating::text AS t_rating, ${sql.literal(PRODUCT_COLUMNS)}
      FROM (SELECT count(*)::int AS total FROM m) AS c
      LEFT JOIN r ON true
      LEFT JOIN products p ON p.id = r.id AND r.n > ${(params.page - 1) * params.perPage}
      ORDER BY r.n`,
    /**
     * The second stage: the popular matches' ranking (`ranking`, the first page * perPage of it) merged with
     * the other matches that score above its last row (`floor`), the only ones that can displace a row of
     * it (they are less popular, so they must score higher). With `inNames`, only products with one of the
     * words in their name are read: when the floor is at least what a product can score without that.
     */
    outside: (ranking: ReadonlyArray<PopularRow>, floor: string, inNames: boolean) => {
      const ids = ranking.map((r) => r.t_id!)
      const names = inNameQuery(plan)
      return sql`SELECT ${sql.literal(PRODUCT_COLUMNS)} FROM (
          SELECT x.id, x.score, x.review_count, x.rating
          FROM unnest(${ids}::int[], ${ranking.map((r) => r.t_score)}::numeric[],
                      ${ranking.map((r) => r.t_review_count)}::int[], ${ranking.map((r) => r.t_rating)}::numeric[])
               AS x(id, score, review_count, rating)
          UNION ALL
          SELECT c.id, c.score, c.review_count, c.rating FROM (
            SELECT p.id, ${relevance(sql, plan)} AS score, p.review_count, p.rating
            FROM products p
            WHERE ${where()} AND p.id <> ALL(${ids}::int[])
              ${inNames ? (names === null ? sql`AND FALSE` : sql`AND ts_filter(p.search_terms, '{a}') @@ (SELECT ${names}::tsquery)`) : sql``}
            OFFSET 0
          ) AS c WHERE c.score > ${floor}::numeric
          ORDER BY ${rankedBy("")} ${limit}
        ) AS r JOIN products p ON p.id = r.id ORDER BY ${rankedBy("r.")}`
    },
    /** What relevancePage compares a floor with, in thousandths: any product's best, and one's without the words in its name. */
    bounds: {
      all: thousandths(relevanceBound(plan)),
      outsideNames: thousandths(relevanceBoundOutsideNames(plan))
    },
    popularRows,
    namesFrom
  })

  return {
    count: sql<{ total: number }>`SELECT count(*)::int AS total FROM products p WHERE ${where()}`,
    /** The count with what the price, rating and stock facets need, when they are asked for. */
    summary: summary(where()),
    page:
      ranked !== null
        ? sql`SELECT ${sql.literal(PRODUCT_COLUMNS)} FROM (${scored(ranked)} ORDER BY ${rankedBy("")} ${limit}) AS r
            JOIN products p ON p.id = r.id ORDER BY ${rankedBy("r.")}`
        : sql`SELECT ${sql.literal(PRODUCT_COLUMNS)} FROM products p WHERE ${where()} ORDER BY ${order} ${limit}`,
    /**
     * A relevance page reads and scores every match anyway, so it counts them in the same pass
     * (`total` on each row) instead of a second scan; no row means the page is past the end (or empty).
     * Null when the order is not by relevance.
     */
    rankedPage:
      ranked !== null
        ? sql<{ total: number }>`
            WITH r AS MATERIALIZED (${scored(ranked)})
            SELECT ${sql.literal(PRODUCT_COLUMNS)}, (SELECT count(*) FROM r)::int AS total
            FROM (SELECT * FROM r ORDER BY ${rankedBy("")} ${limit}) AS top
            JOIN products p ON p.id = top.id ORDER BY ${rankedBy("top.")}`
        : null,
    /**
     * A descending relevance page that lies within the POPULAR_ROWS most popular matches, in two stages
     * (relevancePage runs them). Null for other orders and deeper pages.
     */
    popular:
      ranked !== null && params.desc && params.page * params.perPage <= popularRows ? popularStages(ranked) : null,
    filtered,
    /** The summary with one facet's own filter left out (only for facets whose filter is set). */
    summaryWithout: (facet: "price" | "rating" | "in_stock") => summary(where(facet)),
    brands: sql<{ value: string; count: number }>`
      SELECT min(p.brand) AS value, count(*)::int AS count FROM products p
      WHERE ${where("brand")} AND p.brand IS NOT NULL
      GROUP BY lower(p.brand) ORDER BY 2 DESC, 1 LIMIT ${BRAND_FACET_SIZE}`,
    /** Products per category within the current one (all when none); the caller sums them per child. */
    categories: sql<{ category_id: number; count: number }>`
      SELECT p.category_id, count(*)::int AS count FROM products p WHERE ${where()} GROUP BY p.category_id`,
    /** Products per price range; `bounds` are the ranges' lower ends, ascending. */
    priceBuckets: (bounds: ReadonlyArray<number>) => sql<{ bucket: number; count: number }>`
      SELECT width_bucket(p.final_price, ${bounds.map(String)}::numeric[]) AS bucket, count(*)::int AS count
      FROM products p WHERE ${where("price")} GROUP BY 1`
  }
}

/**
 * A descending relevance page within the popular matches (`popular`'s first stage), finished with its second
 * stage when less popular matches could still rank on it: its product rows, the total of all matches, and
 * which way it went. Exact either way (test/searchBounded.test.ts compares it with ranking every match). Null
 * when `popular` does not apply.
 */
export const relevancePage = (queries: ReturnType<typeof listingQueries>, params: ListParams) => {
  const { popular } = queries
  if (popular === null) return null
  return Effect.gen(function* () {
    const rows = yield* popular.page
    const total = rows[0]!.total
    const ranking = rows.filter((r) => r.t_id !== null)
    const floor = ranking[params.page * params.perPage - 1]?.t_score
    // The popular matches' ranking is the page when they are all the matches, or when its last row is at the
    // bound (nothing scores higher; among equals the more popular go first).
    if (floor === undefined || total <= popular.popularRows || thousandths(floor) >= popular.bounds.all) {
      const onPage = rows.filter((r) => r.id !== null)
      return {
        rows: onPage.map(
          ({ total: _, t_id: _i, t_score: _s, t_review_count: _c, t_rating: _r, ...product }) => product
        ),
        total,
        how: "popular" as const
      }
    }
    // Products without the words in their name cannot score above a floor that is at least their best; reading
    // only named ones pays when there are many matches (a name index lookup of several words costs ~10 ms).
    const inNames = total >= popular.namesFrom && thousandths(floor) >= popular.bounds.outsideNames
    return {
      rows: yield* popular.outside(ranking, floor, inNames),
      total,
      how: inNames ? ("popular, then names" as const) : ("popular, then all" as const)
    }
  })
}

/** Round numbers near `n` (1, 2, 2.5, 5 times a power of ten), rounding down. */
const niceFloor = (n: number) => {
  if (n <= 0) return 0
  const power = Math.pow(10, Math.floor(Math.log10(n)))
  const steps = [1, 2, 2.5, 5, 10]
  let best = power
  for (const s of steps) if (s * power <= n) best = s * power
  return best
}

/**
 * Lower ends of up to five price ranges over [min, max]: equal steps for a
 * narrow range, growing (roughly geometric) steps when the prices span orders
 * of magnitude, so each range holds a useful share; every end a round number.
 */
export const priceBounds = (min: number, max: number): Array<number> => {
  if (max <= min) return [niceFloor(min)]
  const bounds: Array<number> = []
  if (max / Math.max(min, 1) > 20) {
    const ratio = Math.pow(max / Math.max(min, 1), 1 / 5)
    for (let i = 0; i < 5; i++) bounds.push(i === 0 ? 0 : niceFloor(Math.max(min, 1) * Math.pow(ratio, i)))
  } else {
    const step = niceFloor((max - min) / 4) || 1
    const start = Math.floor(min / step) * step
    for (let b = start; b <= max && bounds.length < 6; b += step) bounds.push(b)
  }
  return [...new Set(bounds)].sort((a, b) => a - b)
}

interface CategoryRow {
  readonly id: number
  readonly name: string
  readonly parent_id: number | null
}

/** GET /api/products: filtered, sorted pages with facets, cached under their normalised parameters. */
export const makeListing = (
  cache: ReadCache,
  withDescendants: (categoryId: number) => Effect.Effect<ReadonlyArray<number>>
) =>
  Effect.gen(function* () {
    // Every statement here reads: the replica's, when there is one and it is current enough.
    const sql = yield* ReadSql

    const activeCategories = dieOnSqlError(
      sql<CategoryRow>`SELECT id, name, parent_id FROM categories WHERE is_active ORDER BY id`
    )

    /** Counts per child of the current category (roots without one), each child's subtree summed. */
    const categoryFacet = (
      rows: ReadonlyArray<{ category_id: number; count: number }>,
      current: number | null,
      categories: ReadonlyArray<CategoryRow>
    ) => {
      const byId = new Map(categories.map((c) => [c.id, c]))
      /** The child of `current` that `id` lies under, if any. */
      const childOf = (id: number) => {
        let node = byId.get(id)
        for (let depth = 0; node !== undefined && depth < 100; depth++) {
          if (node.parent_id === current) return node
          node = node.parent_id === null ? undefined : byId.get(node.parent_id)
        }
        return undefined
      }
      const counts = new Map<number, number>()
      for (const row of rows) {
        const child = childOf(row.category_id)
        if (child !== undefined) counts.set(child.id, (counts.get(child.id) ?? 0) + row.count)
      }
      return [...counts]
        .map(([id, count]) => ({ id, name: byId.get(id)!.name, count }))
        .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
    }

    const loadPage = (params: ListParams) =>
      Effect.gen(function* () {
        let categoryIds: ReadonlyArray<number> | null = null
        if (params.categoryId !== null) {
          categoryIds = yield* withDescendants(params.categoryId)
          if (categoryIds.length === 0) return yield* ValidationError.field("category_id", "Category not found")
        }
        const plan = params.search === null ? null : yield* dieOnSqlError(planSearch(sql, params.search))
        // A word that matches nothing (not even with a typo) makes the whole search match nothing.
        const search =
          params.search === null ? null : plan === null || !plan.words.every(matchesSomething) ? "nothing" : plan
        const queries = listingQueries(sql, params, { categoryIds, search })
        const wants = new Set(params.facets)
        const summary =
          wants.has("price") || wants.has("rating") || wants.has("in_stock")
            ? (yield* dieOnSqlError(queries.summary))[0]!
            : null
        let total: number
        let products: ReadonlyArray<Product>
        const popular = relevancePage(queries, params)
        if (popular !== null) {
          const page = yield* dieOnSqlError(popular)
          total = summary?.total ?? page.total
          products = yield* productRows(Effect.succeed(page.rows))
        } else if (queries.rankedPage !== null && summary === null) {
          const rows = yield* dieOnSqlError(queries.rankedPage)
          products = yield* productRows(Effect.succeed(rows.map(({ total: _, ...product }) => product)))
          total = rows[0]?.total ?? (params.page === 1 ? 0 : (yield* dieOnSqlError(queries.count))[0]!.total)
        } else {
          total = summary?.total ?? (yield* dieOnSqlError(queries.count))[0]!.total
          // Past the last page there is nothing to read: skip the query rather than walk an index to the end.
          products = (params.page - 1) * params.perPage >= total ? [] : yield* dieOnSqlError(productRows(queries.page))
        }
        const pagination = paginationOf(params.page, params.perPage, total)

        let suggestion: string | undefined
        if (total === 0 && params.search !== null) {
          const corrected = plan === null ? null : yield* dieOnSqlError(correctSearch(sql, plan))
          if (corrected !== null && corrected !== params.search) {
            const check = yield* dieOnSqlError(planSearch(sql, corrected))
            if (check !== null && check.words.every(matchesSomething)) {
              const [found] = yield* dieOnSqlError(listingQueries(sql, params, { categoryIds, search: check }).count)
              if (found!.total > 0) suggestion = corrected
            }
          }
        }

        if (params.facets.length === 0) return { products, pagination, ...(suggestion && { suggestion }) }
        const summaryFor = (facet: "price" | "rating" | "in_stock") =>
          queries.filtered[facet]
            ? Effect.map(dieOnSqlError(queries.summaryWithout(facet)), (rows) => rows[0]!)
            : Effect.succeed(summary!)
        const facetEffects = {
          brand: wants.has("brand") ? dieOnSqlError(queries.brands) : Effect.succeed(undefined),
          category: wants.has("category")
            ? Effect.zipWith(dieOnSqlError(queries.categories), activeCategories, (rows, categories) =>
                categoryFacet(rows, params.categoryId, categories)
              )
            : Effect.succeed(undefined),
          price: wants.has("price")
            ? Effect.flatMap(summaryFor("price"), (s) => {
                if (s.total === 0 || s.min_price === null || s.max_price === null) return Effect.succeed([])
                const bounds = priceBounds(s.min_price, s.max_price)
                return Effect.map(dieOnSqlError(queries.priceBuckets(bounds)), (rows) =>
                  rows
                    .filter((r) => r.bucket >= 1)
                    .sort((a, b) => a.bucket - b.bucket)
                    .map((r) => ({
                      min: bounds[r.bucket - 1]!,
                      max: r.bucket < bounds.length ? bounds[r.bucket]! - 0.01 : s.max_price!,
                      count: r.count
                    }))
                )
              })
            : Effect.succeed(undefined),
          rating: wants.has("rating")
            ? Effect.map(summaryFor("rating"), (s) => RATING_STEPS.map((min) => ({ min, count: s[`rating_${min}`] })))
            : Effect.succeed(undefined),
          in_stock: wants.has("in_stock")
            ? Effect.map(summaryFor("in_stock"), (s) => ({ count: s.in_stock }))
            : Effect.succeed(undefined)
        }
        const computed = yield* Effect.all(facetEffects, { concurrency: "unbounded" })
        const facets: { -readonly [K in keyof Facets]: Facets[K] } = {}
        for (const [name, value] of Object.entries(computed))
          if (value !== undefined) (facets as Record<string, unknown>)[name] = value
        return { products, pagination, ...(suggestion && { suggestion }), facets }
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
