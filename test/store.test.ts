import { assert, describe, it, layer } from "@effect/vitest"
import { Duration, Effect, Exit, Layer, Logger, Option, Scope } from "effect"
import { Redis } from "ioredis"
import { ReadReplica } from "../src/infra/ReadReplica.ts"
import { SharedStore } from "../src/infra/SharedStore.ts"
import { makeReadCache, MIN_VERSION_TTL } from "../src/services/ReadCache.ts"
import { startRedis } from "./support/Throwaway.ts"
import { testStore } from "./support/TestStore.ts"
import { unique } from "./support/unique.ts"

const backend = process.env.REDIS_URL ? "redis" : "memory"

layer(testStore(), { excludeTestServices: true })(`SharedStore (${backend})`, (it) => {
  it.effect("set/get with expiry, setIfAbsent, bump, del", () =>
    Effect.gen(function* () {
      const store = yield* SharedStore
      yield* store.set("a", "1", "150 millis")
      assert.deepStrictEqual(yield* store.get("a"), Option.some("1"))
      assert.isFalse(yield* store.setIfAbsent("a", "2", "1 second"))
      yield* Effect.sleep("200 millis")
      assert.deepStrictEqual(yield* store.get("a"), Option.none())
      assert.isTrue(yield* store.setIfAbsent("a", "2", "1 second"))
      const first = yield* store.bump("n", "1 minute")
      assert.isAbove(yield* store.bump("n", "1 minute"), first)
      yield* store.del(["a", "n"])
      assert.deepStrictEqual(yield* store.get("a"), Option.none())
    })
  )

  it.effect("a version expires without bumps and, bumped again, never repeats a value it had", () =>
    Effect.gen(function* () {
      const store = yield* SharedStore
      const first = yield* store.bump("v:expiring", "150 millis")
      yield* Effect.sleep("200 millis")
      assert.deepStrictEqual(yield* store.get("v:expiring"), Option.none())
      assert.isAbove(yield* store.bump("v:expiring", "1 minute"), first)
    })
  )

  it.effect("rate limit: a burst of `limit` passes, the next waits, the budget refills", () =>
    Effect.gen(function* () {
      const store = yield* SharedStore
      const decisions = []
      for (let i = 0; i < 6; i++) decisions.push(yield* store.rateLimit("rl:burst", 5, "1 second"))
      assert.deepStrictEqual(
        decisions.map((d) => d.allowed),
        [true, true, true, true, true, false]
      )
      assert.deepStrictEqual(
        decisions.slice(0, 5).map((d) => d.remaining),
        [4, 3, 2, 1, 0]
      )
      assert.strictEqual(decisions[5]!.retryAfterSeconds, 1)
      yield* Effect.sleep("250 millis")
      assert.isTrue((yield* store.rateLimit("rl:burst", 5, "1 second")).allowed)
    })
  )

  it.effect("concurrent callers never exceed the limit", () =>
    Effect.gen(function* () {
      const store = yield* SharedStore
      const results = yield* Effect.all(
        Array.from({ length: 50 }, () => store.rateLimit("rl:race", 20, "1 minute")),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(results.filter((d) => d.allowed).length, 20)
    })
  )
})

describe.runIf(process.env.REDIS_URL !== undefined)("SharedStore keys in a real Redis", () => {
  const prefix = `${unique("test:ttl")}:`
  layer(Layer.merge(SharedStore.layerRedis(process.env.REDIS_URL ?? "", { keyPrefix: prefix }), ReadReplica.none), {
    excludeTestServices: true
  })("expiry", (it) => {
    it.effect("version and rate-limit keys carry a TTL, so an idle key leaves Redis", () =>
      Effect.gen(function* () {
        const store = yield* SharedStore
        const cache = yield* makeReadCache("10 minutes")
        yield* cache.bump(["catalog:version:product:1"])
        yield* store.rateLimit("rl:ip:203.0.113.9", 10, "1 minute")
        const redis = new Redis(process.env.REDIS_URL!)
        const ttl = (key: string) => Effect.promise(() => redis.pttl(`${prefix}${key}`))
        const versionTtl = yield* ttl("catalog:version:product:1")
        const limitTtl = yield* ttl("rl:ip:203.0.113.9")
        redis.disconnect()
        // A version outlives every entry stamped with it (7 days at least); a limit key its period.
        assert.isAbove(versionTtl, Duration.toMillis(Duration.days(6)))
        assert.isAtMost(versionTtl, Duration.toMillis(MIN_VERSION_TTL))
        assert.isAbove(limitTtl, 0)
        assert.isAtMost(limitTtl, 60_000)
      })
    )
  })
})

describe("SharedStore with Redis unreachable", () => {
  layer(SharedStore.layerRedis("redis://127.0.0.1:1", { keyPrefix: "down:" }), { excludeTestServices: true })(
    "degraded",
    (it) => {
      it.effect("keeps serving from memory and says it is degraded", () =>
        Effect.gen(function* () {
          const store = yield* SharedStore
          assert.strictEqual(yield* store.status, "degraded")
          assert.isFalse(yield* store.shared)
          assert.isFalse(yield* store.ping)
          const decisions = []
          for (let i = 0; i < 3; i++) decisions.push((yield* store.rateLimit("k", 2, "1 minute")).allowed)
          assert.deepStrictEqual(decisions, [true, true, false])
          assert.isTrue(yield* store.setIfAbsent("lock", "x", "1 second"))
          assert.isFalse(yield* store.setIfAbsent("lock", "x", "1 second"))
        })
      )
    }
  )
})

describe("SharedStore's Redis callbacks", () => {
  it("log through the store's own logger, in its scope, when Redis goes away and comes back", async () => {
    const redis = await startRedis()
    const lines: Array<string> = []
    const capture = Logger.make(({ message }) => {
      lines.push((Array.isArray(message) ? message : [message]).join(" "))
    })
    const until = async (text: string) => {
      for (let waited = 0; !lines.some((line) => line.includes(text)); waited += 50) {
        if (waited > 15_000) throw new Error(`no "${text}" logged; got ${JSON.stringify(lines)}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
    const scope = Effect.runSync(Scope.make())
    try {
      const store = SharedStore.layerRedis(redis.url, { keyPrefix: "callbacks:" }).pipe(
        Layer.provide(Logger.layer([capture]))
      )
      await Effect.runPromise(Layer.buildWithScope(store, scope))
      await redis.stop()
      await until("Redis unreachable: cache bypassed")
      await redis.start()
      await until("Redis is back: cache and rate limits shared again")
    } finally {
      await Effect.runPromise(Scope.close(scope, Exit.void))
      await redis.stop()
    }
    const logged = lines.length
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.strictEqual(lines.length, logged, "nothing is logged once the store is closed")
  })
})
