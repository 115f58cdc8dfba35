import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { makeAdmin, registerUser } from "./support/auth.ts"
import { addToCart, type Buyer, createBuyers, createProduct, placeOrder, stockOf } from "./support/shop.ts"
import { request, TestServer, TestServerLive } from "./support/TestServer.ts"

const Server = TestServerLive({ rateLimitEnabled: false })

const countOf = (table: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql(table)}`
    return row!.n
  }).pipe(Effect.orDie)

describe("cart", () => {
  layer(Server, { excludeTestServices: true })("cart", (it) => {
    it.effect("add merges into one line; totals count lines and units; update, remove, clear", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const [buyer] = yield* createBuyers(1)
        const phone = yield* createProduct({ stock: 10, price: 129900, discount: 10 })
        const book = yield* createProduct({ stock: 10, price: 399, discount: 10 })

        const first = yield* addToCart(url, buyer!.token, phone, 1)
        assert.strictEqual(first.status, 201)
        assert.strictEqual(first.body.item.quantity, 1)
        assert.strictEqual(first.body.item.product.final_price, 116910)
        const merged = yield* addToCart(url, buyer!.token, phone, 2)
        assert.strictEqual(merged.body.item.id, first.body.item.id)
        assert.strictEqual(merged.body.item.quantity, 3)
        const defaulted = yield* request(url, "/api/cart/add", {
          method: "POST",
          token: buyer!.token,
          json: { product_id: book }
        })
        assert.strictEqual(defaulted.body.item.quantity, 1)

        const cart = yield* request(url, "/api/cart/", { token: buyer!.token })
        assert.strictEqual(cart.status, 200)
        assert.strictEqual(cart.body.item_count, 2)
        assert.strictEqual(cart.body.quantity_count, 4)
        assert.strictEqual(cart.body.total, 116910 * 3 + 359.1)

        const updated = yield* request(url, `/api/cart/update/${first.body.item.id}`, {
          method: "PUT",
          token: buyer!.token,
          json: { quantity: 5 }
        })
        assert.strictEqual(updated.status, 200)
        assert.strictEqual(updated.body.item.subtotal, 116910 * 5)

        const removed = yield* request(url, `/api/cart/remove/${defaulted.body.item.id}`, {
          method: "DELETE",
          token: buyer!.token
        })
        assert.strictEqual(removed.status, 200)
        assert.strictEqual((yield* request(url, "/api/cart", { token: buyer!.token })).body.item_count, 1)
        assert.strictEqual(
          (yield* request(url, "/api/cart/clear", { method: "DELETE", token: buyer!.token })).status,
          200
        )
        assert.deepStrictEqual((yield* request(url, "/api/cart", { token: buyer!.token })).body, {
          items: [],
          total: 0,
          item_count: 0,
          quantity_count: 0
        })
      })
    )

    it.effect("bad quantities, missing products and short stock are 4xx and write nothing", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const [buyer] = yield* createBuyers(1)
        const product = yield* createProduct({ stock: 3 })
        for (const quantity of [0, -1, 1.5, "two", null]) {
          const res = yield* request(url, "/api/cart/add", {
            method: "POST",
            token: buyer!.token,
            json: { product_id: product, quantity }
          })
          assert.strictEqual(res.status, 400, `quantity ${quantity}`)
          assert.strictEqual(res.body.code, "VALIDATION_ERROR")
          assert.strictEqual(res.body.details[0].field, "quantity")
        }
        const short = yield* addToCart(url, buyer!.token, product, 4)
        assert.strictEqual(short.status, 400)
        assert.strictEqual(short.body.code, "INSUFFICIENT_STOCK")
        assert.strictEqual((yield* addToCart(url, buyer!.token, 999999, 1)).status, 404)
        assert.strictEqual((yield* addToCart(url, buyer!.token, product, 3)).status, 201)
        const over = yield* addToCart(url, buyer!.token, product, 1)
        assert.strictEqual(over.body.code, "INSUFFICIENT_STOCK")
        const cart = yield* request(url, "/api/cart", { token: buyer!.token })
        assert.strictEqual(cart.body.quantity_count, 3)
        const notJson = yield* request(url, "/api/cart/add", {
          method: "POST",
          token: buyer!.token,
          headers: { "content-type": "application/json" },
          body: "{not json"
        })
        assert.strictEqual(notJson.status, 400)
        assert.isString(notJson.body.code)
        const badId = yield* request(url, "/api/cart/update/abc", {
          method: "PUT",
          token: buyer!.token,
          json: { quantity: 1 }
        })
        assert.oneOf(badId.status, [400, 404])
        assert.isString(badId.body.code)
        assert.strictEqual((yield* request(url, "/api/cart")).status, 401)
      })
    )

    it.effect("another user's cart item is a 404; a deactivated product shows as unavailable and blocks checkout", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const sql = yield* SqlClient.SqlClient
        const [john, jane] = yield* createBuyers(2)
        const product = yield* createProduct({ stock: 5 })
        const added = yield* addToCart(url, john!.token, product, 1)
        const itemId = added.body.item.id
        for (const [method, path] of [
          ["PUT", `/api/cart/update/${itemId}`],
          ["DELETE", `/api/cart/remove/${itemId}`]
        ] as const) {
          const res = yield* request(url, path, { method, token: jane!.token, json: { quantity: 2 } })
          assert.strictEqual(res.status, 404)
        }
        assert.strictEqual((yield* request(url, "/api/cart", { token: john!.token })).body.items[0].quantity, 1)

        yield* sql`UPDATE products SET is_active = false WHERE id = ${product}`
        const cart = yield* request(url, "/api/cart", { token: john!.token })
        assert.isFalse(cart.body.items[0].available)
        assert.strictEqual(cart.body.total, 0)
        const order = yield* placeOrder(url, john!)
        assert.strictEqual(order.status, 400)
        assert.strictEqual(yield* countOf("orders"), 0)
      })
    )
  })
})

describe("orders", () => {
  layer(Server, { excludeTestServices: true })("placing and reading", (it) => {
    it.effect("an order snapshots prices and the address, clears the cart, decrements stock, starts its history", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const sql = yield* SqlClient.SqlClient
        const [buyer] = yield* createBuyers(1)
        const a = yield* createProduct({ stock: 10, price: 2999, discount: 30 })
        const b = yield* createProduct({ stock: 5, price: 399, discount: 10 })
        yield* addToCart(url, buyer!.token, b, 2)
        yield* addToCart(url, buyer!.token, a, 1)

        const res = yield* placeOrder(url, buyer!)
        assert.strictEqual(res.status, 201)
        const order = res.body.order
        assert.match(order.order_number, /^ORD-\d{14}-[0-9A-F]{8}$/)
        assert.strictEqual(order.status, "pending")
        assert.strictEqual(order.payment_status, "pending")
        assert.strictEqual(order.payment_method, "UPI")
        assert.strictEqual(order.total_amount, 2099.3 + 2 * 359.1)
        assert.strictEqual(order.shipping_address, "1 Test Street, Mumbai, Maharashtra - 400001, India")
        assert.isNull(order.tracking_number)
        assert.match(order.created_at, /Z$/)
        assert.sameMembers(
          order.items.map((i: any) => [i.product.id, i.quantity, i.price, i.subtotal].join()),
          [`${a},1,2099.3,2099.3`, `${b},2,359.1,718.2`]
        )
        assert.strictEqual(yield* stockOf(a), 9)
        assert.strictEqual(yield* stockOf(b), 3)
        assert.strictEqual((yield* request(url, "/api/cart", { token: buyer!.token })).body.item_count, 0)

        // later price edits do not change past orders
        yield* sql`UPDATE products SET price = 9999 WHERE id = ${a}`
        const again = yield* request(url, `/api/orders/${order.id}`, { token: buyer!.token })
        assert.strictEqual(again.body.total_amount, order.total_amount)
        assert.strictEqual(again.body.items.find((i: any) => i.product.id === a).price, 2099.3)

        const tracking = yield* request(url, `/api/orders/${order.id}/tracking`, { token: buyer!.token })
        assert.strictEqual(tracking.status, 200)
        assert.strictEqual(tracking.body.order_number, order.order_number)
        assert.deepStrictEqual(
          tracking.body.history.map((h: any) => [h.status, h.note]),
          [["pending", "Order placed"]]
        )
      })
    )

    it.effect("empty cart, bad address, another user's address, unknown payment method: 400, nothing written", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const [buyer, other] = yield* createBuyers(2)
        const before = yield* countOf("orders")
        const empty = yield* placeOrder(url, buyer!)
        assert.strictEqual(empty.status, 400)
        assert.strictEqual(empty.body.code, "CART_EMPTY")
        const product = yield* createProduct({ stock: 5 })
        yield* addToCart(url, buyer!.token, product, 1)
        for (const json of [
          { address_id: other!.addressId },
          { address_id: 999999 },
          {},
          { address_id: buyer!.addressId, payment_method: "BITCOIN" }
        ]) {
          const res = yield* request(url, "/api/orders", { method: "POST", token: buyer!.token, json })
          assert.strictEqual(res.status, 400, JSON.stringify(json))
          assert.isString(res.body.code)
        }
        assert.strictEqual(yield* countOf("orders"), before)
        assert.strictEqual(yield* stockOf(product), 5)
      })
    )

    it.effect("history is newest first and paginated; another user's order is a 404", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const [buyer, other] = yield* createBuyers(2)
        const product = yield* createProduct({ stock: 50 })
        const numbers = []
        for (let i = 0; i < 3; i++) {
          yield* addToCart(url, buyer!.token, product, 1)
          numbers.push((yield* placeOrder(url, buyer!)).body.order.order_number)
        }
        const page1 = yield* request(url, "/api/orders?page=1&per_page=2", { token: buyer!.token })
        assert.deepStrictEqual(
          page1.body.orders.map((o: any) => o.order_number),
          [numbers[2], numbers[1]]
        )
        assert.deepStrictEqual(page1.body.pagination, { page: 1, per_page: 2, total: 3, pages: 2 })
        const capped = yield* request(url, "/api/orders?per_page=1000", { token: buyer!.token })
        assert.strictEqual(capped.body.pagination.per_page, 100)
        assert.strictEqual((yield* request(url, "/api/orders?page=0", { token: buyer!.token })).status, 400)
        const id = page1.body.orders[0].id
        for (const path of [`/api/orders/${id}`, `/api/orders/${id}/tracking`]) {
          assert.strictEqual((yield* request(url, path, { token: other!.token })).status, 404)
        }
        assert.strictEqual(
          (yield* request(url, `/api/orders/${id}/cancel`, { method: "POST", token: other!.token })).status,
          404
        )
        assert.strictEqual((yield* request(url, "/api/orders", { token: other!.token })).body.pagination.total, 0)
      })
    )
  })

  layer(Server, { excludeTestServices: true })("lifecycle", (it) => {
    it.effect("a customer cancels a pending order once: stock comes back once", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const [buyer] = yield* createBuyers(1)
        const product = yield* createProduct({ stock: 4 })
        yield* addToCart(url, buyer!.token, product, 3)
        const order = (yield* placeOrder(url, buyer!)).body.order
        assert.strictEqual(yield* stockOf(product), 1)
        const results = yield* Effect.all(
          Array.from({ length: 20 }, () =>
            request(url, `/api/orders/${order.id}/cancel`, { method: "POST", token: buyer!.token })
          ),
          { concurrency: "unbounded" }
        )
        const statuses = results.map((r) => r.status)
        assert.strictEqual(statuses.filter((s) => s === 200).length, 1)
        assert.strictEqual(statuses.filter((s) => s === 400).length, 19)
        assert.strictEqual(results.find((r) => r.status === 400)!.body.code, "ORDER_NOT_CANCELLABLE")
        assert.strictEqual(yield* stockOf(product), 4)
        const tracking = yield* request(url, `/api/orders/${order.id}/tracking`, { token: buyer!.token })
        assert.deepStrictEqual(
          tracking.body.history.map((h: any) => h.status),
          ["pending", "cancelled"]
        )
      })
    )

    it.effect("admins move orders through the state machine; anything else is 400 INVALID_TRANSITION", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const admin = yield* registerUser(url)
        yield* makeAdmin(admin.email)
        const [buyer] = yield* createBuyers(1)
        const product = yield* createProduct({ stock: 10 })
        yield* addToCart(url, buyer!.token, product, 2)
        const order = (yield* placeOrder(url, buyer!)).body.order
        const put = (json: unknown, token = admin.accessToken) =>
          request(url, `/api/orders/${order.id}/status`, { method: "PUT", token, json })

        assert.strictEqual((yield* put({ status: "confirmed" }, buyer!.token)).status, 403)
        assert.strictEqual((yield* request(url, "/api/orders/all", { token: buyer!.token })).status, 403)
        const jump = yield* put({ status: "delivered" })
        assert.strictEqual(jump.status, 400)
        assert.strictEqual(jump.body.code, "INVALID_TRANSITION")
        assert.strictEqual((yield* put({ status: "teleported" })).status, 400)

        const confirmed = yield* put({ status: "confirmed", payment_status: "completed" })
        assert.strictEqual(confirmed.status, 200)
        assert.strictEqual(confirmed.body.order.status, "confirmed")
        const all = yield* request(url, "/api/orders/all?status=confirmed", { token: admin.accessToken })
        assert.include(
          all.body.orders.map((o: any) => o.id),
          order.id
        )
        assert.notInclude(
          (yield* request(url, "/api/orders/all?status=pending", { token: admin.accessToken })).body.orders.map(
            (o: any) => o.id
          ),
          order.id
        )

        // an admin cancel of a paid order refunds it and restores stock, like a customer's
        const cancelled = yield* put({ status: "cancelled" })
        assert.strictEqual(cancelled.body.order.status, "cancelled")
        assert.strictEqual(cancelled.body.order.payment_status, "refunded")
        assert.strictEqual(yield* stockOf(product), 10)
        assert.strictEqual((yield* put({ status: "shipped" })).body.code, "INVALID_TRANSITION")

        // shipped orders cannot be cancelled by the customer
        yield* addToCart(url, buyer!.token, product, 1)
        const second = (yield* placeOrder(url, buyer!)).body.order
        const put2 = (json: unknown) =>
          request(url, `/api/orders/${second.id}/status`, { method: "PUT", token: admin.accessToken, json })
        yield* put2({ status: "confirmed" })
        const shipped = yield* put2({ status: "shipped", tracking_number: "TRK-123" })
        assert.strictEqual(shipped.body.order.tracking_number, "TRK-123")
        const refused = yield* request(url, `/api/orders/${second.id}/cancel`, { method: "POST", token: buyer!.token })
        assert.strictEqual(refused.body.code, "ORDER_NOT_CANCELLABLE")
        yield* put2({ status: "delivered" })
        const tracking = yield* request(url, `/api/orders/${second.id}/tracking`, { token: buyer!.token })
        assert.deepStrictEqual(
          tracking.body.history.map((h: any) => h.status),
          ["pending", "confirmed", "shipped", "delivered"]
        )
        assert.strictEqual(tracking.body.tracking_number, "TRK-123")
      })
    )
  })

  layer(Server, { excludeTestServices: true })("Idempotency-Key", (it) => {
    it.effect("a retry replays the first response; another body is 422; a bad key is 400", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const [buyer] = yield* createBuyers(1)
        const product = yield* createProduct({ stock: 10 })
        yield* addToCart(url, buyer!.token, product, 1)
        const key = { "idempotency-key": "order-attempt-1" }
        const first = yield* placeOrder(url, buyer!, key)
        assert.strictEqual(first.status, 201)
        assert.isNull(first.headers.get("idempotent-replayed"))
        const retry = yield* placeOrder(url, buyer!, key)
        assert.strictEqual(retry.status, 201)
        assert.strictEqual(retry.headers.get("idempotent-replayed"), "true")
        assert.deepStrictEqual(retry.body, first.body)
        const different = yield* request(url, "/api/orders", {
          method: "POST",
          token: buyer!.token,
          headers: key,
          json: { address_id: buyer!.addressId, payment_method: "COD" }
        })
        assert.strictEqual(different.status, 422)
        assert.strictEqual(different.body.code, "IDEMPOTENCY_KEY_REUSED")
        const long = yield* placeOrder(url, buyer!, { "idempotency-key": "k".repeat(256) })
        assert.strictEqual(long.status, 400)
        assert.strictEqual(yield* countOf("orders"), 1)
        assert.strictEqual(yield* stockOf(product), 9)
      })
    )

    it.effect("20 concurrent retries of one key make one order", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const sql = yield* SqlClient.SqlClient
        const [buyer] = yield* createBuyers(1)
        const product = yield* createProduct({ stock: 10 })
        yield* addToCart(url, buyer!.token, product, 2)
        const results = yield* Effect.all(
          Array.from({ length: 20 }, () => placeOrder(url, buyer!, { "idempotency-key": "same-key" })),
          { concurrency: "unbounded" }
        )
        for (const r of results) assert.oneOf(r.status, [201, 409])
        const created = results.filter((r) => r.status === 201)
        assert.isAtLeast(created.length, 1)
        assert.strictEqual(new Set(created.map((r) => r.body.order.id)).size, 1)
        const [row] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM orders WHERE user_id = ${buyer!.id}`
        assert.strictEqual(row!.n, 1)
        assert.strictEqual(yield* stockOf(product), 8)
      })
    )
  })

  layer(Server, { excludeTestServices: true })("under concurrency", (it) => {
    it.effect("200 buyers race for 25 units: exactly 25 orders, stock 0, the rest INSUFFICIENT_STOCK, no 5xx", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const buyers = yield* createBuyers(200)
        const product = yield* createProduct({ stock: 25 })
        yield* Effect.forEach(buyers, (b: Buyer) => addToCart(url, b.token, product, 1), { concurrency: 20 })
        const results = yield* Effect.forEach(buyers, (b: Buyer) => placeOrder(url, b), { concurrency: "unbounded" })
        const statuses = results.map((r) => r.status)
        assert.strictEqual(statuses.filter((s) => s === 201).length, 25)
        assert.strictEqual(statuses.filter((s) => s === 400).length, 175)
        for (const r of results.filter((r) => r.status === 400)) assert.strictEqual(r.body.code, "INSUFFICIENT_STOCK")
        assert.strictEqual(yield* stockOf(product), 0)
        const sql = yield* SqlClient.SqlClient
        const [sold] = yield* sql<{
          n: number
        }>`SELECT coalesce(sum(quantity), 0)::int AS n FROM order_items WHERE product_id = ${product}`
        assert.strictEqual(sold!.n, 25)
      })
    )

    it.effect("carts holding the same two products in opposite order never deadlock", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const buyers = yield* createBuyers(40)
        const p1 = yield* createProduct({ stock: 1000 })
        const p2 = yield* createProduct({ stock: 1000 })
        yield* Effect.forEach(
          buyers,
          (b: Buyer, i) =>
            Effect.gen(function* () {
              const [first, second] = i % 2 === 0 ? [p1, p2] : [p2, p1]
              yield* addToCart(url, b.token, first, 1)
              yield* addToCart(url, b.token, second, 1)
            }),
          { concurrency: 10 }
        )
        const results = yield* Effect.forEach(buyers, (b: Buyer) => placeOrder(url, b), { concurrency: "unbounded" })
        assert.deepStrictEqual([...new Set(results.map((r) => r.status))], [201])
        assert.strictEqual(yield* stockOf(p1), 960)
        assert.strictEqual(yield* stockOf(p2), 960)
      })
    )
  })
})
