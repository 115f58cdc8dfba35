import { createHash } from "node:crypto"
import * as path from "node:path"
import { Context, Duration, Effect, FiberSet, Layer, Option, Redacted } from "effect"
import { Redis } from "ioredis"
import { AppConfig } from "./AppConfig.ts"
import { CircuitBreaker } from "./CircuitBreaker.ts"

export interface RateLimitDecision {
  readonly allowed: boolean
  readonly limit: number
  readonly remaining: number
  /** Seconds until the budget is whole again. */
  readonly resetSeconds: number
  /** Seconds to wait before the next request can pass (0 when allowed). */
  readonly retryAfterSeconds: number
}

export type StoreStatus = "up" | "degraded" | "memory"

/**
 * The one key-value interface that cache, rate limits and locks are written
 * against. Backed by Redis when REDIS_URL is set, by process memory otherwise.
 * While Redis is unreachable every call falls back to memory (never fails), and
 * `shared` turns false so that a cache can bypass itself instead of serving
 * entries other instances cannot invalidate. A Redis that keeps its socket open
 * but does not answer (stopped, swapping) counts as unreachable too: every
 * command has a short timeout, and after a few timeouts in a row a circuit
 * breaker sends every call to memory at once until a probe gets an answer.
 */
export class SharedStore extends Context.Service<
  SharedStore,
  {
    readonly status: Effect.Effect<StoreStatus>
    /** True when what is stored is seen by every instance (Redis up) or there is only memory. */
    readonly shared: Effect.Effect<boolean>
    readonly get: (key: string) => Effect.Effect<Option.Option<string>>
    /** Several keys in one round trip (MGET), in order. */
    readonly getMany: (keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<Option.Option<string>>>
    readonly set: (key: string, value: string, ttl: Duration.Input) => Effect.Effect<void>
    readonly setIfAbsent: (key: string, value: string, ttl: Duration.Input) => Effect.Effect<boolean>
    readonly del: (keys: ReadonlyArray<string>) => Effect.Effect<void>
    /**
     * Moves a version to a value it never held: max(current + 1, now in ms). Expires after `ttl` without a
     * bump; since later values come from the clock, a version that expired and starts again never repeats a
     * value it had, so entries stamped with an old one stay stale.
     */
    readonly bump: (key: string, ttl: Duration.Input) => Effect.Effect<number>
    /** Sets a number to `value` with a new TTL, unless it holds as large a one already (which keeps its TTL). */
    readonly raise: (key: string, value: number, ttl: Duration.Input) => Effect.Effect<void>
    readonly rateLimit: (key: string, limit: number, period: Duration.Input) => Effect.Effect<RateLimitDecision>
    readonly ping: Effect.Effect<boolean>
  }
>()("shop/infra/SharedStore") {
  static readonly layerMemory = Layer.sync(SharedStore, () => {
    const memory = new MemoryStore()
    return SharedStore.of({
      status: Effect.succeed("memory"),
      shared: Effect.succeed(true),
      get: (key) => Effect.sync(() => Option.fromNullishOr(memory.get(key))),
      getMany: (keys) => Effect.sync(() => keys.map((key) => Option.fromNullishOr(memory.get(key)))),
      set: (key, value, ttl) =>
        Effect.sync(() => memory.set(key, value, Duration.toMillis(Duration.fromInputUnsafe(ttl)))),
      setIfAbsent: (key, value, ttl) =>
        Effect.sync(() => memory.setIfAbsent(key, value, Duration.toMillis(Duration.fromInputUnsafe(ttl)))),
      del: (keys) => Effect.sync(() => memory.delAll(keys)),
      bump: (key, ttl) => Effect.sync(() => memory.bump(key, Duration.toMillis(Duration.fromInputUnsafe(ttl)))),
      raise: (key, value, ttl) =>
        Effect.sync(() => memory.raise(key, value, Duration.toMillis(Duration.fromInputUnsafe(ttl)))),
      rateLimit: (key, limit, period) =>
        Effect.sync(() => memory.rateLimit(key, limit, Duration.toMillis(Duration.fromInputUnsafe(period)))),
      ping: Effect.succeed(true)
    })
  })

  /**
   * `keyPrefix` namespaces every key (tests sharing one Redis use a prefix each); `commandTimeoutMs` bounds
   * each command (default 250 ms).
   */
  static readonly layerRedis = (
    url: string,
    options: { readonly keyPrefix?: string; readonly commandTimeoutMs?: number } = {}
  ) =>
    Layer.effect(
      SharedStore,
      Effect.gen(function* () {
        const memory = new MemoryStore()
        let closing = false
        const redis = yield* Effect.acquireRelease(
          Effect.sync(
            () =>
              new Redis(url, {
                lazyConnect: true,
                // Commands issued in the same tick leave in one write: many concurrent requests, few syscalls.
                enableAutoPipelining: true,
                keyPrefix: options.keyPrefix ?? "",
                enableOfflineQueue: false,
                maxRetriesPerRequest: 1,
                commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
                connectTimeout: 2000,
                retryStrategy: (times) => Math.min(times * 200, 2000)
              })
          ),
          (r) =>
            Effect.promise(() => {
              closing = true
              return r.quit().catch(() => r.disconnect())
            })
        )
        redis.defineCommand("gcra", { numberOfKeys: 1, lua: GCRA_LUA })
        redis.defineCommand("bumpVersion", { numberOfKeys: 1, lua: BUMP_LUA })
        redis.defineCommand("raise", { numberOfKeys: 1, lua: RAISE_LUA })
        let wasDown = false
        // ioredis calls back outside any fiber: these run in the layer's scope (its logger, its services) and
        // are interrupted when the store closes, instead of outliving it on the global runtime.
        const run = yield* FiberSet.makeRuntime()
        const log = (effect: Effect.Effect<void>) => void run(effect)
        redis.on("error", () => {})
        redis.on("close", () => {
          if (closing) return
          if (!wasDown) log(Effect.logWarning("Redis unreachable: cache bypassed, rate limits in process memory"))
          wasDown = true
        })
        redis.on("ready", () => {
          if (!wasDown) return
          // Writes made while Redis was away could not invalidate what it holds.
          run(
            Effect.promise(() => flushPrefix(redis, `${options.keyPrefix ?? ""}cache:`, options.keyPrefix ?? "")).pipe(
              Effect.ignoreCause,
              Effect.andThen(
                Effect.sync(() => {
                  wasDown = false
                })
              ),
              Effect.andThen(Effect.logInfo("Redis is back: cache and rate limits shared again"))
            )
          )
        })
        yield* Effect.tryPromise(() => redis.connect()).pipe(
          Effect.catch(() =>
            Effect.sync(() => {
              wasDown = true
            }).pipe(Effect.andThen(Effect.logWarning("Redis unreachable at start: serving in degraded mode")))
          )
        )
        const breaker = new CircuitBreaker({
          failureThreshold: BREAKER_FAILURES,
          openMs: BREAKER_OPEN_MS,
          onOpen: () => log(Effect.logWarning("Redis does not answer: cache bypassed, rate limits in process memory")),
          onClose: () => log(Effect.logInfo("Redis answers again: cache and rate limits shared again"))
        })
        // Writes made while Redis did not answer could not invalidate what it holds.
        const probe = () =>
          redis.ping().then(() => flushPrefix(redis, `${options.keyPrefix ?? ""}cache:`, options.keyPrefix ?? ""))
        const up = () => {
          if (redis.status !== "ready" || wasDown) return false
          if (!breaker.isOpen) return true
          breaker.tryProbe(probe)
          return false
        }
        const tryRedis = <A>(f: () => Promise<A>, fallback: () => A): Effect.Effect<A> =>
          up()
            ? Effect.tryPromise(f).pipe(
                Effect.tap(() => Effect.sync(() => breaker.succeeded())),
                Effect.catch(() =>
                  Effect.sync(() => {
                    breaker.failed()
                    return fallback()
                  })
                )
              )
            : Effect.sync(fallback)
        const ms = (d: Duration.Input) => Math.max(1, Math.ceil(Duration.toMillis(Duration.fromInputUnsafe(d))))
        return SharedStore.of({
          status: Effect.sync(() => (up() ? "up" : "degraded")),
          shared: Effect.sync(up),
          get: (key) =>
            tryRedis(
              () => redis.get(key),
              () => null
            ).pipe(Effect.map(Option.fromNullishOr)),
          getMany: (keys) =>
            keys.length === 0
              ? Effect.succeed([])
              : tryRedis(
                  () => redis.mget(...keys),
                  () => keys.map(() => null)
                ).pipe(Effect.map((values) => values.map(Option.fromNullishOr))),
          set: (key, value, ttl) =>
            tryRedis(
              () => redis.set(key, value, "PX", ms(ttl)).then(() => undefined),
              () => undefined
            ),
          setIfAbsent: (key, value, ttl) =>
            tryRedis(
              () => redis.set(key, value, "PX", ms(ttl), "NX").then((r) => r === "OK"),
              () => memory.setIfAbsent(key, value, ms(ttl))
            ),
          del: (keys) =>
            keys.length === 0
              ? Effect.void
              : tryRedis(
                  () => redis.unlink(...keys).then(() => undefined),
                  () => memory.delAll(keys)
                ),
          bump: (key, ttl) =>
            tryRedis(
              () =>
                (redis as unknown as { bumpVersion: (k: string, ttlMs: number) => Promise<number> }).bumpVersion(
                  key,
                  ms(ttl)
                ),
              () => memory.bump(key, ms(ttl))
            ),
          raise: (key, value, ttl) =>
            tryRedis(
              () =>
                (redis as unknown as { raise: (k: string, v: string, ttlMs: number) => Promise<unknown> })
                  .raise(key, String(value), ms(ttl))
                  .then(() => undefined),
              () => memory.raise(key, value, ms(ttl))
            ),
          rateLimit: (key, limit, period) =>
            tryRedis(
              () =>
                (redis as unknown as { gcra: (k: string, ...a: Array<number>) => Promise<Array<number>> })
                  .gcra(key, limit, ms(period))
                  .then(([allowed, remaining, resetMs, retryMs]) =>
                    decision(allowed === 1, limit, remaining!, resetMs!, retryMs!)
                  ),
              () => memory.rateLimit(key, limit, ms(period))
            ),
          ping: Effect.suspend(() =>
            up()
              ? Effect.tryPromise(() => redis.ping()).pipe(
                  Effect.timeout("1 second"),
                  Effect.map(() => true),
                  Effect.catch(() => Effect.succeed(false))
                )
              : Effect.succeed(false)
          )
        })
      })
    )

  /** Redis when REDIS_URL is set, memory otherwise. */
  static readonly layer = Layer.unwrap(
    Effect.gen(function* () {
      const config = yield* AppConfig
      return Option.match(config.redisUrl, {
        onNone: () => SharedStore.layerMemory,
        onSome: (url) =>
          SharedStore.layerRedis(Redacted.value(url), {
            keyPrefix: redisKeyPrefixOf(config),
            commandTimeoutMs: Duration.toMillis(config.redisCommandTimeout)
          })
      })
    })
  )
}

/**
 * REDIS_KEY_PREFIX, or one per database, so that deployments on different databases never share keys through
 * one Redis: `shop:<database name>:` with DATABASE_URL, `shop:embedded-<hash of its data dir>:` without.
 */
export const redisKeyPrefixOf = (config: {
  readonly redisKeyPrefix: Option.Option<string>
  readonly databaseUrl: Option.Option<Redacted.Redacted<string>>
  readonly dataDir: string
}) =>
  Option.getOrElse(config.redisKeyPrefix, () =>
    Option.match(config.databaseUrl, {
      onSome: (url) => {
        const name = decodeURIComponent(new URL(Redacted.value(url)).pathname.slice(1)) || "postgres"
        return `shop:${name.replace(/[^A-Za-z0-9._-]/g, "_")}:`
      },
      onNone: () =>
        `shop:embedded-${createHash("sha256").update(path.resolve(config.dataDir)).digest("hex").slice(0, 12)}:`
    })
  )

const DEFAULT_COMMAND_TIMEOUT_MS = 250
/** Timeouts in a row that open the breaker, and how long it stays open before a probe. */
const BREAKER_FAILURES = 3
const BREAKER_OPEN_MS = 1000

const flushPrefix = async (redis: Redis, pattern: string, keyPrefix: string) => {
  let cursor = "0"
  do {
    // SCAN returns full key names, while UNLINK adds the client's keyPrefix itself.
    const [next, keys] = await redis.scan(cursor, "MATCH", `${pattern}*`, "COUNT", 1000)
    if (keys.length > 0) await redis.unlink(...keys.map((k) => k.slice(keyPrefix.length)))
    cursor = next
  } while (cursor !== "0")
}

const decision = (allowed: boolean, limit: number, remaining: number, resetMs: number, retryMs: number) => ({
  allowed,
  limit,
  remaining: Math.max(0, remaining),
  resetSeconds: Math.max(0, Math.ceil(resetMs / 1000)),
  retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(retryMs / 1000))
})

