import { assert, layer } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { request, TestServer, TestServerLive } from "./support/TestServer.ts"

const TestRoutes = Layer.mergeAll(
  HttpRouter.add(
    "GET",
    "/test/slow",
    Effect.sleep("400 millis").pipe(Effect.as(HttpServerResponse.jsonUnsafe({ ok: true })))
  ),
  HttpRouter.add("GET", "/test/boom", Effect.die(new Error("relation secret_table: SELECT password FROM users")))
)

layer(TestServerLive({ maxConcurrentRequests: 2, requestTimeout: Duration.millis(200) }, { routes: TestRoutes }), {
  excludeTestServices: true
})("server middleware", (it) => {
  it.effect("a request over the time limit gets 504 JSON instead of hanging", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const res = yield* request(url, "/test/slow")
      assert.strictEqual(res.status, 504)
      assert.strictEqual(res.body.code, "TIMEOUT")
    })
  )

  it.effect("at the concurrency limit, further requests get 503 with Retry-After", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const busy = yield* Effect.forkChild(
        Effect.all([request(url, "/test/slow"), request(url, "/test/slow")], { concurrency: 2 })
      )
      yield* Effect.sleep("60 millis")
      const shed = yield* request(url, "/health")
      assert.strictEqual(shed.status, 503)
      assert.strictEqual(shed.body.code, "SERVICE_UNAVAILABLE")
      assert.strictEqual(shed.headers.get("retry-after"), "1")
      yield* Fiber.join(busy)
      const after = yield* request(url, "/health")
      assert.strictEqual(after.status, 200)
    })
  )

  it.effect("a defect is a 500 with the JSON body and no internals", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const res = yield* request(url, "/test/boom")
      assert.strictEqual(res.status, 500)
      assert.deepStrictEqual(res.body, { error: "Internal server error", code: "INTERNAL_ERROR" })
      assert.notInclude(JSON.stringify(res.body), "SELECT")
      assert.isString(res.headers.get("x-request-id"))
    })
  )

  it.effect(
    "a body that is not JSON: 415 for another content type, 400 for malformed JSON, both with the JSON body",
    () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const wrongType = yield* request(url, "/api/auth/login", {
          method: "POST",
          headers: { "content-type": "text/plain" },
          body: "hello"
        })
        assert.strictEqual(wrongType.status, 415)
        assert.strictEqual(wrongType.body.code, "UNSUPPORTED_MEDIA_TYPE")
        assert.match(wrongType.headers.get("content-type") ?? "", /application\/json/)
        const malformed = yield* request(url, "/api/auth/login", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{not json"
        })
        assert.strictEqual(malformed.status, 400)
        assert.strictEqual(malformed.body.code, "VALIDATION_ERROR")
        assert.strictEqual(malformed.body.details[0].field, "body")
      })
  )

  it.effect("CORS preflight is answered", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const res = yield* request(url, "/api", {
        method: "OPTIONS",
        headers: { origin: "https://shop.example", "access-control-request-method": "POST" }
      })
      assert.isBelow(res.status, 300)
      assert.strictEqual(res.headers.get("access-control-allow-origin"), "*")
    })
  )
})
