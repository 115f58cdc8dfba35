import { createHash } from "node:crypto"
import { Context, Duration, Effect, Layer, Option, Schema } from "effect"
import { SqlClient, SqlError } from "effect/sql"
import type { Fragment } from "effect/sql/Statement"
import {
  Category,
  CategoryDetail,
  type CategoryNode,
  CategoryNode as CategoryNodeSchema,
  type CreateCategory,
  type CreateProduct,
  Product,
  type ProductListQuery,
  ProductPage,
  type SortField,
  type UpdateCategory,
  type UpdateProduct
} from "../domain/catalog.ts"
import { Conflict, NotFound, ValidationError } from "../domain/errors.ts"
import { paginationOf, perPageOf } from "../domain/pagination.ts"
import { AppConfig } from "../infra/AppConfig.ts"
import { type JsonBody, makeReadCache } from "./ReadCache.ts"

export type { JsonBody } from "./ReadCache.ts"

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

/** How stale the stock shown in a listing page may be (detail pages are always current). */
export const LISTING_MAX_AGE = Duration.seconds(15)

/** The `product` object of API.md from `products p`, for every query that returns products. */
export const PRODUCT_COLUMNS = `p.id, p.name, p.description, p.price::float8 AS price,
  p.discount_percentage::float8 AS discount_percentage, p.final_price::float8 AS final_price,
  p.category_id, p.brand, p.stock_quantity, p.sku, p.image_url, p.is_active, p.rating::float8 AS rating,
  p.review_count, to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at`

const CATEGORY_COLUMNS = "id, name, description, parent_id, is_active"

const money = (n: number) => n.toFixed(2)

