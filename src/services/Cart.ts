import { Context, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Product } from "../domain/catalog.ts"
import { InsufficientStock, NotFound } from "../domain/errors.ts"
import type { AddToCart, Cart as CartView, CartItem } from "../domain/cart.ts"
import { PRODUCT_COLUMNS } from "./Catalog.ts"
import { dieOnSqlError } from "./sqlErrors.ts"

interface CartRow {
  readonly id: string
  readonly quantity: number
  readonly subtotal: number
  readonly product: unknown
}

const decodeProduct = Schema.decodeUnknownSync(Product)

const toItem = (row: CartRow): CartItem => {
  const product = decodeProduct(row.product)
  return {
    id: Number(row.id),
    product,
    quantity: row.quantity,
    subtotal: row.subtotal,
    available: product.is_active
  }
}

/**
 * A user's cart: one line per product (enforced by a unique key), quantities
 * checked against stock when added or changed. Lines whose product has been
 * deactivated stay visible, marked unavailable, and count in no total.
 */
export class Cart extends Context.Service<
  Cart,
  {
    readonly get: (userId: number) => Effect.Effect<CartView>
    readonly add: (userId: number, input: AddToCart) => Effect.Effect<CartItem, NotFound | InsufficientStock>
    readonly update: (
      userId: number,
      itemId: number,
      quantity: number
    ) => Effect.Effect<CartItem, NotFound | InsufficientStock>
    readonly remove: (userId: number, itemId: number) => Effect.Effect<void, NotFound>
    readonly clear: (userId: number) => Effect.Effect<void>
  }
>()("shop/services/Cart") {
  static readonly layerNoDeps = Layer.effect(
    Cart,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const columns = sql.literal(PRODUCT_COLUMNS)

      const lines = (userId: number, itemId?: number) =>
        sql<CartRow>`
          SELECT c.id::text AS id, c.quantity, (p.final_price * c.quantity)::float8 AS subtotal,
                 (SELECT to_jsonb(x) FROM (SELECT ${columns}) x) AS product
          FROM cart_items c JOIN products p ON p.id = c.product_id
          WHERE c.user_id = ${userId} ${itemId === undefined ? sql`` : sql`AND c.id = ${itemId}`}
          ORDER BY c.created_at, c.id`.pipe(
          dieOnSqlError,
          Effect.map((rows) => rows.map(toItem))
        )

      const line = (userId: number, itemId: number) =>
        Effect.flatMap(lines(userId, itemId), ([item]) =>
          item === undefined ? Effect.fail(new NotFound({ error: "Cart item not found" })) : Effect.succeed(item)
        )

      /** Why a write that matched no row did not happen: a missing product, or too little stock. */
      const explain = (productId: number, wanted: number) =>
        Effect.gen(function* () {
          const [product] = yield* sql<{ name: string; stock_quantity: number; is_active: boolean }>`
            SELECT name, stock_quantity, is_active FROM products WHERE id = ${productId}`.pipe(dieOnSqlError)
          if (product === undefined || !product.is_active) return yield* new NotFound({ error: "Product not found" })
          return yield* new InsufficientStock({
            error: `Insufficient stock for ${product.name}: ${product.stock_quantity} available, ${wanted} requested`,
            details: [{ field: "quantity", message: `at most ${product.stock_quantity} available` }]
          })
        })

      const get = Effect.fn("Cart.get")(function* (userId: number) {
        const items = yield* lines(userId)
        const available = items.filter((i) => i.available)
        const totalPaise = available.reduce((sum, i) => sum + Math.round(i.subtotal * 100), 0)
        return {
          items,
          total: totalPaise / 100,
          item_count: items.length,
          quantity_count: items.reduce((sum, i) => sum + i.quantity, 0)
        }
      })

      // One statement: insert the line or add to it, only while the product is
      // active and the merged quantity fits the stock and the per-line cap; it returns the line as shown.
      const add = Effect.fn("Cart.add")(function* (userId: number, input: AddToCart) {
        const quantity = input.quantity ?? 1
        const rows = yield* sql<CartRow>`
          WITH line AS (
            INSERT INTO cart_items (user_id, product_id, quantity)
            SELECT ${userId}, p.id, ${quantity} FROM products p
            WHERE p.id = ${input.product_id} AND p.is_active AND p.stock_quantity >= ${quantity}
            ON CONFLICT (user_id, product_id) DO UPDATE
              SET quantity = cart_items.quantity + EXCLUDED.quantity, updated_at = now()
              WHERE cart_items.quantity + EXCLUDED.quantity <= LEAST(10000,
                (SELECT stock_quantity FROM products WHERE id = EXCLUDED.product_id))
            RETURNING id, product_id, quantity
          )
          SELECT c.id::text AS id, c.quantity, (p.final_price * c.quantity)::float8 AS subtotal,
                 (SELECT to_jsonb(x) FROM (SELECT ${columns}) x) AS product
          FROM line c JOIN products p ON p.id = c.product_id`.pipe(dieOnSqlError)
        if (rows.length === 0) {
          const [existing] = yield* sql<{ quantity: number }>`
            SELECT quantity FROM cart_items WHERE user_id = ${userId} AND product_id = ${input.product_id}`.pipe(
            dieOnSqlError
          )
          return yield* explain(input.product_id, quantity + (existing?.quantity ?? 0))
        }
        return toItem(rows[0]!)
      })

      const update = Effect.fn("Cart.update")(function* (userId: number, itemId: number, quantity: number) {
        const rows = yield* sql<{ id: string }>`
          UPDATE cart_items c SET quantity = ${quantity}, updated_at = now()
          FROM products p
          WHERE c.id = ${itemId} AND c.user_id = ${userId} AND p.id = c.product_id
            AND p.is_active AND p.stock_quantity >= ${quantity}
          RETURNING c.id::text AS id`.pipe(dieOnSqlError)
        if (rows.length === 0) {
          const [item] = yield* sql<{ product_id: number }>`
            SELECT product_id FROM cart_items WHERE id = ${itemId} AND user_id = ${userId}`.pipe(dieOnSqlError)
          if (item === undefined) return yield* new NotFound({ error: "Cart item not found" })
          return yield* explain(item.product_id, quantity)
        }
        return yield* line(userId, itemId)
      })

      const remove = Effect.fn("Cart.remove")(function* (userId: number, itemId: number) {
        const rows = yield* sql`DELETE FROM cart_items WHERE id = ${itemId} AND user_id = ${userId} RETURNING id`.pipe(
          dieOnSqlError
        )
        if (rows.length === 0) return yield* new NotFound({ error: "Cart item not found" })
      })

      const clear = Effect.fn("Cart.clear")(function* (userId: number) {
        yield* sql`DELETE FROM cart_items WHERE user_id = ${userId}`.pipe(dieOnSqlError)
      })

      return Cart.of({ get, add, update, remove, clear })
    })
  )
  /** Cart needs no other service: the same layer (SqlClient and AppConfig come from the infrastructure). */
  static readonly layer = Cart.layerNoDeps
}
