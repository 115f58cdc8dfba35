import { Deferred, Duration, Effect, Metric, Option, Schema } from "effect"
import { cacheHits, cacheLoads, cacheMisses } from "../infra/Metrics.ts"
import { SharedStore } from "../infra/SharedStore.ts"
import { fenceKey, makeReadFence } from "./ReadFence.ts"

/**
 * A response body already encoded as JSON text: what handlers send as is. Kept
 * as a string, not bytes, because Node writes a string body and its headers in
 * one write, while a byte body costs a second (vectored) write per response.
 */
export type JsonBody = string & { readonly JsonBody: unique symbol }

/** How many encoded bodies one instance keeps in memory (a list page is ~8 KB). */
const LOCAL_ENTRIES = 2000

export interface ReadCache {
  /**
   * The encoded JSON of `load`'s result under `key`, as long as none of
   * `versions` moved since it was stored. A miss runs `load` once per instance
   * however many requests wait for it, then encodes the value once.
   */
  readonly get: <S extends Schema.Encoder<unknown>, E>(options: {
    readonly cache: string
    readonly key: string
    readonly versions: ReadonlyArray<string>
    /** Entries also go stale after this long (bounds what no version tracks, such as stock in listings). */
    readonly maxAge?: Duration.Duration
    readonly schema: S
    readonly load: Effect.Effect<S["Type"], E>
  }) => Effect.Effect<JsonBody, E>
  /**
   * This instance's copy of the entry under `key`, if it is current: one
   * version read, no load. For fast paths that fall back to `get` on None.
   */
  readonly peek: (options: {
    readonly cache: string
    readonly key: string
    readonly versions: ReadonlyArray<string>
    readonly maxAge?: Duration.Duration
  }) => Effect.Effect<Option.Option<JsonBody>>
  /** Makes every entry stored under these versions stale; call after the write committed. */
  readonly bump: (versions: ReadonlyArray<string>) => Effect.Effect<void>
}

/**
 * Version-stamped read-through cache on the SharedStore. An entry is
 * `<stamp>\n<json>`, where the stamp is the versions read BEFORE the load;
 * writers bump a version AFTER their commit, so a load that raced a write is
 * stored under the old stamp and never served again. This also makes
 * "drop every listing page" a single INCR. Each instance also keeps the
 * encoded JSON of recent entries with their stamp: a hit then costs one
 * small GET of the version instead of moving the whole body out of Redis. While Redis is down (`shared`
 * false) nothing is cached, since entries could not be invalidated elsewhere; equal requests still share one load.
 */
/**
 * The age window an entry is in. Each key's windows are shifted by a hash of
 * the key, so entries do not all go stale in the same instant and send every
 * reader to the database at once.
 */
const epochOf = (key: string, maxAgeMs: number) => {
  let hash = 2166136261
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619)
  return Math.floor((Date.now() + ((hash >>> 0) % maxAgeMs)) / maxAgeMs)
}

/** A version expires this long after its last bump at the earliest (see versionTtlOf). */
export const MIN_VERSION_TTL = Duration.days(7)

/**
 * How long a version outlives its last bump: longer than any entry lives (the store's TTL, this instance's
 * copy as long). An expired version reads as 0 again, so entries stamped 0 before its first bump must be gone
 * by then; later values come from the clock and never repeat.
 */
export const versionTtlOf = (ttl: Duration.Input) =>
  Duration.max(MIN_VERSION_TTL, Duration.times(Duration.fromInputUnsafe(ttl), 2))

