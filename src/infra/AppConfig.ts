import type { LogLevel } from "effect"
import { Config, Context, Duration, Effect, Layer, Option, Redacted, Result, Schema } from "effect"
import { IpNetwork } from "effect/net"

export const DEV_JWT_SECRET = "dev-only-insecure-jwt-secret-change-me"

const listOf = (value: string) =>
  value
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x.length > 0)

const csv = (name: string, fallback: string) =>
  Config.String(name).pipe(Config.withDefault(fallback), Config.map(listOf))

/** A setting read through its Schema: a bad value stops start-up with the check's message and the variable's name. */
const checked = <T, E>(name: string, schema: Schema.Codec<T, E>, check: (value: T) => true | string) =>
  Config.schema(schema.check(Schema.makeFilter(check)), name)

const positiveInt = (name: string, fallback: number) =>
  checked(name, Schema.Int, (n) => n > 0 || `${name} must be a positive integer, got ${n}`).pipe(
    Config.withDefault(fallback)
  )

const REDIS_KEY_PREFIX = /^[A-Za-z0-9._:-]{1,64}$/

/** A bare address is a network of one (/32 or /128). */
const ipNetwork = (entry: string) =>
  IpNetwork.fromString(entry.includes("/") ? entry : `${entry}/${entry.includes(":") ? 128 : 32}`)

/**
 * NODE_ENV and JWT_SECRET as they are in the environment, checked together: production needs a secret of
 * its own. Read as one Schema so that the refusal is a ConfigError like any other setting's.
 */
const productionSecret = Config.schema(
  Schema.Struct({ NODE_ENV: Schema.optionalKey(Schema.String), JWT_SECRET: Schema.optionalKey(Schema.String) }).check(
    Schema.makeFilter(
      ({ NODE_ENV, JWT_SECRET }) =>
        NODE_ENV !== "production" ||
        (JWT_SECRET !== undefined && JWT_SECRET !== DEV_JWT_SECRET && JWT_SECRET.length >= 32) ||
        "JWT_SECRET must be set to a secret of your own, of 32 characters or more, when NODE_ENV=production"
    )
  )
  // An environment with neither variable (nor any other) reads as no object at all: nothing to refuse.
).pipe(Config.withDefault({}))

/** What is wrong with a PostgreSQL URL, in words that never repeat its password; undefined when it is fine. */
const postgresUrlProblem = (text: string): string | undefined => {
  if (!URL.canParse(text)) return "it does not parse as a URL"
  const url = new URL(text)
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:")
    return `the scheme is "${url.protocol.slice(0, 20)}", not postgres:`
  if (url.hostname === "") return "it names no host"
  if (url.port !== "" && Number(url.port) === 0) return "the port is 0"
  return undefined
}

/**
 * Every setting of the process, read once at start-up through Effect Config so
 * that each bad value fails with a message naming the variable.
 */
