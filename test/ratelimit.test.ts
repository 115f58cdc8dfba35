import { assert, describe, layer } from "@effect/vitest"
import { Effect, Exit, Layer, Scope } from "effect"
import { IpNetwork } from "effect/net"
import { SharedStore } from "../src/infra/SharedStore.ts"
import { request, TestServer, TestServerLive } from "./support/TestServer.ts"
import { unique } from "./support/unique.ts"

const limits = { rateLimitIpPerMinute: 5, rateLimitAuthPerMinute: 2 }

describe("rate limits", () => {
  layer(TestServerLive(limits), { excludeTestServices: true })("per client IP", (it) => {
    it.effect("a burst of the limit passes with RateLimit headers, then 429 with Retry-After", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const remaining = []
        for (let i = 0; i < 5; i++) {
          const res = yield* request(url, "/api")
          assert.strictEqual(res.status, 200)
          assert.strictEqual(res.headers.get("ratelimit-limit"), "5")
          remaining.push(res.headers.get("ratelimit-remaining"))
        }
        assert.deepStrictEqual(remaining, ["4", "3", "2", "1", "0"])
        const limited = yield* request(url, "/api")
        assert.strictEqual(limited.status, 429)
        assert.strictEqual(limited.body.code, "RATE_LIMITED")
        assert.isAtLeast(Number(limited.headers.get("retry-after")), 1)
        assert.strictEqual(limited.headers.get("ratelimit-remaining"), "0")
        // forging X-Forwarded-For without a trusted proxy changes nothing
        const forged = yield* request(url, "/api", { headers: { "x-forwarded-for": "203.0.113.9" } })
        assert.strictEqual(forged.status, 429)
      })
    )

    it.effect("/health, /ready and /metrics are never limited", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        for (let i = 0; i < 12; i++) {
          for (const path of ["/health", "/ready", "/metrics"]) {
            const res = yield* request(url, path)
            assert.strictEqual(res.status, 200)
            assert.isNull(res.headers.get("ratelimit-limit"))
          }
        }
        const metrics = yield* Effect.promise(() => fetch(`${url}/metrics`).then((r) => r.text()))
        assert.match(metrics, /rate_limit_rejections_total\{[^}]*limit="ip"[^}]*\} [1-9]/)
      })
    )
  })

  layer(TestServerLive(limits), { excludeTestServices: true })("credential routes", (it) => {
    it.effect("login/register/refresh share a much stricter budget", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const statuses = []
        for (let i = 0; i < 3; i++) {
          statuses.push((yield* request(url, "/api/auth/login", { method: "POST", json: {} })).status)
        }
        assert.notStrictEqual(statuses[0], 429)
        assert.notStrictEqual(statuses[1], 429)
        assert.strictEqual(statuses[2], 429)
        // other /api routes still have budget left
        assert.strictEqual((yield* request(url, "/api")).status, 200)
      })
    )
  })

  layer(TestServerLive({ ...limits, trustProxy: [IpNetwork.fromStringUnsafe("127.0.0.1/32")] }), {
    excludeTestServices: true
  })("behind a trusted proxy", (it) => {
    it.effect("each forwarded client has its own budget: a flood from one does not starve another", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const flood = { "x-forwarded-for": "198.51.100.1" }
        for (let i = 0; i < 5; i++) assert.strictEqual((yield* request(url, "/api", { headers: flood })).status, 200)
        assert.strictEqual((yield* request(url, "/api", { headers: flood })).status, 429)
        const other = yield* request(url, "/api", { headers: { "x-forwarded-for": "198.51.100.2" } })
        assert.strictEqual(other.status, 200)
        assert.strictEqual(other.headers.get("ratelimit-remaining"), "4")
      })
    )
  })

  layer(TestServerLive({ rateLimitEnabled: false, rateLimitIpPerMinute: 1 }), { excludeTestServices: true })(
    "switched off",
    (it) => {
      it.effect("RATE_LIMIT_ENABLED=false turns every limit off", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          for (let i = 0; i < 5; i++) assert.strictEqual((yield* request(url, "/api")).status, 200)
        })
      )
    }
  )
})

// Two instances, each with its own Redis connection, as two processes would have.
const redisUrl = process.env.REDIS_URL
describe.runIf(redisUrl !== undefined)("shared through Redis", () => {
  layer(Layer.empty, { excludeTestServices: true })("two instances", (it) => {
    it.effect("the limit holds across two instances sharing one Redis", () =>
      Effect.gen(function* () {
        const prefix = `${unique("test:shared:")}:`
        const scope = yield* Scope.make()
        const start = () =>
          Layer.buildWithScope(
            TestServerLive(limits, { store: SharedStore.layerRedis(redisUrl!, { keyPrefix: prefix }) }),
            scope
          ).pipe(Effect.map((context) => (context.mapUnsafe.get(TestServer.key) as { url: string }).url))
        const [a, b] = yield* Effect.all([start(), start()])
        const statuses = []
        for (let i = 0; i < 6; i++) statuses.push((yield* request(i % 2 === 0 ? a : b, "/api")).status)
        assert.deepStrictEqual(statuses, [200, 200, 200, 200, 200, 429])
        yield* Scope.close(scope, Exit.void)
      })
    )
  })
})
