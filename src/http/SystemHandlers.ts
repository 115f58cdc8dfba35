import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { SqlClient } from "effect/sql"
import { SharedStore } from "../infra/SharedStore.ts"
import { MetricsScraper } from "../infra/Telemetry.ts"
import { SERVICE_NAME, SERVICE_VERSION } from "../infra/version.ts"
import { Api } from "./Api.ts"

export const SystemHandlers = HttpApiBuilder.group(
  Api,
  "system",
  Effect.fn(function* (handlers) {
    const sql = yield* SqlClient.SqlClient
    const store = yield* SharedStore
    const metrics = yield* MetricsScraper
    const health = { status: "healthy", service: SERVICE_NAME, version: SERVICE_VERSION } as const

    const database = sql`SELECT 1`.pipe(
      Effect.timeout("2 seconds"),
      Effect.as("up" as const),
      Effect.catchCause(() => Effect.succeed("down" as const))
    )
    const redis = Effect.gen(function* () {
      const status = yield* store.status
      if (status === "memory") return "memory" as const
      return (yield* store.ping) && status === "up" ? ("up" as const) : ("degraded" as const)
    })

    return handlers.handleAll({
      health: () => Effect.succeed(health),
      ready: () =>
        Effect.gen(function* () {
          const [db, cache] = yield* Effect.all([database, redis], { concurrency: 2 })
          // Redis is optional: without it we serve degraded, so only the database decides readiness.
          const body = { status: db === "up" ? ("ready" as const) : ("not_ready" as const), database: db, redis: cache }
          return db === "up" ? body : yield* Effect.fail(body)
        }),
      metrics: () => metrics.scrape,
      info: () =>
        Effect.succeed({
          name: SERVICE_NAME,
          version: SERVICE_VERSION,
          docs: "/docs",
          openapi: "/openapi.json",
          health: "/health",
          metrics: "/metrics"
        })
    })
  })
)
