import { Effect, Metric } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { SqlClient } from "effect/sql"
import { APPLICATION_NAME } from "../infra/Database.ts"
import {
  dbConnectionsUsage,
  dbConnectionsMax,
  dbConnectionsPending,
  dbLockWaits,
  dbReplicaLag,
  dbReplicaUp
} from "../infra/Metrics.ts"
import { DbPool } from "../infra/PgPoolClient.ts"
import { ReadReplica } from "../infra/ReadReplica.ts"
import { refreshProcessMetrics } from "../infra/ProcessMetrics.ts"
import { SharedStore } from "../infra/SharedStore.ts"
import { MetricsScraper } from "../infra/Telemetry.ts"
import { SERVICE_NAME, SERVICE_VERSION } from "../infra/version.ts"
import { Api } from "./Api.ts"
import { Draining } from "./Drain.ts"

export const SystemHandlers = HttpApiBuilder.group(
  Api,
  "system",
  Effect.fn(function* (handlers) {
    const sql = yield* SqlClient.SqlClient
    const pool = yield* DbPool
    const store = yield* SharedStore
    const metrics = yield* MetricsScraper
    const drain = yield* Draining
    const replica = yield* ReadReplica
    const health = { status: "healthy", service: SERVICE_NAME, version: SERVICE_VERSION } as const

    const database = sql`SELECT 1`.pipe(
      Effect.timeout("2 seconds"),
      Effect.as("up" as const),
      Effect.catchCause(() => Effect.succeed("down" as const))
    )
    const replicaReadiness = Effect.map(replica.state, ({ status, lagSeconds }) => ({
      status: status === "none" ? ("down" as const) : status,
      lag_seconds: lagSeconds === null ? null : Math.round(lagSeconds * 1000) / 1000
    }))
    const redis = Effect.gen(function* () {
      const status = yield* store.status
      if (status === "memory") return "memory" as const
      return (yield* store.ping) && status === "up" ? ("up" as const) : ("degraded" as const)
    })

    // The pool counts what it lends; how many connections are open only PostgreSQL knows (the pool keeps that
    // private), so idle is those of this process minus the ones lent out.
    const refreshDbMetrics = sql<{ open: number; lock_waits: number }>`
      SELECT count(*)::int AS open, count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS lock_waits
      FROM pg_stat_activity WHERE application_name = ${APPLICATION_NAME}`.pipe(
      Effect.flatMap(([row]) => {
        const { used, pending, max } = pool.usage()
        return Effect.all([
          Metric.update(Metric.withAttributes(dbConnectionsUsage, { state: "used" }), used),
          Metric.update(
            Metric.withAttributes(dbConnectionsUsage, { state: "idle" }),
            Math.max(0, (row?.open ?? 0) - used)
          ),
          Metric.update(dbConnectionsPending, pending),
          Metric.update(dbConnectionsMax, max),
          Metric.update(dbLockWaits, row?.lock_waits ?? 0)
        ])
      }),
      Effect.timeout("1 second"),
      Effect.ignore
    )

    // Only with a replica: without one there is nothing to show.
    const refreshReplicaMetrics = replica.configured
      ? Effect.flatMap(replica.state, ({ status, lagSeconds }) =>
          Effect.all(
            [
              Metric.update(dbReplicaUp, status === "up" ? 1 : 0),
              lagSeconds === null ? Effect.void : Metric.update(dbReplicaLag, lagSeconds)
            ],
            { discard: true }
          )
        )
      : Effect.void

    yield* metrics.refreshOnScrape(
      Effect.all([refreshProcessMetrics, refreshDbMetrics, refreshReplicaMetrics], { discard: true })
    )

    return handlers.handleAll({
      health: () => Effect.succeed(health),
      ready: () =>
        Effect.gen(function* () {
          const [db, cache] = yield* Effect.all([database, redis], { concurrency: 2 })
          // Redis is optional: without it we serve degraded, so only the database (and a drain) decide readiness.
          const ready = db === "up" && !drain.draining()
          const body = { status: ready ? ("ready" as const) : ("not_ready" as const), database: db, redis: cache }
          // A replica that cannot serve does not make the instance unready: its reads go to the primary.
          const withReplica = replica.configured ? { ...body, replica: yield* replicaReadiness } : body
          return ready ? withReplica : yield* Effect.fail(withReplica)
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
