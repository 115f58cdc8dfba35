import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { makeAdmin, registerUser } from "./support/auth.ts"
import { createProduct } from "./support/shop.ts"
import { request, TestServer, TestServerLive } from "./support/TestServer.ts"

// Product detail is answered from this instance's copy when it is current (server middleware fast path).
layer(TestServerLive({ rateLimitEnabled: false }), { excludeTestServices: true })("product detail fast path", (it) => {
  it.effect("repeated reads are served from cache, yet an admin write is visible on the very next read", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const admin = yield* registerUser(url)
      yield* makeAdmin(admin.email)
      const id = yield* createProduct({ stock: 5, price: 1000 })
      for (let i = 0; i < 3; i++) {
        const res = yield* request(url, `/api/products/${id}`, { headers: { origin: "https://shop.example" } })
        assert.strictEqual(res.status, 200)
        assert.strictEqual(res.body.price, 1000)
        assert.strictEqual(res.headers.get("access-control-allow-origin"), "*")
        assert.isString(res.headers.get("x-request-id"))
      }
      const updated = yield* request(url, `/api/products/${id}`, {
        method: "PUT",
        token: admin.accessToken,
        json: { price: 1500 }
      })
      assert.strictEqual(updated.status, 200)
      assert.strictEqual((yield* request(url, `/api/products/${id}`)).body.price, 1500)
      const deleted = yield* request(url, `/api/products/${id}`, { method: "DELETE", token: admin.accessToken })
      assert.strictEqual(deleted.status, 200)
      const gone = yield* request(url, `/api/products/${id}/`)
      assert.strictEqual(gone.status, 404)
      assert.strictEqual(gone.body.code, "NOT_FOUND")

      // listings: a cached page is served until a write makes it stale; a bad query still gets the API's 400
      const page = `/api/products?search=fastpath${id}`
      assert.strictEqual((yield* request(url, page)).body.pagination.total, 0)
      assert.strictEqual((yield* request(url, page)).body.pagination.total, 0)
      const created = yield* request(url, "/api/products", {
        method: "POST",
        token: admin.accessToken,
        json: { name: `Fastpath${id} lamp`, price: 10, category_id: updated.body.product.category_id, sku: `FP-${id}` }
      })
      assert.strictEqual(created.status, 201)
      assert.strictEqual((yield* request(url, page)).body.pagination.total, 1)
      const bad = yield* request(url, "/api/products?sort_by=bogus")
      assert.strictEqual(bad.status, 400)
      assert.strictEqual(bad.body.code, "VALIDATION_ERROR")

      const metrics = yield* Effect.promise(() => fetch(`${url}/metrics`).then((r) => r.text()))
      assert.match(metrics, /cache_hits_total\{[^}]*cache="product"[^}]*\} [1-9]/)
      assert.match(
        metrics,
        /http_server_request_duration_seconds_count\{[^}]*route="\/api\/products\/:id"[^}]*status="200"/
      )
      assert.notMatch(metrics, new RegExp(`route="/api/products/${id}"`))
    })
  )
})
