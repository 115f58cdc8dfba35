import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { makeAdmin, registerUser } from "./support/auth.ts"
import { addToCart, createBuyers, createProduct, placeOrder } from "./support/shop.ts"
import { request, TestServer, TestServerLive } from "./support/TestServer.ts"
import { unique } from "./support/unique.ts"

const Server = TestServerLive({ rateLimitEnabled: false })

/**
 * The admin-only extension routes (GET /api/orders/all/{id}, /all/{id}/tracking,
 * GET /api/products/all): admins read any order and every product; the owner's
 * routes of API.md keep answering 404 for another user's order. Every exchange
 * is checked against /openapi.json by `request`.
 */
describe("admin reads", () => {
  layer(Server, { excludeTestServices: true })("admin reads", (it) => {
    it.effect("an admin reads any customer's order and its history; nobody else can", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const admin = yield* registerUser(url)
        yield* makeAdmin(admin.email)
        const [buyer, other] = yield* createBuyers(2)
        const product = yield* createProduct({ stock: 5 })
        yield* addToCart(url, buyer!.token, product, 2)
        const order = (yield* placeOrder(url, buyer!)).body.order
        yield* request(url, `/api/orders/${order.id}/status`, {
          method: "PUT",
          token: admin.accessToken,
          json: { status: "confirmed" }
        })
        yield* request(url, `/api/orders/${order.id}/status`, {
          method: "PUT",
          token: admin.accessToken,
          json: { status: "shipped", tracking_number: "TRK-9" }
        })

        const own = yield* request(url, `/api/orders/${order.id}`, { token: buyer!.token })
        const asAdmin = yield* request(url, `/api/orders/all/${order.id}`, { token: admin.accessToken })
        assert.strictEqual(asAdmin.status, 200)
        assert.deepStrictEqual(asAdmin.body, own.body)
        assert.strictEqual(asAdmin.body.status, "shipped")

        const tracking = yield* request(url, `/api/orders/all/${order.id}/tracking`, { token: admin.accessToken })
        assert.strictEqual(tracking.status, 200)
        assert.deepStrictEqual(
          tracking.body,
          (yield* request(url, `/api/orders/${order.id}/tracking`, { token: buyer!.token })).body
        )
        assert.deepStrictEqual(
          tracking.body.history.map((h: any) => h.status),
          ["pending", "confirmed", "shipped"]
        )
        assert.strictEqual(tracking.body.tracking_number, "TRK-9")

        // the owner's routes stay the owner's: an admin gets 404 there too, as API.md says for another user's order
        assert.strictEqual((yield* request(url, `/api/orders/${order.id}`, { token: admin.accessToken })).status, 404)
        for (const path of [`/api/orders/all/${order.id}`, `/api/orders/all/${order.id}/tracking`]) {
          const refused = yield* request(url, path, { token: other!.token })
          assert.strictEqual(refused.status, 403)
          assert.strictEqual(refused.body.code, "FORBIDDEN")
          assert.notInclude(JSON.stringify(refused.body), order.order_number)
          assert.strictEqual((yield* request(url, path, { token: buyer!.token })).status, 403)
          assert.strictEqual((yield* request(url, path)).status, 401)
        }
        assert.strictEqual((yield* request(url, `/api/orders/${order.id}`, { token: other!.token })).status, 404)
        for (const path of ["/api/orders/all/2147483000", "/api/orders/all/2147483000/tracking"]) {
          const missing = yield* request(url, path, { token: admin.accessToken })
          assert.strictEqual(missing.status, 404)
          assert.strictEqual(missing.body.code, "NOT_FOUND")
        }
        for (const path of ["/api/orders/all/abc", "/api/orders/all/0/tracking", "/api/orders/all/-1"]) {
          const bad = yield* request(url, path, { token: admin.accessToken })
          assert.oneOf(bad.status, [400, 404])
          assert.isString(bad.body.code)
        }
      })
    )

    it.effect("admins list deactivated and low-stock products and reactivate them; shoppers cannot", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const admin = yield* registerUser(url)
        yield* makeAdmin(admin.email)
        const [buyer] = yield* createBuyers(1)
        const tag = unique("Lowstock")
        const ids: Array<number> = []
        for (const [i, stock] of [7, 0, 3, 50].entries())
          ids.push(yield* createProduct({ stock, name: `${tag} item ${i} 100%_off` }))
        const [seven, zero, three, fifty] = ids as [number, number, number, number]
        assert.strictEqual(
          (yield* request(url, `/api/products/${zero}`, { method: "DELETE", token: admin.accessToken })).status,
          200
        )
        const list = (query: string, token = admin.accessToken) =>
          request(url, `/api/products/all?search=${encodeURIComponent(tag)}&${query}`, { token })
        const idsOf = (r: { body: any }) => r.body.products.map((p: any) => p.id)

        const everything = yield* list("sort_by=stock_quantity&sort_order=asc")
        assert.strictEqual(everything.status, 200)
        assert.deepStrictEqual(idsOf(everything), [zero, three, seven, fifty])
        assert.deepStrictEqual(everything.body.pagination, { page: 1, per_page: 20, total: 4, pages: 1 })
        assert.deepStrictEqual(idsOf(yield* list("is_active=false")), [zero])
        assert.deepStrictEqual(idsOf(yield* list("is_active=true&max_stock=7&sort_by=stock_quantity&sort_order=asc")), [
          three,
          seven
        ])
        assert.deepStrictEqual(idsOf(yield* list("max_stock=0")), [zero])
        const categoryOfThree = everything.body.products.find((p: any) => p.id === three).category_id
        assert.deepStrictEqual(idsOf(yield* list(`category_id=${categoryOfThree}`)), [three])
        yield* request(url, `/api/products/${seven}`, {
          method: "PUT",
          token: admin.accessToken,
          json: { brand: `Acme ${tag}` }
        })
        assert.deepStrictEqual(idsOf(yield* list(`brand=${encodeURIComponent(`acme ${tag.toUpperCase()}`)}`)), [seven])
        const paged = yield* list("sort_by=stock_quantity&sort_order=desc&per_page=3&page=2")
        assert.deepStrictEqual(idsOf(paged), [zero])
        assert.deepStrictEqual(paged.body.pagination, { page: 2, per_page: 3, total: 4, pages: 2 })
        // the search is plain text: % and _ match only themselves
        assert.strictEqual((yield* list("")).body.pagination.total, 4)
        assert.strictEqual(
          (yield* request(url, `/api/products/all?search=${encodeURIComponent(`${tag} item 1 100%_off`)}`, {
            token: admin.accessToken
          })).body.pagination.total,
          1
        )
        assert.strictEqual(
          (yield* request(url, `/api/products/all?search=${encodeURIComponent(`${tag}%item`)}`, {
            token: admin.accessToken
          })).body.pagination.total,
          0
        )
        // the public listing never shows the deactivated one
        const shop = yield* request(url, `/api/products?search=${encodeURIComponent(tag)}&per_page=100`)
        assert.notInclude(idsOf(shop), zero)

        const reactivated = yield* request(url, `/api/products/${zero}`, {
          method: "PUT",
          token: admin.accessToken,
          json: { is_active: true, stock_quantity: 12 }
        })
        assert.strictEqual(reactivated.status, 200)
        assert.strictEqual(reactivated.body.product.is_active, true)
        assert.strictEqual((yield* request(url, `/api/products/${zero}`)).status, 200)
        assert.deepStrictEqual(idsOf(yield* list("is_active=false")), [])

        const refused = yield* list("", buyer!.token)
        assert.strictEqual(refused.status, 403)
        assert.strictEqual(refused.body.code, "FORBIDDEN")
        assert.notProperty(refused.body, "products")
        assert.strictEqual((yield* request(url, "/api/products/all")).status, 401)
        for (const query of [
          "max_stock=-1",
          "max_stock=two",
          "max_stock=1.5",
          "is_active=maybe",
          "sort_by=rating",
          "sort_order=up",
          "page=0",
          "per_page=0",
          "category_id=0",
          "category_id=x"
        ]) {
          const bad = yield* list(query)
          assert.strictEqual(bad.status, 400, query)
          assert.strictEqual(bad.body.code, "VALIDATION_ERROR", query)
        }
      })
    )
  })
})