/** max(current + 1, Redis's clock in ms), with the TTL renewed. */
const BUMP_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local next = math.max((tonumber(redis.call('GET', KEYS[1])) or 0) + 1, now)
redis.call('SET', KEYS[1], string.format('%d', next), 'PX', ARGV[1])
return next
`

const RAISE_LUA = `
local current = tonumber(redis.call('GET', KEYS[1]))
if current == nil or tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1
`

/**
 * GCRA (generic cell rate algorithm): `limit` requests per `period`, bursts up
 * to `limit`. One key holds the theoretical arrival time; atomic in Redis.
 */
const GCRA_LUA = `
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = period / limit
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
if new_tat - now > period then
  return {0, 0, math.ceil(tat - now), math.ceil(new_tat - period - now)}
end
redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.ceil(new_tat - now))
return {1, math.floor((period - (new_tat - now)) / interval), math.ceil(new_tat - now), 0}
`

/** Per-process store with expiry; also the fallback while Redis is away. */
class MemoryStore {
  private readonly values = new Map<string, { value: string; expires: number }>()
  private readonly tats = new Map<string, number>()
  private sweeps = 0

  private sweep(now: number) {
    if (++this.sweeps % 1000 !== 0) return
    for (const [k, v] of this.values) if (v.expires <= now) this.values.delete(k)
    for (const [k, tat] of this.tats) if (tat <= now) this.tats.delete(k)
  }

  get(key: string): string | undefined {
    const entry = this.values.get(key)
    if (entry === undefined) return undefined
    if (entry.expires <= Date.now()) {
      this.values.delete(key)
      return undefined
    }
    return entry.value
  }

  set(key: string, value: string, ttlMs: number) {
    const now = Date.now()
    this.sweep(now)
    this.values.set(key, { value, expires: now + ttlMs })
  }

  setIfAbsent(key: string, value: string, ttlMs: number) {
    if (this.get(key) !== undefined) return false
    this.set(key, value, ttlMs)
    return true
  }

  delAll(keys: ReadonlyArray<string>) {
    for (const key of keys) this.values.delete(key)
  }

  bump(key: string, ttlMs: number) {
    const next = Math.max(Number(this.get(key) ?? 0) + 1, Date.now())
    this.set(key, String(next), ttlMs)
    return next
  }

  raise(key: string, value: number, ttlMs: number) {
    const current = this.get(key)
    if (current === undefined || value > Number(current)) this.set(key, String(value), ttlMs)
  }

  rateLimit(key: string, limit: number, periodMs: number): RateLimitDecision {
    const now = Date.now()
    this.sweep(now)
    const interval = periodMs / limit
    const tat = Math.max(this.tats.get(key) ?? now, now)
    const newTat = tat + interval
    if (newTat - now > periodMs) return decision(false, limit, 0, tat - now, newTat - periodMs - now)
    this.tats.set(key, newTat)
    return decision(true, limit, Math.floor((periodMs - (newTat - now)) / interval), newTat - now, 0)
  }
}
