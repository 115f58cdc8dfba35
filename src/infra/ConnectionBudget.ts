import cluster from "node:cluster"
import { availableParallelism } from "node:os"
import { Data, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { AppConfig } from "./AppConfig.ts"
import { workerCount } from "./ClusterPrimary.ts"

/** Connections kept free beyond the superusers' reserve: migrations, psql, monitoring. */
export const CONNECTION_RESERVE = 5

export class ConnectionBudgetError extends Data.TaggedError("ConnectionBudgetError")<{ readonly message: string }> {}

/**
 * At start-up (once per instance: the primary or the single process), checks that
 * DB_POOL_MAX x server processes fits the PostgreSQL server's max_connections
 * less its superuser reserve and CONNECTION_RESERVE, and fails naming what to
 * change when it cannot. Connections other clients hold now only warn: they may
 * be this deployment's other replicas. Behind PgBouncer's transaction pooling
 * (DB_POOL_MODE=transaction) PgBouncer's pool sizes bound the server's
 * connections, so there is nothing to check here.
 */
export const ConnectionBudgetLive = Layer.effectDiscard(
  Effect.gen(function* () {
    const config = yield* AppConfig
    if (cluster.isWorker) return
    if (config.dbPoolMode === "transaction") {
      yield* Effect.logInfo("DB_POOL_MODE=transaction: PgBouncer's pool sizes bound the server's connections")
      return
    }
    const processes = workerCount(config, availableParallelism())
    const need = config.dbPoolMax * processes
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ max: number; reserved: number; others: number }>`
      SELECT current_setting('max_connections')::int AS max,
             current_setting('superuser_reserved_connections')::int AS reserved,
             (SELECT count(*)::int FROM pg_stat_activity
               WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()) AS others`
    const { max, reserved, others } = row!
    const capacity = max - reserved - CONNECTION_RESERVE
    const what = `DB_POOL_MAX=${config.dbPoolMax} x ${processes} server process${processes === 1 ? "" : "es"} (WEB_CONCURRENCY) = ${need} connections`
    if (need > capacity) {
      const fits = Math.max(1, Math.floor(capacity / processes))
      return yield* new ConnectionBudgetError({
        message: `${what}, more than PostgreSQL allows: max_connections=${max} less ${reserved} reserved for superusers and ${CONNECTION_RESERVE} kept free = ${capacity}. Set DB_POOL_MAX to ${fits} or less, run fewer processes (WEB_CONCURRENCY), raise max_connections, or put PgBouncer in front (DB_POOL_MODE=transaction); with several instances, instances x WEB_CONCURRENCY x DB_POOL_MAX must fit`
      })
    }
    if (need > capacity - others) {
      yield* Effect.logWarning(
        `${what}; PostgreSQL allows ${capacity} and other clients hold ${others} now: if every pool fills, connections will be refused (instances x WEB_CONCURRENCY x DB_POOL_MAX must fit ${capacity})`
      )
    }
  })
)
