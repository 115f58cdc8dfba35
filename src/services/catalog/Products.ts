import { Effect, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { type CreateProduct, Product, type UpdateProduct } from "../../domain/catalog.ts"
import { Conflict, NotFound } from "../../domain/errors.ts"
import { ReadSql } from "../../infra/ReadReplica.ts"
import type { ReadCache } from "../ReadCache.ts"
import { CATALOG_VERSION_KEYS, catalogInvalidation, catalogKeys } from "./CatalogCache.ts"
import { isoTimestamp, sentFields, updateSet } from "../sqlFragments.ts"
import { dieOnSqlError, refuseUniqueViolation } from "../sqlErrors.ts"

/** The `product` object of API.md from `products p`, for every query that returns products. */
export const PRODUCT_COLUMNS = `p.id, p.name, p.description, p.price::float8 AS price,
  p.discount_percentage::float8 AS discount_percentage, p.final_price::float8 AS final_price,
  p.category_id, p.brand, p.stock_quantity, p.sku, p.image_url, p.is_active, p.rating::float8 AS rating,
  p.review_count, ${isoTimestamp("p.created_at")} AS created_at`

const decodeProducts = Schema.decodeUnknownEffect(Schema.Array(Product))

/** Rows selected with PRODUCT_COLUMNS as products; SqlError stays in the error channel for writes to map. */
export const productRows = <E>(statement: Effect.Effect<ReadonlyArray<unknown>, E>) =>
  Effect.flatMap(statement, (rows) => Effect.orDie(decodeProducts(rows)))

const money = (n: number) => n.toFixed(2)

/** Single products: the cached detail and the admin writes. */
export const makeProducts = (cache: ReadCache) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // Reads; inside the writes' transactions it runs on the transaction's (primary) connection.
    const read = yield* ReadSql
    const { productsChanged } = catalogInvalidation(cache)
    const columns = sql.literal(PRODUCT_COLUMNS)

    const productById = (id: number, activeOnly: boolean) =>
      productRows(
        activeOnly
          ? read`SELECT ${columns} FROM products p WHERE p.id = ${id} AND p.is_active`
          : read`SELECT ${columns} FROM products p WHERE p.id = ${id}`
      ).pipe(Effect.map((rows) => rows[0]))

    const getProduct = Effect.fn("Catalog.getProduct")(function* (id: number) {
      return yield* cache.get({
        cache: "product",
        key: catalogKeys.product(id),
        versions: [CATALOG_VERSION_KEYS.product(id)],
        schema: Product,
        load: Effect.flatMap(dieOnSqlError(productById(id, true)), (product) =>
          product === undefined ? Effect.fail(new NotFound({ error: "Product not found" })) : Effect.succeed(product)
        )
      })
    })

    const cachedProduct = (id: number) =>
      cache.peek({ cache: "product", key: catalogKeys.product(id), versions: [CATALOG_VERSION_KEYS.product(id)] })

    const skuTaken = () => new Conflict({ error: "A product with this SKU already exists" })

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
        .pipe(refuseUniqueViolation(skuTaken))
      yield* productsChanged([product.id])
      return product
    })

    const updateProduct = Effect.fn("Catalog.updateProduct")(function* (id: number, input: UpdateProduct) {
      const product = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            if (input.category_id !== undefined) yield* lockCategory(input.category_id)
            const changes = sentFields(input, [
              "name",
              "description",
              "category_id",
              "brand",
              "stock_quantity",
              "sku",
              "image_url",
              "is_active"
            ])
            if (input.price !== undefined) changes.price = money(input.price)
            if (input.discount_percentage !== undefined) changes.discount_percentage = money(input.discount_percentage)
            const rows = yield* sql`UPDATE products SET ${updateSet(sql, changes)} WHERE id = ${id} RETURNING id`
            if (rows.length === 0) return yield* new NotFound({ error: "Product not found" })
            return (yield* productById(id, false))!
          })
        )
        .pipe(refuseUniqueViolation(skuTaken))
      yield* productsChanged([id])
      return product
    })

    const deleteProduct = Effect.fn("Catalog.deleteProduct")(function* (id: number) {
      const rows = yield* dieOnSqlError(
        sql`UPDATE products SET is_active = false, updated_at = now() WHERE id = ${id} AND is_active RETURNING id`
      )
      if (rows.length === 0) return yield* new NotFound({ error: "Product not found" })
      yield* productsChanged([id])
    })

    return { getProduct, cachedProduct, createProduct, updateProduct, deleteProduct }
  })
