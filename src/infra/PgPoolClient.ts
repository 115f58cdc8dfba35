import { PgClient, type PgConnection, PgPool } from "@effect/sql-pg"
import { Cause, Context, Duration, Effect, Exit, Layer, type Scope, Stream } from "effect"
import { Reactivity } from "effect/reactivity"
import { SqlClient, type SqlConnection, Statement } from "effect/sql"
import { ConnectionError, isSqlError, SqlError, UnknownError } from "effect/sql/SqlError"
import { isUnavailableSqlError } from "./DatabaseUnavailable.ts"
import { dbConnectionsWait } from "./Metrics.ts"

/**
 * The SqlClient of `PgClient.layer`, built on the same `PgPool`, with the pool
 * counted: connections lent out, requests waiting for one, and how long they
 * waited. `@effect/sql-pg` keeps its pool's counters private, and these are
 * the figures that say the pool is too small. The client part mirrors
 * `PgClient.make` of @effect/sql-pg 4.0.5 (it is not exported in pieces).
 *
 * It also bounds the wait for a connection (the driver's pool waits without
 * limit) by `acquireTimeout`, failing with a ConnectionError, and notices
 * outages: the first statement that finds PostgreSQL unavailable logs one
 * WARN line, the first that succeeds afterwards another.
 */
export interface PoolUsage {
  /** Connections lent to a statement or a transaction. */
  readonly used: number
  /** Statements and transactions waiting for a connection. */
  readonly pending: number
  readonly max: number
}

export class DbPool extends Context.Service<DbPool, { readonly usage: () => PoolUsage }>()("shop/infra/DbPool") {}

export interface PoolOptions {
  /** Longest wait for a connection when every one is lent out (default 10 seconds). */
  readonly acquireTimeout?: Duration.Input
  /** Log a WARN when the server goes away and when it is back (default true; a replica's monitor does its own). */
  readonly logOutages?: boolean
}

/** A counted pool and the client on it, with the ways the client takes connections (for a client that routes). */
export interface Pool {
  readonly client: SqlClient.SqlClient
  readonly usage: () => PoolUsage
  readonly connections: Connections
}

interface Connections {
  readonly acquirer: SqlConnection.Acquirer
  readonly borrower: SqlConnection.Borrower
  readonly transactionAcquirer: SqlConnection.Acquirer
}