export const makeReadCache = (ttl: Duration.Input) =>
  Effect.gen(function* () {
    const store = yield* SharedStore
    const fence = yield* makeReadFence
    const ttlMs = Duration.toMillis(Duration.fromInputUnsafe(ttl))
    const versionTtl = versionTtlOf(ttl)
    const inFlight = new Map<string, Deferred.Deferred<JsonBody, unknown>>()
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

    // One encoder per schema, built on first use: building it on every request would cost more than the hit.
    const encoders = new WeakMap<object, (value: unknown) => Effect.Effect<string>>()
    const encodeWith = <S extends Schema.Encoder<unknown>>(
      schema: S
    ): ((value: S["Type"]) => Effect.Effect<string>) => {
      let encoder = encoders.get(schema)
      if (encoder === undefined) {
        const encode = Schema.encodeEffect(schema as unknown as Schema.Codec<S["Type"], unknown>)
        encoder = (value) => Effect.map(Effect.orDie(encode(value)), (encoded) => JSON.stringify(encoded))
        encoders.set(schema, encoder)
      }
      return encoder
    }

    // Encoded bodies of this instance, each valid for the stamp it was read under.
    const local = new Map<string, { readonly stamp: string; readonly body: JsonBody; readonly until: number }>()
    const remember = (key: string, stamp: string, body: JsonBody) => {
      if (local.size >= LOCAL_ENTRIES && !local.has(key)) local.delete(local.keys().next().value!)
      local.set(key, { stamp, body, until: Date.now() + ttlMs })
      return body
    }
    /** This instance's copy under `key`, unless it outlived the TTL (as the store's copy would have). */
    const held = (key: string) => {
      const entry = local.get(key)
      if (entry === undefined || entry.until > Date.now()) return entry
      local.delete(key)
      return undefined
    }

    const stampFrom = (key: string, current: ReadonlyArray<Option.Option<string>>, maxAge?: Duration.Duration) => {
      const epoch = maxAge === undefined ? "" : `@${epochOf(key, Duration.toMillis(maxAge))}`
      return current.map(Option.getOrElse(() => "0")).join(".") + epoch
    }
    const stampOf = (key: string, versions: ReadonlyArray<string>, maxAge: Duration.Duration | undefined) =>
      Effect.map(store.getMany(versions), (current) => stampFrom(key, current, maxAge))
    /**
     * The stamp, and with a replica the WAL position a load must see (the writes behind these versions), read
     * in one round trip: a load then reads the replica only if it has replayed them.
     */
    const readStateOf = (key: string, versions: ReadonlyArray<string>, maxAge: Duration.Duration | undefined) =>
      fence.configured
        ? Effect.flatMap(store.getMany([...versions, ...versions.map(fenceKey)]), (current) =>
            Effect.map(fence.floorOf(current.slice(versions.length)), (floor) => ({
              stamp: stampFrom(key, current.slice(0, versions.length), maxAge),
              floor
            }))
          )
        : Effect.map(stampOf(key, versions, maxAge), (stamp) => ({ stamp, floor: 0 }))

    const peek: ReadCache["peek"] = ({ cache, key, versions, maxAge }) =>
      Effect.gen(function* () {
        const entry = held(key)
        if (entry === undefined || !(yield* store.shared)) return Option.none()
        if (entry.stamp !== (yield* stampOf(key, versions, maxAge))) return Option.none()
        yield* Metric.update(countersFor(cache).hit, 1)
        return Option.some(entry.body)
      })

    /**
     * Runs `load` once for every request of `flightKey` that comes while it runs. Detached: a waiter that goes
     * away must not cancel the load the others wait for.
     */
    const shared = <E>(flightKey: string, cache: string, load: Effect.Effect<JsonBody, E>) =>
      Effect.gen(function* () {
        let flight = inFlight.get(flightKey)
        if (flight === undefined) {
          const started = Deferred.makeUnsafe<JsonBody, unknown>()
          inFlight.set(flightKey, started)
          flight = started
          // Out of the map before the waiters wake, so that a request after them starts a load of its own.
          const leave = Effect.sync(() => {
            if (inFlight.get(flightKey) === started) inFlight.delete(flightKey)
          })
          yield* Metric.update(countersFor(cache).load, 1).pipe(
            Effect.andThen(load),
            Effect.exit,
            Effect.flatMap((exit) => Effect.andThen(leave, Deferred.done(started, exit))),
            Effect.ensuring(leave),
            Effect.forkDetach
          )
        }
        // Every waiter of one key shares the loader's error type, fixed by the call site.
        return yield* Deferred.await(flight) as Effect.Effect<JsonBody, E>
      })

    // Writes this instance made, for while Redis is away: a request after one of them must not join an older load.
    let localWrites = 0

    const get: ReadCache["get"] = ({ cache, key, versions, maxAge, schema, load }) =>
      Effect.gen(function* () {
        const encode = encodeWith(schema)
        const loadJson = Effect.flatMap(load, encode) as Effect.Effect<JsonBody, Effect.Error<typeof load>>
        if (!(yield* store.shared)) {
          // Nothing is kept (other instances could not invalidate it), but equal requests still share a load.
          return yield* shared(`${key}#${localWrites}`, cache, fence.withFloor(yield* fence.floorOf([]))(loadJson))
        }
        const metrics = countersFor(cache)
        // The versions are read before anything else, so whatever is served or loaded below is at least as new.
        const { stamp, floor } = yield* readStateOf(key, versions, maxAge)
        const entry = held(key)
        if (entry !== undefined && entry.stamp === stamp) {
          yield* Metric.update(metrics.hit, 1)
          return entry.body
        }
        const stored = yield* store.get(key)
        if (Option.isSome(stored) && stored.value.startsWith(`${stamp}\n`)) {
          yield* Metric.update(metrics.hit, 1)
          return remember(key, stamp, stored.value.slice(stamp.length + 1) as JsonBody)
        }
        yield* Metric.update(metrics.miss, 1)
        const loadAndKeep = Effect.gen(function* () {
          const json = yield* fence.withFloor(floor)(loadJson)
          yield* store.set(key, `${stamp}\n${json}`, ttl)
          return remember(key, stamp, json)
        })
        return yield* shared(`${key}@${stamp}`, cache, loadAndKeep)
      })

    const bump: ReadCache["bump"] = (versions) =>
      Effect.suspend(() => {
        localWrites++
        // The fence first: a reader who sees the new version sees the position its load must reach too.
        return Effect.andThen(
          fence.mark(versions),
          Effect.all(
            versions.map((version) => store.bump(version, versionTtl)),
            { concurrency: "unbounded", discard: true }
          )
        )
      })

    return { get, peek, bump } satisfies ReadCache
  })