export const appConfig = Config.all({
  nodeEnv: Config.Literals(["development", "production", "test"], "NODE_ENV").pipe(Config.withDefault("development")),
  port: Config.Port("PORT").pipe(Config.withDefault(5000)),
  host: Config.String("HOST").pipe(Config.withDefault("0.0.0.0")),
  databaseUrl: Config.Redacted("DATABASE_URL").pipe(Config.option),
  dbPoolMax: positiveInt("DB_POOL_MAX", 20),
  // Longest wait for a pooled connection when all are lent out; past it the request gets 503.
  dbAcquireTimeout: Config.Duration("DB_ACQUIRE_TIMEOUT").pipe(Config.withDefault(Duration.seconds(10))),
  /** `transaction` behind PgBouncer's transaction pooling: no named prepared statements, no max_connections check. */
  dbPoolMode: Config.Literals(["session", "transaction"], "DB_POOL_MODE").pipe(Config.withDefault("session")),
  // A streaming replica for catalog and review reads; empty counts as unset (a ConfigMap may list it empty).
  databaseReadUrl: checked("DATABASE_READ_URL", Schema.String, (url) => {
    const problem = url.trim() === "" ? undefined : postgresUrlProblem(url)
    return (
      problem === undefined ||
      `DATABASE_READ_URL must be a URL like postgres://user:password@host:5432/database (${problem})`
    )
  }).pipe(
    Config.option,
    Config.map((url) =>
      Option.map(
        Option.filter(url, (s) => s.trim() !== ""),
        Redacted.make
      )
    )
  ),
  // Past this much replication lag the replica is skipped and reads go to the primary.
  databaseReadMaxLag: Config.Duration("DATABASE_READ_MAX_LAG").pipe(Config.withDefault(Duration.seconds(5))),
  redisUrl: Config.Redacted("REDIS_URL").pipe(Config.option),
  // Every Redis key starts with it; unset: derived from the database (see redisKeyPrefixOf).
  redisKeyPrefix: checked(
    "REDIS_KEY_PREFIX",
    Schema.String,
    (p) =>
      REDIS_KEY_PREFIX.test(p) ||
      `REDIS_KEY_PREFIX may hold 1 to 64 letters, digits and . _ : - (no spaces, no * or other glob characters), got "${p}"`
  ).pipe(Config.option),
  // A Redis command not answered within this counts as a failure; a few in a row bypass Redis for a while.
  redisCommandTimeout: Config.Duration("REDIS_COMMAND_TIMEOUT").pipe(Config.withDefault(Duration.millis(250))),
  jwtSecret: Config.Redacted("JWT_SECRET").pipe(Config.withDefault(Redacted.make(DEV_JWT_SECRET))),
  accessTokenTtl: Config.Duration("ACCESS_TOKEN_TTL").pipe(Config.withDefault(Duration.minutes(15))),
  refreshTokenTtl: Config.Duration("REFRESH_TOKEN_TTL").pipe(Config.withDefault(Duration.days(30))),
  // argon2id cost; the defaults are OWASP's minimum (19 MiB, 2 passes, 1 lane), so only raise them.
  argon2MemoryKib: positiveInt("ARGON2_MEMORY_KIB", 19456),
  argon2TimeCost: positiveInt("ARGON2_TIME_COST", 2),
  argon2Parallelism: positiveInt("ARGON2_PARALLELISM", 1),
  corsOrigins: csv("CORS_ORIGINS", "*"),
  logLevel: Config.LogLevel("LOG_LEVEL").pipe(Config.withDefault<LogLevel.LogLevel>("Info")),
  dataDir: Config.String("DATA_DIR").pipe(Config.withDefault(".data")),
  maxConcurrentRequests: positiveInt("MAX_CONCURRENT_REQUESTS", 2048),
  requestTimeout: Config.Duration("REQUEST_TIMEOUT").pipe(Config.withDefault(Duration.seconds(30))),
  // Slow clients: the body must arrive within BODY_TIMEOUT (408), the header block within HEADERS_TIMEOUT.
  bodyTimeout: Config.Duration("BODY_TIMEOUT").pipe(Config.withDefault(Duration.seconds(10))),
  headersTimeout: Config.Duration("HEADERS_TIMEOUT").pipe(Config.withDefault(Duration.seconds(10))),
  keepAliveTimeout: Config.Duration("KEEP_ALIVE_TIMEOUT").pipe(Config.withDefault(Duration.seconds(65))),
  bodyLimitBytes: positiveInt("BODY_LIMIT_BYTES", 1024 * 1024),
  shutdownTimeout: Config.Duration("SHUTDOWN_TIMEOUT").pipe(Config.withDefault(Duration.seconds(10))),
  // Empty counts as unset, so that a ConfigMap can list the variable without turning export on.
  otlpEndpoint: Config.String("OTEL_EXPORTER_OTLP_ENDPOINT").pipe(
    Config.option,
    Config.map(Option.filter((s) => s.trim() !== ""))
  ),
  seedOnInit: Config.Boolean("SEED_ON_INIT").pipe(Config.withDefault(true)),
  // Catalog entries are invalidated on every write; the TTL only bounds what an idle key keeps in Redis.
  catalogCacheTtl: Config.Duration("CATALOG_CACHE_TTL").pipe(Config.withDefault(Duration.minutes(10))),
  idempotencyKeyTtl: Config.Duration("IDEMPOTENCY_KEY_TTL").pipe(Config.withDefault(Duration.hours(24))),
  /** Server processes; unset: one per core in production, one otherwise. */
  webConcurrency: checked(
    "WEB_CONCURRENCY",
    Schema.Int,
    (n) => (n >= 1 && n <= 64) || `WEB_CONCURRENCY must be from 1 to 64, got ${n}`
  ).pipe(Config.option),
  rateLimitEnabled: Config.Boolean("RATE_LIMIT_ENABLED").pipe(Config.withDefault(true)),
  rateLimitIpPerMinute: positiveInt("RATE_LIMIT_IP_PER_MINUTE", 1200),
  rateLimitUserPerMinute: positiveInt("RATE_LIMIT_USER_PER_MINUTE", 600),
  rateLimitAuthPerMinute: positiveInt("RATE_LIMIT_AUTH_PER_MINUTE", 10),
  trustProxy: checked("TRUST_PROXY", Schema.String, (list) => {
    const bad = listOf(list).find((entry) => Result.isFailure(ipNetwork(entry)))
    return bad === undefined || `TRUST_PROXY: "${bad}" is not an IP address or CIDR`
  }).pipe(
    Config.withDefault(""),
    Config.map((list) => listOf(list).map((entry) => Result.getOrThrow(ipNetwork(entry))))
  )
}).pipe(Config.flatMap((config) => Config.map(productionSecret, () => config)))

export type AppConfigShape = Config.Success<typeof appConfig>

export class AppConfig extends Context.Service<AppConfig, AppConfigShape>()("shop/infra/AppConfig") {
  static readonly layer = Layer.effect(
    AppConfig,
    Effect.gen(function* () {
      return yield* appConfig
    })
  )

  /** Loud start-up warnings about settings that are fine for development only. */
  static readonly warnings = Layer.effectDiscard(
    Effect.gen(function* () {
      const config = yield* AppConfig
      if (Redacted.value(config.jwtSecret) === DEV_JWT_SECRET) {
        yield* Effect.logWarning(
          "!!! JWT_SECRET is not set: using the insecure development default. Set JWT_SECRET before exposing this server. !!!"
        )
      }
    })
  )

  /** A layer with fixed values, for tests that need no environment. */
  static readonly layerWith = (overrides: Partial<AppConfigShape> = {}) =>
    Layer.effect(
      AppConfig,
      Effect.gen(function* () {
        return { ...(yield* appConfig), ...overrides }
      })
    )
}
