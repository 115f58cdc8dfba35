import { assert, layer } from "@effect/vitest"
import { Effect, Fiber, Layer, Schema } from "effect"
import { ReadReplica } from "../src/infra/ReadReplica.ts"
import { SharedStore } from "../src/infra/SharedStore.ts"
import { makeReadCache } from "../src/services/ReadCache.ts"
import { testStore } from "./support/TestStore.ts"

/** A read that takes 50 ms and counts how often it ran. */
const counted = () => {
  let loads = 0
  const load = Effect.sleep("50 millis").pipe(Effect.andThen(Effect.sync(() => ({ n: ++loads }))))
  return { load, loads: () => loads }
}
const Body = Schema.Struct({ n: Schema.Number })

const getMany = (cache: Effect.Success<ReturnType<typeof makeReadCache>>, load: Effect.Effect<{ n: number }>) =>
  Effect.all(
    Array.from({ length: 10 }, () => cache.get({ cache: "test", key: "k", versions: ["v"], schema: Body, load })),
    { concurrency: "unbounded" }
  )

layer(Layer.merge(testStore(), ReadReplica.none), { excludeTestServices: true })("ReadCache", (it) => {
  it.effect("equal concurrent misses load once, later reads hit, a bump makes the next read load again", () =>
    Effect.gen(function* () {
      const cache = yield* makeReadCache("1 minute")
      const { load, loads } = counted()
      assert.deepStrictEqual(new Set(yield* getMany(cache, load)), new Set(['{"n":1}']))
      assert.strictEqual(loads(), 1)
      yield* getMany(cache, load)
      assert.strictEqual(loads(), 1)
      yield* cache.bump(["v"])
      assert.deepStrictEqual(new Set(yield* getMany(cache, load)), new Set(['{"n":2}']))
    })
  )
})

layer(Layer.merge(SharedStore.layerRedis("redis://127.0.0.1:1", { keyPrefix: "down:" }), ReadReplica.none), {
  excludeTestServices: true
})("ReadCache with Redis unreachable", (it) => {
  it.effect("keeps nothing, but equal concurrent reads share one load; a local write starts a new one", () =>
    Effect.gen(function* () {
      const cache = yield* makeReadCache("1 minute")
      const { load, loads } = counted()
      assert.deepStrictEqual(new Set(yield* getMany(cache, load)), new Set(['{"n":1}']))
      assert.strictEqual(loads(), 1)
      // nothing was kept: the next read loads again
      yield* getMany(cache, load)
      assert.strictEqual(loads(), 2)
      // a read that comes after a write does not join the load that started before it
      const before = yield* Effect.forkChild(getMany(cache, load))
      yield* Effect.sleep("10 millis")
      yield* cache.bump(["v"])
      const after = yield* getMany(cache, load)
      assert.deepStrictEqual(new Set(after), new Set(['{"n":4}']))
      assert.deepStrictEqual(new Set(yield* Fiber.join(before)), new Set(['{"n":3}']))
    })
  )
})
