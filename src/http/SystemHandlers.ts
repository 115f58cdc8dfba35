import { Effect, Metric } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { SqlClient } from "effect/sql"
import { APPLICATION_NAME } from "../infra/Database.ts"
import { dbConnections, dbLockWaits } from "../infra/Metrics.ts"
import { refreshProcessMetrics } from "../infra/ProcessMetrics.ts"
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

    // Connections of this app as PostgreSQL sees them; the driver's pool exposes no counters of its own.
    const refreshDbMetrics = sql<{ state: string; n: number; waiting: number }>`
      SELECT coalesce(replace(state, ' ', '_'), 'unknown') AS state, count(*)::int AS n,
             count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS waiting
      FROM pg_stat_activity WHERE application_name = ${APPLICATION_NAME} AND pid <> pg_backend_pid()
      GROUP BY 1`.pipe(
      Effect.flatMap((rows) =>
        Effect.forEach(["active", "idle", "idle_in_transaction"], (state) =>
          Metric.update(Metric.withAttributes(dbConnections, { state }), rows.find((r) => r.state === state)?.n ?? 0)
        ).pipe(
          Effect.andThen(
            Metric.update(
              dbLockWaits,
              rows.reduce((sum, r) => sum + r.waiting, 0)
            )
          )
        )
      ),
      Effect.timeout("1 second"),
      Effect.ignore
    )

    return handlers.handleAll({
      health: () => Effect.succeed(health),
      ready: () =>
        Effect.gen(function* () {
          const [db, cache] = yield* Effect.all([database, redis], { concurrency: 2 })
          // Redis is optional: without it we serve degraded, so only the database decides readiness.
          const body = { status: db === "up" ? ("ready" as const) : ("not_ready" as const), database: db, redis: cache }
          return db === "up" ? body : yield* Effect.fail(body)
        }),
      metrics: () => Effect.andThen(Effect.all([refreshProcessMetrics, refreshDbMetrics]), metrics.scrape),
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
