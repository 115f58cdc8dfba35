import { assert, describe, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { SharedStore } from "../src/infra/SharedStore.ts"
import { testStore } from "./support/TestStore.ts"

const backend = process.env.REDIS_URL ? "redis" : "memory"

layer(testStore(), { excludeTestServices: true })(`SharedStore (${backend})`, (it) => {
  it.effect("set/get with expiry, setIfAbsent, incr, del", () =>
    Effect.gen(function* () {
      const store = yield* SharedStore
      yield* store.set("a", "1", "150 millis")
      assert.deepStrictEqual(yield* store.get("a"), Option.some("1"))
      assert.isFalse(yield* store.setIfAbsent("a", "2", "1 second"))
      yield* Effect.sleep("200 millis")
      assert.deepStrictEqual(yield* store.get("a"), Option.none())
      assert.isTrue(yield* store.setIfAbsent("a", "2", "1 second"))
      assert.strictEqual(yield* store.incr("n"), 1)
      assert.strictEqual(yield* store.incr("n"), 2)
      yield* store.del(["a", "n"])
      assert.deepStrictEqual(yield* store.get("a"), Option.none())
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
