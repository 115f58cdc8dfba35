import type { Duration } from "effect"
import { Deferred, Effect, Metric, Option, Schema } from "effect"
import { cacheHits, cacheLoads, cacheMisses } from "../infra/Metrics.ts"
import { SharedStore } from "../infra/SharedStore.ts"

/** A response body already encoded as JSON text: what the cache stores and handlers send. */
export type JsonText = string & { readonly JsonText: unique symbol }

export interface ReadCache {
  /**
   * The JSON text of `load`'s result under `key`, as long as none of
   * `versions` moved since it was stored. A miss runs `load` once per instance
   * however many requests wait for it, then encodes the value once.
   */
  readonly get: <S extends Schema.Encoder<unknown>, E>(options: {
    readonly cache: string
    readonly key: string
    readonly versions: ReadonlyArray<string>
    readonly schema: S
    readonly load: Effect.Effect<S["Type"], E>
  }) => Effect.Effect<JsonText, E>
  /** Makes every entry stored under these versions stale; call after the write committed. */
  readonly bump: (versions: ReadonlyArray<string>) => Effect.Effect<void>
}

/**
 * Version-stamped read-through cache on the SharedStore. An entry is
 * `<stamp>\n<json>`, where the stamp is the versions read BEFORE the load;
 * writers bump a version AFTER their commit, so a load that raced a write is
 * stored under the old stamp and never served again. This also makes
 * "drop every listing page" a single INCR. While Redis is down (`shared`
 * false) the cache is bypassed: entries could not be invalidated elsewhere.
 */
export const makeReadCache = (ttl: Duration.Input) =>
  Effect.gen(function* () {
    const store = yield* SharedStore
    const inFlight = new Map<string, Deferred.Deferred<JsonText, unknown>>()
    const counters = new Map<
      string,
      { hit: Metric.Counter<number>; miss: Metric.Counter<number>; load: Metric.Counter<number> }
    >()
    const countersFor = (cache: string) => {
      let c = counters.get(cache)
      if (c === undefined) {
        c = {
          hit: Metric.withAttributes(cacheHits, { cache }),
          miss: Metric.withAttributes(cacheMisses, { cache }),
          load: Metric.withAttributes(cacheLoads, { cache })
        }
        counters.set(cache, c)
      }
      return c
    }

    const encodeWith = <S extends Schema.Encoder<unknown>>(schema: S) => {
      const encode = Schema.encodeEffect(schema as unknown as Schema.Codec<S["Type"], unknown>)
      return (value: S["Type"]) =>
        Effect.map(Effect.orDie(encode(value)), (encoded) => JSON.stringify(encoded) as JsonText)
    }

    const get: ReadCache["get"] = ({ cache, key, versions, schema, load }) =>
      Effect.gen(function* () {
        const encode = encodeWith(schema)
        const metrics = countersFor(cache)
        if (!(yield* store.shared)) {
          yield* Metric.update(metrics.load, 1)
          return yield* Effect.flatMap(load, encode)
        }
        // One round of concurrent GETs: ioredis writes them back to back on one connection.
        const [stored, ...current] = yield* Effect.all([store.get(key), ...versions.map(store.get)], {
          concurrency: "unbounded"
        })
        const stamp = current.map(Option.getOrElse(() => "0")).join(".")
        if (Option.isSome(stored) && stored.value.startsWith(`${stamp}\n`)) {
          yield* Metric.update(metrics.hit, 1)
          return stored.value.slice(stamp.length + 1) as JsonText
        }
        yield* Metric.update(metrics.miss, 1)
        const flightKey = `${key}@${stamp}`
        let flight = inFlight.get(flightKey)
        if (flight === undefined) {
          const started = Deferred.makeUnsafe<JsonText, unknown>()
          inFlight.set(flightKey, started)
          flight = started
          // Detached: a waiter that goes away must not cancel the load the others wait for.
          yield* Effect.gen(function* () {
            yield* Metric.update(metrics.load, 1)
            const json = yield* Effect.flatMap(load, encode)
            yield* store.set(key, `${stamp}\n${json}`, ttl)
            return json
          }).pipe(
            Effect.exit,
            Effect.flatMap((exit) => Deferred.done(started, exit)),
            Effect.ensuring(Effect.sync(() => inFlight.delete(flightKey))),
            Effect.forkDetach
          )
        }
        // Every waiter of one key shares the loader's error type, fixed by the call site.
        return yield* Deferred.await(flight) as Effect.Effect<JsonText, Effect.Error<typeof load>>
      })

    const bump: ReadCache["bump"] = (versions) =>
      Effect.asVoid(Effect.all(versions.map(store.incr), { concurrency: "unbounded" }))

    return { get, bump } satisfies ReadCache
  })