export const make = Effect.fnUntraced(function* (config: PgClient.PgPoolConfig, options: PoolOptions = {}) {
  const pool = yield* PgPool.make(config)
  const max = config.maxConnections ?? 10
  let used = 0
  let pending = 0
  const released = Effect.sync(() => {
    used--
  })
  const acquireTimeout = Duration.fromInputUnsafe(options.acquireTimeout ?? Duration.seconds(10))
  const bounded = <A>(get: Effect.Effect<A, SqlError, Scope.Scope>) =>
    Effect.timeoutOrElse(get, {
      duration: acquireTimeout,
      orElse: () =>
        Effect.fail(
          new SqlError({
            reason: new ConnectionError({
              cause: new Error("no pooled connection became free in time"),
              message: `no pooled connection became free within ${Duration.format(acquireTimeout)}`,
              operation: "acquire"
            })
          })
        )
    })

  /**
   * When PostgreSQL went away (undefined while it answers): one log line when it goes, one when it is back. Back
   * means a success a second after the last failure, so that a half-available server (out of connections for some
   * statements) does not log a pair of lines per failure.
   */
  let awaySince: number | undefined
  let lastFailure = 0
  const observe = <A, E>(exit: Exit.Exit<A, E>) =>
    options.logOutages === false || (Exit.isSuccess(exit) && awaySince === undefined)
      ? Effect.void
      : observeChange(exit)
  const observeChange = <A, E>(exit: Exit.Exit<A, E>) =>
    Effect.suspend(() => {
      const now = Date.now()
      if (Exit.isSuccess(exit)) {
        if (awaySince === undefined || now - lastFailure < 1000) return Effect.void
        const seconds = (now - awaySince) / 1000
        awaySince = undefined
        return Effect.logWarning(`PostgreSQL answers again after ${seconds.toFixed(1)} s`)
      }
      const error = exit.cause.reasons
        .map((r) => (Cause.isFailReason(r) ? r.error : Cause.isDieReason(r) ? r.defect : undefined))
        .find(isUnavailableSqlError)
      if (error === undefined) return Effect.void
      lastFailure = now
      if (awaySince !== undefined) return Effect.void
      awaySince = now
      return Effect.logWarning(
        `PostgreSQL unavailable (${error.reason.message}): requests that need it get 503 until it answers again`
      )
    })

  /**
   * Counts one request for a connection: pending until `acquire` calls the
   * callback it is given, then used (until the caller's `released`); pending
   * no more if it fails or is interrupted first.
   */
  const counted = <A, E, R>(acquire: (acquired: () => void) => Effect.Effect<A, E, R>) =>
    Effect.suspend(() => {
      const since = performance.now()
      let waiting = true
      pending++
      return acquire(() => {
        waiting = false
        pending--
        used++
        dbConnectionsWait.updateUnsafe((performance.now() - since) / 1000, Context.empty())
      }).pipe(
        Effect.onExit((exit) => {
          if (waiting) pending--
          return observe(exit)
        })
      )
    })

  /** A lease into the caller's scope (transactions, streams). */
  const lease = (get: Effect.Effect<PgConnection.PgConnection, SqlError, Scope.Scope>) =>
    counted((acquired) =>
      Effect.tap(get, () => {
        acquired()
        return Effect.addFinalizer(() => released)
      })
    ).pipe(Effect.map(connection))

  /** A loan for one statement, the path almost every query takes; when every connection is lent, a bounded wait. */
  const borrower: SqlConnection.Borrower = (f) =>
    counted((acquired) => {
      const run = (conn: PgConnection.PgConnection) => {
        acquired()
        return Effect.ensuring(f(connection(conn)), released)
      }
      return used < max ? pool.use(run) : Effect.scoped(Effect.flatMap(bounded(pool.get), run))
    })

  const connections: Connections = {
    acquirer: lease(bounded(pool.get)),
    borrower,
    transactionAcquirer: lease(bounded(pool.reserve))
  }
  const client = yield* makeClient(config, connections)
  return { client, usage: (): PoolUsage => ({ used, pending, max }), connections } satisfies Pool
})

/**
 * A client whose statements outside transactions go to the replica while `useReplica` says so, and to the
 * primary otherwise; transactions, and every statement inside one of the primary's, go to the primary (the
 * client shares the primary's transaction service). A statement the replica fails to serve (gone, or cancelled
 * by a recovery conflict) runs again on the primary after `onReplicaFailure`: reads can be repeated.
 */
export const makeRouted = (
  config: PgClient.PgPoolConfig,
  primary: Pool,
  replica: Pool,
  route: {
    readonly useReplica: Effect.Effect<boolean>
    readonly onReplicaFailure: (error: SqlError) => Effect.Effect<void>
    readonly served: (by: "primary" | "replica") => Effect.Effect<void>
  }
) => {
  // 40001 on a standby: "canceling statement due to conflict with recovery".
  const failsOver = (error: unknown): error is SqlError =>
    isUnavailableSqlError(error) || (isSqlError(error) && (error.reason.cause as { code?: unknown })?.code === "40001")
  const onPrimary = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.andThen(route.served("primary"), effect)
  const routed = <A, E, R>(onReplica: Effect.Effect<A, E, R>, fallback: Effect.Effect<A, E, R>) =>
    Effect.flatMap(route.useReplica, (replicaOk) =>
      replicaOk
        ? Effect.andThen(route.served("replica"), onReplica).pipe(
            Effect.catchIf(
              (error: E): error is E & SqlError => failsOver(error),
              (error) => Effect.andThen(route.onReplicaFailure(error), onPrimary(fallback))
            )
          )
        : onPrimary(fallback)
    )
  return makeClient(
    config,
    {
      acquirer: routed(replica.connections.acquirer, primary.connections.acquirer),
      borrower: (f) => routed(replica.connections.borrower(f), primary.connections.borrower(f)),
      transactionAcquirer: primary.connections.transactionAcquirer
    },
    primary.client.transactionService
  )
}

