import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { request, TestServer, TestServerLive } from "./support/TestServer.ts"

layer(TestServerLive(), { excludeTestServices: true })("system routes", (it) => {
  it.effect("GET /health answers without touching dependencies", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const res = yield* request(url, "/health")
      assert.strictEqual(res.status, 200)
      assert.deepStrictEqual(res.body, { status: "healthy", service: "flipkart-monolith", version: "1.0.0" })
      assert.match(res.headers.get("content-type") ?? "", /application\/json/)
    })
  )

  it.effect("GET /ready reports the database and the store", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const res = yield* request(url, "/ready")
      assert.strictEqual(res.status, 200)
      assert.deepStrictEqual(res.body, {
        status: "ready",
        database: "up",
        redis: process.env.REDIS_URL ? "up" : "memory"
      })
    })
  )

  it.effect("GET /api links to the docs; /openapi.json is OpenAPI 3.1; /docs is a page", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const info = yield* request(url, "/api")
      assert.strictEqual(info.body.docs, "/docs")
      const doc = yield* request(url, "/openapi.json")
      assert.strictEqual(doc.body.openapi, "3.1.0")
      assert.property(doc.body.paths, "/health")
      const docs = yield* Effect.promise(() => fetch(`${url}/docs`))
      assert.strictEqual(docs.status, 200)
      assert.match(docs.headers.get("content-type") ?? "", /text\/html/)
    })
  )

  it.effect("echoes a client X-Request-Id and generates one otherwise", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const echoed = yield* request(url, "/health", { headers: { "x-request-id": "abc-123" } })
      assert.strictEqual(echoed.headers.get("x-request-id"), "abc-123")
      const generated = yield* request(url, "/health")
      assert.match(generated.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/)
      const unsafe = yield* request(url, "/health", { headers: { "x-request-id": "a b\u00e9" } })
      assert.notStrictEqual(unsafe.headers.get("x-request-id"), "a b\u00e9")
    })
  )

  describe("every error has the JSON body", () => {
    it.effect("unknown route: 404", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const res = yield* request(url, "/api/nothing-here")
        assert.strictEqual(res.status, 404)
        assert.strictEqual(res.body.code, "NOT_FOUND")
        assert.isString(res.body.error)
        assert.match(res.headers.get("content-type") ?? "", /application\/json/)
      })
    )

    it.effect("wrong method: 405 with Allow", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const res = yield* request(url, "/health", { method: "DELETE" })
        assert.strictEqual(res.status, 405)
        assert.strictEqual(res.body.code, "METHOD_NOT_ALLOWED")
        assert.include(res.headers.get("allow") ?? "", "GET")
      })
    )

    it.effect("a chunked body over the limit: 413 while it is read", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const chunk = new TextEncoder().encode(`{"email":"${"a".repeat(64 * 1024)}`)
        let sent = 0
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent++ < 40) controller.enqueue(chunk)
            else controller.close()
          }
        })
        const res = yield* Effect.promise(() =>
          fetch(`${url}/api/auth/login`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
            duplex: "half"
          } as RequestInit).then(async (r) => ({ status: r.status, body: await r.json() }))
        )
        assert.strictEqual(res.status, 413)
        assert.strictEqual(res.body.code, "PAYLOAD_TOO_LARGE")
      })
    )

    it.effect("body over the limit: 413", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const res = yield* request(url, "/api", { method: "POST", body: "x".repeat(2 * 1024 * 1024) })
        assert.strictEqual(res.status, 413)
        assert.strictEqual(res.body.code, "PAYLOAD_TOO_LARGE")
      })
    )
  })

  it.effect("/metrics exposes the request duration histogram by route template and the pool's counters", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      yield* request(url, "/health")
      const res = yield* Effect.promise(() => fetch(`${url}/metrics`).then((r) => r.text()))
      assert.match(res, /# TYPE http_server_request_duration_seconds histogram/)
      assert.match(res, /http_server_request_duration_seconds_count\{[^}]*route="\/health"[^}]*\} \d+/)
      assert.notMatch(res, /route="\/api\/nothing-here"/)
      // /ready ran a statement: SQL durations are recorded without any trace exporter
      yield* request(url, "/ready")
      const after = yield* Effect.promise(() => fetch(`${url}/metrics`).then((r) => r.text()))
      assert.match(after, /db_client_query_duration_seconds_count(\{[^}]*\})? [1-9]/)
      // The pool: /ready and the scrape borrowed a connection, gave it back, and it stays open.
      assert.match(after, /db_client_connections_usage\{[^}]*state="used"[^}]*\} 0\n/)
      assert.match(after, /db_client_connections_usage\{[^}]*state="idle"[^}]*\} [1-9]/)
      assert.match(after, /db_client_connections_pending_requests(\{[^}]*\})? 0\n/)
      assert.match(after, /db_client_connections_max(\{[^}]*\})? 20\n/)
      assert.match(after, /db_client_connections_wait_time_seconds_count(\{[^}]*\})? [1-9]/)
    })
  )
})
