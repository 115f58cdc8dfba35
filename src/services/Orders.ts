import { createHash, randomBytes } from "node:crypto"
import { Context, Duration, Effect, Layer, Metric, Option, Schedule, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { Product } from "../domain/catalog.ts"
import {
  BadRequest,
  CartEmpty,
  IdempotencyInFlight,
  IdempotencyMismatch,
  InsufficientStock,
  InvalidTransition,
  NotFound,
  OrderNotCancellable,
  ValidationError
} from "../domain/errors.ts"
import {
  type AdminStatusUpdate,
  fromPaise,
  makeOrderNumber,
  type Order,
  type OrderPage,
  OrderResponse,
  type PlaceOrder,
  shippingAddressText,
  toPaise,
  type Tracking
} from "../domain/order.ts"
import {
  isCancellable,
  type OrderStatus,
  type PaymentStatus,
  type StatusChange,
  transition
} from "../domain/orderStatus.ts"
import { paginationOf } from "../domain/pagination.ts"
import { AppConfig } from "../infra/AppConfig.ts"
import { idempotencyKeysPurged, ordersCancelled, ordersPlaced, orderValue, stockOuts } from "../infra/Metrics.ts"
import { Catalog, PRODUCT_COLUMNS } from "./Catalog.ts"
import { isoTimestamp } from "./sqlFragments.ts"
import { dieOnSqlError } from "./sqlErrors.ts"

/** A placed order; `replayed` when an earlier request with the same Idempotency-Key placed it. */
export interface PlacedOrder {
  readonly order: Order
  readonly replayed: boolean
}

/** Whose orders a statement may see: one customer's own, or every customer's (admin only). */
type OrderScope = { readonly _tag: "Customer"; readonly userId: number } | { readonly _tag: "AllCustomers" }
const customer = (userId: number): OrderScope => ({ _tag: "Customer", userId })
const allCustomers: OrderScope = { _tag: "AllCustomers" }

export interface PlaceOrderRequest {
  readonly userId: number
  readonly input: PlaceOrder
  readonly idempotencyKey: Option.Option<string>
}

export type PlaceOrderError =
  BadRequest | ValidationError | CartEmpty | InsufficientStock | IdempotencyInFlight | IdempotencyMismatch

interface OrderRow {
  readonly id: string
  readonly order_number: string
  readonly status: OrderStatus
  readonly payment_status: PaymentStatus
  readonly payment_method: Order["payment_method"]
  readonly total_amount: number
  readonly shipping_address: string
  readonly tracking_number: string | null
  readonly created_at: string
}

interface ItemRow {
  readonly id: string
  readonly order_id: string
  readonly product_id: number
  readonly quantity: number
  readonly price: number
  readonly subtotal: number
}

const decodeProducts = Schema.decodeUnknownSync(Schema.Array(Product))

const PURGE_BATCH = 5000

export const PLACED_MESSAGE = "Order placed successfully"

/** The first response to a keyed checkout, stored as its JSON so a replay answers the same order. */
const StoredResponse = Schema.fromJsonString(OrderResponse)
const encodeStoredResponse = Schema.encodeSync(StoredResponse)
const decodeStoredResponse = Schema.decodeUnknownSync(StoredResponse)

const ORDER_COLUMNS = `o.id::text AS id, o.order_number, o.status, o.payment_status, o.payment_method,
  o.total_amount::float8 AS total_amount, o.shipping_address, o.tracking_number,
  ${isoTimestamp("o.created_at")} AS created_at`

/**
 * Checkout and the order lifecycle. Placing an order is one transaction that
 * locks the cart's products in id order (no deadlocks), checks and decrements
 * their stock (no oversell), snapshots prices and the address, clears the cart
 * and records the first history entry, with the Idempotency-Key stored in the
 * same transaction.
 */
export class Orders extends Context.Service<
  Orders,
  {
    readonly place: (request: PlaceOrderRequest) => Effect.Effect<PlacedOrder, PlaceOrderError>
    /** One customer's orders, newest first. */
    readonly listForUser: (userId: number, page: number, perPage: number) => Effect.Effect<OrderPage>
    /** Every customer's orders (the admin list), newest first, optionally of one status. */
    readonly listAll: (page: number, perPage: number, status?: OrderStatus) => Effect.Effect<OrderPage>
    readonly get: (userId: number, orderId: number) => Effect.Effect<Order, NotFound>
    readonly cancel: (userId: number, orderId: number) => Effect.Effect<Order, NotFound | OrderNotCancellable>
    readonly tracking: (userId: number, orderId: number) => Effect.Effect<Tracking, NotFound>
    /** Any customer's order, for admins (GET /api/orders/all/{id}). */
    readonly adminGet: (orderId: number) => Effect.Effect<Order, NotFound>
    /** Any customer's order's status history, for admins (GET /api/orders/all/{id}/tracking). */
    readonly adminTracking: (orderId: number) => Effect.Effect<Tracking, NotFound>
    readonly adminUpdate: (
      orderId: number,
      input: AdminStatusUpdate
    ) => Effect.Effect<Order, NotFound | InvalidTransition | ValidationError>
    /** Deletes expired Idempotency-Key records; the layer runs it hourly. Returns how many went. */
    readonly purgeExpiredKeys: Effect.Effect<number>
  }
>()("shop/services/Orders") {
  static readonly layerNoDeps = Layer.effect(
    Orders,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const config = yield* AppConfig
      const catalog = yield* Catalog
      const productColumns = sql.literal(PRODUCT_COLUMNS)
      const orderColumns = sql.literal(ORDER_COLUMNS)
      const historyAt = sql.literal(isoTimestamp("created_at"))
      const keyTtlMs = Duration.toMillis(config.idempotencyKeyTtl)

      /** Orders with their items and current products: three queries, whatever the page holds. */
      const hydrate = (rows: ReadonlyArray<OrderRow>) =>
        Effect.gen(function* () {
          if (rows.length === 0) return [] as Array<Order>
          const ids = rows.map((r) => r.id)
          const items = yield* sql<ItemRow>`
            SELECT id::text AS id, order_id::text AS order_id, product_id, quantity,
                   price::float8 AS price, subtotal::float8 AS subtotal
            FROM order_items WHERE order_id = ANY(${ids}::bigint[]) ORDER BY id`
          const productIds = [...new Set(items.map((i) => i.product_id))]
          const products = new Map(
            decodeProducts(
              yield* sql`SELECT ${productColumns} FROM products p WHERE p.id = ANY(${productIds}::int[])`
            ).map((p) => [p.id, p])
          )
          return rows.map((row): Order => ({
            ...row,
            id: Number(row.id),
            items: items
              .filter((i) => i.order_id === row.id)
              .map((i) => ({
                id: Number(i.id),
                product: products.get(i.product_id)!,
                quantity: i.quantity,
                price: i.price,
                subtotal: i.subtotal
              }))
          }))
        })

      /** `AND <column> = <the customer>` for a customer's scope; nothing for an admin's. */
      const ownedBy = (scope: OrderScope, column: string) =>
        scope._tag === "Customer" ? sql`AND ${sql.literal(column)} = ${scope.userId}` : sql``

      const loadOrder = (orderId: number, scope: OrderScope) =>
        Effect.gen(function* () {
          const rows = yield* sql<OrderRow>`
            SELECT ${orderColumns} FROM orders o WHERE o.id = ${orderId} ${ownedBy(scope, "o.user_id")}`
          const [order] = yield* hydrate(rows)
          return order === undefined ? yield* new NotFound({ error: "Order not found" }) : order
        })

      // ---------------------------------------------------------------- place

      const insufficient = (name: string, available: number, wanted: number, productId: number) =>
        new InsufficientStock({
          error: `Insufficient stock for ${name}: ${available} available, ${wanted} in cart`,
          details: [{ field: `product_id:${productId}`, message: `${available} available` }]
        })

      const placeInTransaction = (request: PlaceOrderRequest, requestHash: string) =>
        Effect.gen(function* () {
          const { userId, input } = request
          if (Option.isSome(request.idempotencyKey)) {
            const key = request.idempotencyKey.value
            // Held until commit: a concurrent retry of the same key sees it taken and gets 409.
            const [lock] = yield* sql<{ locked: boolean }>`
              SELECT pg_try_advisory_xact_lock(hashtextextended(${`${userId}:${key}`}, 0)) AS locked`
            if (!lock!.locked) {
              return yield* new IdempotencyInFlight({
                error: "A request with this Idempotency-Key is still in progress"
              })
            }
            const [stored] = yield* sql<{ request_hash: string; response_body: string }>`
              SELECT request_hash, response_body FROM idempotency_keys
              WHERE user_id = ${userId} AND key = ${key} AND expires_at > now()`
            if (stored !== undefined) {
              if (stored.request_hash !== requestHash) {
                return yield* new IdempotencyMismatch({
                  error: "This Idempotency-Key was used with a different request body"
                })
              }
              const { order } = decodeStoredResponse(stored.response_body)
              return { order, replayed: true, placed: undefined }
            }
            yield* sql`DELETE FROM idempotency_keys WHERE user_id = ${userId} AND key = ${key}`
          }

          // The cart's products, locked in id order (two checkouts can never wait on each other in a cycle),
          // with the shipping address read in the same round trip.
          const lines = yield* sql<{
            product_id: number
            quantity: number
            name: string
            is_active: boolean
            stock_quantity: number
            final_price: string
            street: string | null
            city: string
            state: string
            pincode: string
            country: string
          }>`
            SELECT c.product_id, c.quantity, p.name, p.is_active, p.stock_quantity, p.final_price::text AS final_price,
                   a.street, a.city, a.state, a.pincode, a.country
            FROM cart_items c JOIN products p ON p.id = c.product_id
            LEFT JOIN addresses a ON a.id = ${input.address_id} AND a.user_id = ${userId}
            WHERE c.user_id = ${userId} ORDER BY p.id FOR UPDATE OF c, p`
          if (lines.length === 0) return yield* new CartEmpty({ error: "Your cart is empty" })
          const address = lines[0]!
          if (address.street === null) return yield* ValidationError.field("address_id", "Address not found")

          // Every line is checked before anything changes.
          for (const line of lines) {
            if (!line.is_active) {
              return yield* new BadRequest({
                error: `${line.name} is no longer available: remove it from your cart`,
                details: [{ field: `product_id:${line.product_id}`, message: "product unavailable" }]
              })
            }
            if (line.stock_quantity < line.quantity) {
              yield* Metric.update(stockOuts, 1)
              return yield* insufficient(line.name, line.stock_quantity, line.quantity, line.product_id)
            }
          }
          const productIds = lines.map((l) => l.product_id)
          const quantities = lines.map((l) => l.quantity)
          // Exact money: unit prices and subtotals in integer paise.
          const unitPaise = lines.map((l) => toPaise(l.final_price))
          const subtotalPaise = unitPaise.map((p, i) => p * quantities[i]!)
          const totalPaise = subtotalPaise.reduce((sum, p) => sum + p, 0)

          // The products as they are after the decrement: the response shows them.
          const products = decodeProducts(
            yield* sql`
              UPDATE products p SET stock_quantity = p.stock_quantity - v.quantity, updated_at = now()
              FROM unnest(${productIds}::int[], ${quantities}::int[]) AS v(id, quantity)
              WHERE p.id = v.id
              RETURNING ${productColumns}`
          )
          const productById = new Map(products.map((p) => [p.id, p]))

          // Order, items, first history entry and the ordered lines taken out of the cart, in one statement.
          const orderNumber = makeOrderNumber(new Date(), randomBytes(4))
          const [created] = yield* sql<OrderRow & { item_ids: Array<string> }>`
            WITH o AS (
              INSERT INTO orders (order_number, user_id, payment_method, total_amount, shipping_address)
              VALUES (${orderNumber}, ${userId}, ${input.payment_method ?? "COD"}, ${fromPaise(totalPaise)}::numeric,
                      ${shippingAddressText({ ...address, street: address.street })})
              RETURNING *
            ), items AS (
              INSERT INTO order_items (order_id, product_id, quantity, price, subtotal)
              SELECT o.id, v.* FROM o, unnest(
                ${productIds}::int[], ${quantities}::int[],
                ${unitPaise.map(fromPaise)}::numeric[], ${subtotalPaise.map(fromPaise)}::numeric[]) AS v
              RETURNING id, product_id
            ), history AS (
              INSERT INTO order_status_history (order_id, status, payment_status, note)
              SELECT id, 'pending', 'pending', 'Order placed' FROM o
            ), emptied AS (
              DELETE FROM cart_items WHERE user_id = ${userId} AND product_id = ANY(${productIds}::int[])
            )
            SELECT ${orderColumns},
              (SELECT array_agg(id::text ORDER BY product_id) FROM items) AS item_ids
            FROM o`
          const { item_ids, ...orderRow } = created!
          const placed: Order = {
            ...orderRow,
            id: Number(orderRow.id),
            items: productIds.map((productId, i) => ({
              id: Number(item_ids[i]),
              product: productById.get(productId)!,
              quantity: quantities[i]!,
              price: unitPaise[i]! / 100,
              subtotal: subtotalPaise[i]! / 100
            }))
          }
          if (Option.isSome(request.idempotencyKey)) {
            const body = encodeStoredResponse({ message: PLACED_MESSAGE, order: placed })
            yield* sql`
              INSERT INTO idempotency_keys (user_id, key, request_hash, status_code, response_body, order_id, expires_at)
              VALUES (${userId}, ${request.idempotencyKey.value}, ${requestHash}, 201, ${body}, ${placed.id},
                      now() + ${`${keyTtlMs} milliseconds`}::interval)`
          }
          return { order: placed, replayed: false, placed: { productIds, totalPaise } }
        })

      const place = Effect.fn("Orders.place")(function* (request: PlaceOrderRequest) {
        const requestHash = createHash("sha256")
          .update(JSON.stringify([request.input.address_id, request.input.payment_method ?? "COD"]))
          .digest("hex")
        const result = yield* sql.withTransaction(placeInTransaction(request, requestHash)).pipe(dieOnSqlError)
        if (result.placed !== undefined) {
          yield* catalog.stockChanged(result.placed.productIds)
          yield* Metric.update(ordersPlaced, 1)
          yield* Metric.update(orderValue, result.placed.totalPaise / 100)
        }
        return { order: result.order, replayed: result.replayed }
      })

      // ---------------------------------------------------------------- read

      const listWhere = (scope: OrderScope, status: OrderStatus | undefined, page: number, perPage: number) =>
        Effect.gen(function* () {
          const where = [
            ...(scope._tag === "Customer" ? [sql`o.user_id = ${scope.userId}`] : []),
            ...(status === undefined ? [] : [sql`o.status = ${status}`])
          ]
          const filter = where.length === 0 ? sql`` : sql`WHERE ${sql.and(where)}`
          const [count] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM orders o ${filter}`
          const rows = yield* sql<OrderRow>`
            SELECT ${orderColumns} FROM orders o ${filter}
            ORDER BY o.created_at DESC, o.id DESC LIMIT ${perPage} OFFSET ${(page - 1) * perPage}`
          return { orders: yield* hydrate(rows), pagination: paginationOf(page, perPage, count!.n) }
        }).pipe(dieOnSqlError)

      const listForUser = (userId: number, page: number, perPage: number) =>
        listWhere(customer(userId), undefined, page, perPage).pipe(Effect.withSpan("Orders.listForUser"))

      const listAll = (page: number, perPage: number, status?: OrderStatus) =>
        listWhere(allCustomers, status, page, perPage).pipe(Effect.withSpan("Orders.listAll"))

      const get = Effect.fn("Orders.get")(function* (userId: number, orderId: number) {
        return yield* loadOrder(orderId, customer(userId))
      }, dieOnSqlError)

      const trackingIn = (orderId: number, scope: OrderScope) =>
        Effect.gen(function* () {
          const [order] = yield* sql<{
            id: string
            order_number: string
            status: OrderStatus
            tracking_number: string | null
          }>`
          SELECT id::text AS id, order_number, status, tracking_number FROM orders
          WHERE id = ${orderId} ${ownedBy(scope, "user_id")}`
          if (order === undefined) return yield* new NotFound({ error: "Order not found" })
          const history = yield* sql<{ status: OrderStatus; at: string; note: string | null }>`
          SELECT status, ${historyAt} AS at, note
          FROM order_status_history WHERE order_id = ${order.id}::bigint ORDER BY id`
          return {
            order_number: order.order_number,
            status: order.status,
            tracking_number: order.tracking_number,
            history
          }
        })

      const tracking = Effect.fn("Orders.tracking")(function* (userId: number, orderId: number) {
        return yield* trackingIn(orderId, customer(userId))
      }, dieOnSqlError)

      const adminGet = Effect.fn("Orders.adminGet")(function* (orderId: number) {
        return yield* loadOrder(orderId, allCustomers)
      }, dieOnSqlError)

      const adminTracking = Effect.fn("Orders.adminTracking")(function* (orderId: number) {
        return yield* trackingIn(orderId, allCustomers)
      }, dieOnSqlError)

      // ---------------------------------------------------------------- changes

      /**
       * Applies a change under the order's row lock, so concurrent changes are
       * serialised and a cancellation restores stock exactly once. With a
       * `userId` it is the customer's cancel: only of their own, cancellable order.
       */
      const change = (
        orderId: number,
        scope: OrderScope,
        requested: StatusChange & { readonly trackingNumber?: string | undefined },
        note: string
      ) =>
        sql.withTransaction(
          Effect.gen(function* () {
            const [current] = yield* sql<{ status: OrderStatus; payment_status: PaymentStatus }>`
              SELECT status, payment_status FROM orders
              WHERE id = ${orderId} ${ownedBy(scope, "user_id")} FOR UPDATE`
            if (current === undefined) return yield* new NotFound({ error: "Order not found" })
            if (scope._tag === "Customer" && !isCancellable(current.status)) {
              return { rejected: `Order is ${current.status}`, restored: [] as Array<number> }
            }
            const result = transition({ status: current.status, paymentStatus: current.payment_status }, requested)
            if (result._tag === "Rejected") return { rejected: result.reason, restored: [] as Array<number> }
            const { status, paymentStatus } = result.state
            const changed = status !== current.status || paymentStatus !== current.payment_status
            yield* sql`
              UPDATE orders SET status = ${status}, payment_status = ${paymentStatus},
                tracking_number = COALESCE(${requested.trackingNumber ?? null}, tracking_number), updated_at = now()
              WHERE id = ${orderId}`
            if (changed) {
              yield* sql`
                INSERT INTO order_status_history (order_id, status, payment_status, note)
                VALUES (${orderId}, ${status}, ${paymentStatus}, ${note})`
            }
            const restored: Array<number> = []
            if (result.restoresStock) {
              const rows = yield* sql<{ id: number }>`
                UPDATE products p SET stock_quantity = p.stock_quantity + i.quantity, updated_at = now()
                FROM (SELECT product_id, sum(quantity)::int AS quantity FROM order_items
                      WHERE order_id = ${orderId} GROUP BY product_id ORDER BY product_id) i
                WHERE p.id = i.product_id RETURNING p.id`
              restored.push(...rows.map((r) => r.id))
            }
            return { rejected: undefined, restored }
          })
        )

      const afterChange = (orderId: number, restored: ReadonlyArray<number>) =>
        Effect.gen(function* () {
          if (restored.length > 0) {
            yield* catalog.stockChanged(restored)
            yield* Metric.update(ordersCancelled, 1)
          }
          return yield* loadOrder(orderId, allCustomers)
        })

      const cancel = Effect.fn("Orders.cancel")(function* (userId: number, orderId: number) {
        const { rejected, restored } = yield* change(
          orderId,
          customer(userId),
          { status: "cancelled" },
          "Cancelled by customer"
        )
        if (rejected !== undefined) {
          return yield* new OrderNotCancellable({ error: "Only pending or confirmed orders can be cancelled" })
        }
        return yield* afterChange(orderId, restored)
      }, dieOnSqlError)

      const adminUpdate = Effect.fn("Orders.adminUpdate")(function* (orderId: number, input: AdminStatusUpdate) {
        if (input.status === undefined && input.payment_status === undefined && input.tracking_number === undefined) {
          return yield* ValidationError.field("status", "give at least one of status, payment_status, tracking_number")
        }
        const { rejected, restored } = yield* change(
          orderId,
          allCustomers,
          { status: input.status, paymentStatus: input.payment_status, trackingNumber: input.tracking_number },
          "Updated by admin"
        )
        if (rejected !== undefined) return yield* new InvalidTransition({ error: rejected })
        return yield* afterChange(orderId, restored)
      }, dieOnSqlError)

      // Batches keep each DELETE short, so a large backlog never holds locks or bloats one transaction.
      const purgeBatch = sql<{ readonly deleted: number }>`
        WITH gone AS (
          DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
            SELECT ctid FROM idempotency_keys WHERE expires_at < now() LIMIT ${PURGE_BATCH}))
          RETURNING 1)
        SELECT count(*)::int AS deleted FROM gone`.pipe(Effect.map((rows) => rows[0]?.deleted ?? 0))
      const purgeExpiredKeys = Effect.gen(function* () {
        let total = 0
        for (;;) {
          const deleted = yield* purgeBatch
          total += deleted
          if (deleted < PURGE_BATCH) break
        }
        if (total > 0) yield* Metric.update(idempotencyKeysPurged, total)
        return total
      }).pipe(dieOnSqlError, Effect.withSpan("Orders.purgeExpiredKeys"))

      // An expired key no longer replays (the lookup checks expires_at), but its row keeps a whole response body.
      yield* purgeExpiredKeys.pipe(
        Effect.catchCause((cause) => Effect.logWarning("idempotency key clean-up failed", cause)),
        Effect.repeat(Schedule.spaced("1 hour")),
        Effect.forkScoped
      )

      return Orders.of({
        place,
        listForUser,
        listAll,
        get,
        cancel,
        tracking,
        adminGet,
        adminTracking,
        adminUpdate,
        purgeExpiredKeys
      })
    })
  )
  static readonly layer = Orders.layerNoDeps.pipe(Layer.provide(Catalog.layer))
}