const makeClient = (
  config: PgClient.PgPoolConfig,
  connections: Connections,
  transactionService?: SqlClient.SqlClient["transactionService"]
) => {
  const transformRows = config.transformResultNames
    ? Statement.defaultTransforms(config.transformResultNames, config.transformJson).array
    : undefined
  return SqlClient.make({
    driver: "pg",
    ...connections,
    ...(transactionService === undefined ? {} : { transactionService }),
    // PostgreSQL prepares transaction control like any statement.
    prepareTransactionControls: true,
    commit,
    releaseSavepoint: (name) => `RELEASE SAVEPOINT ${name}`,
    compiler: PgClient.makeCompiler(config.transformQueryNames, config.transformJson),
    spanAttributes: [
      ...Object.entries(config.spanAttributes ?? {}),
      ["db.system.name", "postgresql"],
      ["db.namespace", config.database ?? config.username ?? "postgres"],
      ["server.address", config.host ?? "localhost"],
      ["server.port", config.port ?? 5432]
    ],
    transformRows
  })
}

/** SqlClient and DbPool on a new pool; the pool closes with the layer. */
export const layer = (config: PgClient.PgPoolConfig, options: PoolOptions = {}) =>
  Layer.effectContext(
    Effect.map(make(config, options), ({ client, usage }) =>
      Context.make(SqlClient.SqlClient, client).pipe(Context.add(DbPool, { usage }))
    )
  ).pipe(Layer.provide(Reactivity.layer))

/** PostgreSQL answers ROLLBACK to a COMMIT of an aborted transaction: that is a failure, not a success. */
const commit = (conn: SqlConnection.Connection) =>
  Effect.flatMap(conn.executeRaw("COMMIT", []), (result) =>
    (result as PgConnection.Result).command === "ROLLBACK"
      ? Effect.fail(
          new SqlError({
            reason: new UnknownError({
              cause: new Error("COMMIT rolled back an aborted transaction"),
              message: "COMMIT rolled back an aborted transaction",
              operation: "commit"
            })
          })
        )
      : Effect.void
  )

/** One facade per pooled connection, made on its first loan: statements should not pay for six closures each. */
const facades = new WeakMap<PgConnection.PgConnection, SqlConnection.Connection>()
const connection = (conn: PgConnection.PgConnection): SqlConnection.Connection => {
  let facade = facades.get(conn)
  if (facade === undefined) facades.set(conn, (facade = makeFacade(conn)))
  return facade
}

const makeFacade = (conn: PgConnection.PgConnection): SqlConnection.Connection => ({
  execute: (sql, params, transformRows) => {
    const rows = Effect.map(conn.query(sql, params), (result) => result.rows)
    return transformRows ? Effect.map(rows, transformRows) : rows
  },
  executeRaw: (sql, params) => conn.query(sql, params),
  executeUnprepared: (sql, params, transformRows) => {
    const rows = Effect.map(conn.query(sql, params, false), (result) => result.rows)
    return transformRows ? Effect.map(rows, transformRows) : rows
  },
  executeValues: (sql, params) => conn.queryValues(sql, params),
  executeValuesUnprepared: (sql, params) => conn.queryValues(sql, params, false),
  executeStream: (sql, params, transformRows) => {
    const stream = conn.stream(sql, params)
    return transformRows ? Stream.mapArray(stream, (rows) => transformRows(rows) as typeof rows) : stream
  }
})