/** Store keys of the versions that entries are stamped with. Outside `cache:` so a flush never resets them. */
export const CATALOG_VERSION_KEYS = {
  categories: "catalog:version:categories",
  listing: "catalog:version:listing",
  product: (id: number) => `catalog:version:product:${id}`
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

const isUnique = (error: SqlError.SqlError) => error.reason._tag === "UniqueViolation"

/**
 * Categories and products. Reads answer with the response's encoded JSON, served
 * from a versioned cache (Redis, or memory) that every write below invalidates
 * before it returns.
 */
export class Catalog extends Context.Service<
  Catalog,
  {
    readonly listCategories: (tree: boolean) => Effect.Effect<JsonBody>
    readonly getCategory: (id: number) => Effect.Effect<JsonBody, NotFound>
    readonly createCategory: (input: CreateCategory) => Effect.Effect<Category, ValidationError | Conflict>
    readonly updateCategory: (
      id: number,
      input: UpdateCategory
    ) => Effect.Effect<Category, ValidationError | NotFound | Conflict>
    readonly deactivateCategory: (id: number) => Effect.Effect<void, NotFound | Conflict>
    readonly listProducts: (query: ProductListQuery) => Effect.Effect<JsonBody, ValidationError>
    readonly getProduct: (id: number) => Effect.Effect<JsonBody, NotFound>
    /** A listing page's JSON if this instance holds it current; None sends the caller to listProducts. */
    readonly cachedListing: (query: ProductListQuery) => Effect.Effect<Option.Option<JsonBody>>
    /** The product's JSON if this instance holds it current; None sends the caller to getProduct. */
    readonly cachedProduct: (id: number) => Effect.Effect<Option.Option<JsonBody>>
    readonly createProduct: (input: CreateProduct) => Effect.Effect<Product, NotFound | Conflict>
    readonly updateProduct: (id: number, input: UpdateProduct) => Effect.Effect<Product, NotFound | Conflict>
    readonly deleteProduct: (id: number) => Effect.Effect<void, NotFound>
    /** For other areas that change what listings sort or filter on (ratings): drops their detail and every listing page. */
    readonly invalidateProducts: (ids: ReadonlyArray<number>) => Effect.Effect<void>
    /**
     * For checkouts and cancellations: drops the products' cached detail only. Listing pages show stock
     * at most LISTING_MAX_AGE old, so a shop taking orders every second still serves its listings from cache.
     */
    readonly stockChanged: (ids: ReadonlyArray<number>) => Effect.Effect<void>
  }
>()("shop/services/Catalog") {
  static readonly layer = Layer.effect(
    Catalog,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const config = yield* AppConfig
      const cache = yield* makeReadCache(config.catalogCacheTtl)

      const decodeProducts = Schema.decodeUnknownEffect(Schema.Array(Product))
      const decodeCategories = Schema.decodeUnknownEffect(Schema.Array(Category))
      // SqlError stays in the error channel: writes turn a unique violation into a 409, reads die on it.
      const productRows = (statement: Effect.Effect<ReadonlyArray<unknown>, SqlError.SqlError>) =>
        Effect.flatMap(statement, (rows) => Effect.orDie(decodeProducts(rows)))
      const categoryRows = (statement: Effect.Effect<ReadonlyArray<unknown>, SqlError.SqlError>) =>
        Effect.flatMap(statement, (rows) => Effect.orDie(decodeCategories(rows)))
      const columns = sql.literal(PRODUCT_COLUMNS)
      const categoryColumns = sql.literal(CATEGORY_COLUMNS)

      // ------------------------------------------------------------ categories

      const activeCategories = Effect.orDie(
        categoryRows(sql`SELECT ${categoryColumns} FROM categories WHERE is_active ORDER BY id`)
      )

      const buildTree = (all: ReadonlyArray<Category>): Array<CategoryNode> => {
        const nodes = new Map(all.map((c) => [c.id, { ...c, children: [] as Array<CategoryNode> }]))
        const roots: Array<CategoryNode> = []
        for (const node of nodes.values()) {
          const parent = node.parent_id === null ? undefined : nodes.get(node.parent_id)
          if (parent) parent.children.push(node)
          else roots.push(node)
        }
        return roots
      }

      const listCategories = Effect.fn("Catalog.listCategories")(function* (tree: boolean) {
        return yield* tree
          ? cache.get({
              cache: "categories",
              key: "cache:categories:tree",
              versions: [CATALOG_VERSION_KEYS.categories],
              schema: Schema.Array(CategoryNodeSchema),
              load: Effect.map(activeCategories, buildTree)
            })
          : cache.get({
              cache: "categories",
              key: "cache:categories:flat",
              versions: [CATALOG_VERSION_KEYS.categories],
              schema: Schema.Array(Category),
              load: activeCategories
            })
      })

      const loadCategoryDetail = (id: number) =>
        Effect.gen(function* () {
          const [category] = yield* categoryRows(
            sql`SELECT ${categoryColumns} FROM categories WHERE id = ${id} AND is_active`
          )
          if (category === undefined) return yield* new NotFound({ error: "Category not found" })
          const children = yield* categoryRows(
            sql`SELECT ${categoryColumns} FROM categories WHERE parent_id = ${id} AND is_active ORDER BY id`
          )
          // UNION (not UNION ALL) stops on a cycle, should one ever exist.
          const path = yield* Effect.orDie(sql<{ id: number; name: string }>`
            WITH RECURSIVE up(id, name, parent_id, depth) AS (
              SELECT id, name, parent_id, 0 FROM categories WHERE id = ${category.parent_id}
              UNION
              SELECT c.id, c.name, c.parent_id, up.depth + 1 FROM categories c JOIN up ON c.id = up.parent_id
              WHERE up.depth < 100
            )
            SELECT id, name FROM up ORDER BY depth DESC`)
          return { ...category, children, path: path.map(({ id, name }) => ({ id, name })) } satisfies CategoryDetail
        }).pipe(Effect.catchTag("SqlError", Effect.die))

      const getCategory = Effect.fn("Catalog.getCategory")(function* (id: number) {
        return yield* cache.get({
          cache: "categories",
          key: `cache:category:${id}`,
          versions: [CATALOG_VERSION_KEYS.categories],
          schema: CategoryDetail,
          load: loadCategoryDetail(id)
        })
      })

      const nameTaken = () => new Conflict({ error: "A category with this name already exists" })
      const unknownParent = () => ValidationError.field("parent_id", "Parent category not found")

      /** The parent must exist and be active; FOR SHARE holds off its deactivation until we commit. */
      const lockParent = (parentId: number) =>
        Effect.gen(function* () {
          const rows = yield* sql`SELECT id FROM categories WHERE id = ${parentId} AND is_active FOR SHARE`
          if (rows.length === 0) return yield* unknownParent()
        })

      /** 409 while the category still has active children or active products. */
      const ensureEmpty = (id: number) =>
        Effect.gen(function* () {
          const [row] = yield* sql<{ children: boolean; products: boolean }>`
            SELECT EXISTS (SELECT 1 FROM categories WHERE parent_id = ${id} AND is_active) AS children,
                   EXISTS (SELECT 1 FROM products WHERE category_id = ${id} AND is_active) AS products`
          if (row?.children)
            return yield* new Conflict({
              error: "Category still has active subcategories; move or deactivate them first"
            })
          if (row?.products)
            return yield* new Conflict({ error: "Category still has active products; move or delete them first" })
        })

      const categoryWrites = cache.bump([CATALOG_VERSION_KEYS.categories, CATALOG_VERSION_KEYS.listing])

      const createCategory = Effect.fn("Catalog.createCategory")(function* (input: CreateCategory) {
        const created = yield* sql
          .withTransaction(
            Effect.gen(function* () {
              if (input.parent_id != null) yield* lockParent(input.parent_id)
              const [row] = yield* categoryRows(sql`
              INSERT INTO categories (name, description, parent_id)
              VALUES (${input.name}, ${input.description ?? null}, ${input.parent_id ?? null})
              RETURNING ${categoryColumns}`)
              return row!
            })
          )
          .pipe(Effect.catchTag("SqlError", (e) => (isUnique(e) ? Effect.fail(nameTaken()) : Effect.die(e))))
        yield* categoryWrites
        return created
      })

      const updateCategory = Effect.fn("Catalog.updateCategory")(function* (id: number, input: UpdateCategory) {
        const updated = yield* sql
          .withTransaction(
            Effect.gen(function* () {
              // Two concurrent re-parentings could each pass the cycle check and close a loop together.
              yield* sql`LOCK TABLE categories IN SHARE ROW EXCLUSIVE MODE`
              const [current] = yield* categoryRows(
                sql`SELECT ${categoryColumns} FROM categories WHERE id = ${id} FOR UPDATE`
              )
              if (current === undefined) return yield* new NotFound({ error: "Category not found" })
              if (input.parent_id != null) {
                if (input.parent_id === id)
                  return yield* ValidationError.field("parent_id", "A category cannot be its own parent")
                yield* lockParent(input.parent_id)
                const cycle = yield* sql`
                WITH RECURSIVE up(id, parent_id) AS (
                  SELECT id, parent_id FROM categories WHERE id = ${input.parent_id}
                  UNION
                  SELECT c.id, c.parent_id FROM categories c JOIN up ON c.id = up.parent_id
                )
                SELECT 1 FROM up WHERE id = ${id}`
                if (cycle.length > 0)
                  return yield* ValidationError.field(
                    "parent_id",
                    "This parent would make the category its own ancestor"
                  )
              }
              if (input.is_active === false && current.is_active) yield* ensureEmpty(id)
              const changes: Record<string, unknown> = {}
              if (input.name !== undefined) changes.name = input.name
              if (input.description !== undefined) changes.description = input.description
              if (input.parent_id !== undefined) changes.parent_id = input.parent_id
              if (input.is_active !== undefined) changes.is_active = input.is_active
              const set =
                Object.keys(changes).length > 0
                  ? sql`${sql.update(changes)}, updated_at = now()`
                  : sql`updated_at = now()`
              const [row] = yield* categoryRows(
                sql`UPDATE categories SET ${set} WHERE id = ${id} RETURNING ${categoryColumns}`
              )
              return row!
            })
          )
          .pipe(Effect.catchTag("SqlError", (e) => (isUnique(e) ? Effect.fail(nameTaken()) : Effect.die(e))))
        yield* categoryWrites
        return updated
      })

      const deactivateCategory = Effect.fn("Catalog.deactivateCategory")(function* (id: number) {
        yield* sql
          .withTransaction(
            Effect.gen(function* () {
              const rows = yield* sql`SELECT id FROM categories WHERE id = ${id} AND is_active FOR UPDATE`
              if (rows.length === 0) return yield* new NotFound({ error: "Category not found" })
              yield* ensureEmpty(id)
              yield* sql`UPDATE categories SET is_active = false, updated_at = now() WHERE id = ${id}`
            })
          )
          .pipe(Effect.catchTag("SqlError", Effect.die))
        yield* categoryWrites
      })

      // ------------------------------------------------------------ products

      const productById = (id: number, activeOnly: boolean) =>
        productRows(
          activeOnly
            ? sql`SELECT ${columns} FROM products p WHERE p.id = ${id} AND p.is_active`
            : sql`SELECT ${columns} FROM products p WHERE p.id = ${id}`
        ).pipe(Effect.map((rows) => rows[0]))

      const getProduct = Effect.fn("Catalog.getProduct")(function* (id: number) {
        return yield* cache.get({
          cache: "product",
          key: `cache:product:${id}`,
          versions: [CATALOG_VERSION_KEYS.product(id)],
          schema: Product,
          load: Effect.flatMap(Effect.orDie(productById(id, true)), (product) =>
            product === undefined ? Effect.fail(new NotFound({ error: "Product not found" })) : Effect.succeed(product)
          )
        })
      })

      const cachedListing = (query: ProductListQuery) =>
        cache.peek({
          cache: "product_list",
          key: listingKey(normalizeListQuery(query)),
          versions: [CATALOG_VERSION_KEYS.listing],
          maxAge: LISTING_MAX_AGE
        })

      const cachedProduct = (id: number) =>
        cache.peek({ cache: "product", key: `cache:product:${id}`, versions: [CATALOG_VERSION_KEYS.product(id)] })

      /** The category and all its descendants; empty when it does not exist or is inactive. */
      const categoryWithDescendants = (id: number) =>
        Effect.orDie(
          sql<{ id: number }>`
          WITH RECURSIVE tree(id) AS (
            SELECT id FROM categories WHERE id = ${id} AND is_active
            UNION
            SELECT c.id FROM categories c JOIN tree t ON c.parent_id = t.id
          )
          SELECT id FROM tree`
        ).pipe(Effect.map((rows) => rows.map((r) => r.id)))

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
            categoryIds = yield* categoryWithDescendants(params.categoryId)
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

      const listingKey = (params: ListParams) =>
        `cache:products:${createHash("sha1").update(JSON.stringify(params)).digest("base64url")}`

      const listProducts = Effect.fn("Catalog.listProducts")(function* (query: ProductListQuery) {
        const params = normalizeListQuery(query)
        return yield* cache.get({
          cache: "product_list",
          key: listingKey(params),
          versions: [CATALOG_VERSION_KEYS.listing],
          maxAge: LISTING_MAX_AGE,
          schema: ProductPage,
          load: loadPage(params)
        })
      })

      const productsChanged = (ids: ReadonlyArray<number>) =>
        cache.bump([CATALOG_VERSION_KEYS.listing, ...ids.map(CATALOG_VERSION_KEYS.product)])
      const stockChanged = (ids: ReadonlyArray<number>) => cache.bump(ids.map(CATALOG_VERSION_KEYS.product))

      const skuTaken = () => new Conflict({ error: "A product with this SKU already exists" })
      const onWriteError = (e: SqlError.SqlError) => (isUnique(e) ? Effect.fail(skuTaken()) : Effect.die(e))

      /** The category must exist and be active; FOR SHARE holds off its deactivation until we commit. */
      const lockCategory = (categoryId: number) =>
        Effect.gen(function* () {
          const rows = yield* sql`SELECT id FROM categories WHERE id = ${categoryId} AND is_active FOR SHARE`
          if (rows.length === 0) return yield* new NotFound({ error: "Category not found" })
        })

      const createProduct = Effect.fn("Catalog.createProduct")(function* (input: CreateProduct) {
        const product = yield* sql
          .withTransaction(
            Effect.gen(function* () {
              yield* lockCategory(input.category_id)
              const [row] = yield* sql<{ id: number }>`
                INSERT INTO products (name, description, price, discount_percentage, category_id, brand,
                                      stock_quantity, sku, image_url)
                VALUES (${input.name}, ${input.description ?? null}, ${money(input.price)}::numeric,
                        ${money(input.discount_percentage ?? 0)}::numeric, ${input.category_id}, ${input.brand ?? null},
                        ${input.stock_quantity ?? 0}, ${input.sku}, ${input.image_url ?? null})
                RETURNING id`
              return (yield* productById(row!.id, false))!
            })
          )
          .pipe(Effect.catchTag("SqlError", onWriteError))
        yield* productsChanged([product.id])
        return product
      })

      const updateProduct = Effect.fn("Catalog.updateProduct")(function* (id: number, input: UpdateProduct) {
        const product = yield* sql
          .withTransaction(
            Effect.gen(function* () {
              if (input.category_id !== undefined) yield* lockCategory(input.category_id)
              const changes: Record<string, unknown> = {}
              for (const field of [
                "name",
                "description",
                "category_id",
                "brand",
                "stock_quantity",
                "sku",
                "image_url",
                "is_active"
              ] as const)
                if (input[field] !== undefined) changes[field] = input[field]
              if (input.price !== undefined) changes.price = money(input.price)
              if (input.discount_percentage !== undefined)
                changes.discount_percentage = money(input.discount_percentage)
              const set =
                Object.keys(changes).length > 0
                  ? sql`${sql.update(changes)}, updated_at = now()`
                  : sql`updated_at = now()`
              const rows = yield* sql`UPDATE products SET ${set} WHERE id = ${id} RETURNING id`
              if (rows.length === 0) return yield* new NotFound({ error: "Product not found" })
              return (yield* productById(id, false))!
            })
          )
          .pipe(Effect.catchTag("SqlError", onWriteError))
        yield* productsChanged([id])
        return product
      })

      const deleteProduct = Effect.fn("Catalog.deleteProduct")(function* (id: number) {
        const rows = yield* Effect.orDie(
          sql`UPDATE products SET is_active = false, updated_at = now() WHERE id = ${id} AND is_active RETURNING id`
        )
        if (rows.length === 0) return yield* new NotFound({ error: "Product not found" })
        yield* productsChanged([id])
      })

      return Catalog.of({
        listCategories,
        getCategory,
        createCategory,
        updateCategory,
        deactivateCategory,
        listProducts,
        getProduct,
        cachedProduct,
        cachedListing,
        createProduct,
        updateProduct,
        deleteProduct,
        invalidateProducts: productsChanged,
        stockChanged
      })
    })
  )
}
