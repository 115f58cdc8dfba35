import type { LogLevel } from "effect"
import { Config, ConfigProvider, Context, Duration, Effect, Layer, Option, Redacted, Result } from "effect"
import { IpNetwork } from "effect/net"

export const DEV_JWT_SECRET = "dev-only-insecure-jwt-secret-change-me"

const csv = (name: string, fallback: string) =>
  Config.String(name).pipe(
    Config.withDefault(fallback),
    Config.map((s) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter((x) => x.length > 0)
    )
  )

const positiveInt = (name: string, fallback: number) =>
  Config.Int(name).pipe(
    Config.withDefault(fallback),
    Config.mapEffect((n) =>
      n > 0
        ? Effect.succeed(n)
        : Effect.fail(
            new Config.ConfigError(
              new ConfigProvider.SourceError({ message: `${name} must be a positive integer, got ${n}` })
            )
          )
    )
  )

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
  redisUrl: Config.Redacted("REDIS_URL").pipe(Config.option),
  // Every Redis key starts with it; unset: derived from the database (see redisKeyPrefixOf).
  redisKeyPrefix: Config.String("REDIS_KEY_PREFIX").pipe(
    Config.option,
    Config.mapEffect((p) =>
      Option.isNone(p) || /^[A-Za-z0-9._:-]{1,64}$/.test(p.value)
        ? Effect.succeed(p)
        : Effect.fail(
            new Config.ConfigError(
              new ConfigProvider.SourceError({
                message: `REDIS_KEY_PREFIX may hold 1 to 64 letters, digits and . _ : - (no spaces, no * or other glob characters), got "${p.value}"`
              })
            )
          )
    )
  ),
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
  webConcurrency: Config.Int("WEB_CONCURRENCY").pipe(
    Config.option,
    Config.mapEffect((n) =>
      Option.isNone(n) || (n.value >= 1 && n.value <= 64)
        ? Effect.succeed(n)
        : Effect.fail(
            new Config.ConfigError(
              new ConfigProvider.SourceError({ message: `WEB_CONCURRENCY must be from 1 to 64, got ${n.value}` })
            )
          )
    )
  ),
  rateLimitEnabled: Config.Boolean("RATE_LIMIT_ENABLED").pipe(Config.withDefault(true)),
  rateLimitIpPerMinute: positiveInt("RATE_LIMIT_IP_PER_MINUTE", 1200),
  rateLimitUserPerMinute: positiveInt("RATE_LIMIT_USER_PER_MINUTE", 600),
  rateLimitAuthPerMinute: positiveInt("RATE_LIMIT_AUTH_PER_MINUTE", 10),
  trustProxy: csv("TRUST_PROXY", "").pipe(
    Config.mapEffect((entries) => {
      const networks = entries.map((entry) =>
        IpNetwork.fromString(entry.includes("/") ? entry : `${entry}/${entry.includes(":") ? 128 : 32}`)
      )
      const bad = entries.find((_, i) => Result.isFailure(networks[i]!))
      return bad === undefined
        ? Effect.succeed(networks.map((n) => (n as Result.Success<IpNetwork.IpNetwork, never>).success))
        : Effect.fail(
            new Config.ConfigError(
              new ConfigProvider.SourceError({ message: `TRUST_PROXY: "${bad}" is not an IP address or CIDR` })
            )
          )
    })
  )
}).pipe(
  Config.mapEffect((c) =>
    c.nodeEnv === "production" &&
    (Redacted.value(c.jwtSecret) === DEV_JWT_SECRET || Redacted.value(c.jwtSecret).length < 32)
      ? Effect.fail(
          new Config.ConfigError(
            new ConfigProvider.SourceError({
              message:
                "JWT_SECRET must be set to a secret of your own, of 32 characters or more, when NODE_ENV=production"
            })
          )
        )
      : Effect.succeed(c)
  )
)

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
