import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { makeAdmin, registerUser } from "./support/auth.ts"
import { addToCart, createBuyers, createProduct, placeOrder } from "./support/shop.ts"
import { request, TestServer, TestServerLive } from "./support/TestServer.ts"

/** Errors speak the shop's language: one wording per problem, details naming each field. */
layer(TestServerLive({ rateLimitEnabled: false }))("error wording", (it) => {
  it.effect("refused fields are described for a person, the same way on every route", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const [buyer] = yield* createBuyers(1)
      const token = buyer!.token
      const expectOne = (res: { status: number; body: any }, field: string, message: string) => {
        assert.strictEqual(res.status, 400, JSON.stringify(res.body))
        assert.deepStrictEqual(res.body, { error: message, code: "VALIDATION_ERROR", details: [{ field, message }] })
      }
      const page = "page must be a whole number of at least 1"
      expectOne(yield* request(url, "/api/products?page=abc"), "page", page)
      expectOne(yield* request(url, "/api/products?page=0"), "page", page)
      expectOne(yield* request(url, "/api/orders?page=1.5", { token }), "page", page)
      const id = "id must be a positive whole number"
      expectOne(yield* request(url, "/api/products/abc"), "id", id)
      expectOne(yield* request(url, "/api/orders/abc", { token }), "id", id)
      expectOne(
        yield* request(url, "/api/cart/update/0", { method: "PUT", token, json: { quantity: 1 } }),
        "item_id",
        "item_id must be a positive whole number"
      )
      expectOne(
        yield* request(url, "/api/cart/add", { method: "POST", token, json: { product_id: 1, quantity: "two" } }),
        "quantity",
        "quantity must be a whole number from 1 to 10000"
      )
      expectOne(
        yield* request(url, "/api/products?sort_by=cheapest"),
        "sort_by",
        "sort_by must be one of created_at, price, final_price, name, rating, review_count, relevance"
      )
      const missing = yield* request(url, "/api/auth/register", { method: "POST", json: { username: "someone" } })
      assert.strictEqual(missing.status, 400)
      assert.strictEqual(missing.body.error, "email is required; password is required")
      assert.deepStrictEqual(missing.body.details, [
        { field: "email", message: "email is required" },
        { field: "password", message: "password is required" }
      ])
      const notJson = yield* request(url, "/api/auth/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"email":'
      })
      assert.strictEqual(notJson.status, 400)
      assert.strictEqual(notJson.body.error, "the request body is not valid JSON")
    })
  )

  it.effect("401 says whether credentials were missing or bad", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const none = yield* request(url, "/api/cart")
      assert.deepStrictEqual(
        [none.status, none.body],
        [401, { error: "Authentication required", code: "UNAUTHORIZED" }]
      )
      const basic = yield* request(url, "/api/cart", { headers: { authorization: "Basic dXNlcjpwYXNz" } })
      assert.strictEqual(basic.body.error, "Authentication required")
      const bad = yield* request(url, "/api/cart", { token: "not-a-token" })
      assert.deepStrictEqual([bad.status, bad.body.error], [401, "Invalid or expired access token"])
    })
  )

  it.effect("a path that names no resource is a 404, not a 405", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const res = yield* request(url, "/api/orders/abc", { method: "POST" })
      assert.strictEqual(res.status, 404)
      assert.isNull(res.headers.get("allow"))
      const wrongMethod = yield* request(url, "/api/orders/1", { method: "PATCH" })
      assert.strictEqual(wrongMethod.status, 405)
    })
  )

  it.effect("an admin setting an order to the status it already has gets 400 INVALID_TRANSITION", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const admin = yield* registerUser(url)
      yield* makeAdmin(admin.email)
      const [buyer] = yield* createBuyers(1)
      yield* addToCart(url, buyer!.token, yield* createProduct({ stock: 3 }))
      const order = (yield* placeOrder(url, buyer!)).body.order
      const put = (json: unknown) =>
        request(url, `/api/orders/${order.id}/status`, { method: "PUT", token: admin.accessToken, json })
      const same = yield* put({ status: "pending" })
      assert.deepStrictEqual([same.status, same.body.code], [400, "INVALID_TRANSITION"])
      assert.strictEqual((yield* put({ status: "cancelled" })).status, 200)
      const again = yield* put({ status: "cancelled" })
      assert.deepStrictEqual([again.status, again.body.code], [400, "INVALID_TRANSITION"])
      assert.strictEqual(again.body.error, "The order is already cancelled")
    })
  )
})
