import type { PgClient } from "@effect/sql-pg"
import { Context, Duration, Effect, Layer, Metric } from "effect"
import { Reactivity } from "effect/reactivity"
import { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"
import { dbReadStatements } from "./Metrics.ts"
import * as PgPoolClient from "./PgPoolClient.ts"

/**
 * The client for catalog and review reads. With DATABASE_READ_URL its statements go to the streaming replica
 * while it is up, within DATABASE_READ_MAX_LAG, and has replayed the writes the read depends on (ReadFloor);
 * to the primary otherwise. Transactions, and statements inside the primary's transactions, always run on
 * the primary. Without a replica it is the primary's client.
 */
export class ReadSql extends Context.Service<ReadSql, SqlClient.SqlClient>()("shop/infra/ReadSql") {}

/**
 * The primary's WAL position (bytes) a read has to see: set by the read cache to the position recorded after
 * the writes its versions stand for. A replica that has not replayed this far is skipped for the read.
 */
export const ReadFloor = Context.Reference<number>("shop/infra/ReadFloor", { defaultValue: () => 0 })

/** none: no DATABASE_READ_URL; mismatch: the URL is not a standby of the primary's database. */
export type ReplicaStatus = "none" | "up" | "lagging" | "down" | "mismatch"

export interface ReplicaState {
  readonly status: ReplicaStatus
  /** Seconds the replica has been missing WAL the primary had; null when unknown or without a replica. */
  readonly lagSeconds: number | null
  /** WAL position the replica has replayed up to (bytes). */
  readonly replayed: number
  readonly reason: string
}

export class ReadReplica extends Context.Service<
  ReadReplica,
  {
    readonly configured: boolean
    readonly state: Effect.Effect<ReplicaState>
    /**
     * The primary's WAL position now, outside any transaction: taken after a commit, every read that must see
     * that write needs a replica that replayed this far. 0 without a replica.
     */
    readonly writePosition: Effect.Effect<number, SqlError>
    /** From now on the replica serves reads only once it has replayed the primary's current position. */
    readonly requireReplayedNow: Effect.Effect<void, SqlError>
  }
>()("shop/infra/ReadReplica") {
  /** No replica (for code that needs no ReadSql, such as the read cache alone). */
  static readonly none = Layer.succeed(ReadReplica, {
    configured: false,
    state: Effect.succeed<ReplicaState>({
      status: "none",
      lagSeconds: null,
      replayed: 0,
      reason: "DATABASE_READ_URL is not set"
    }),
    writePosition: Effect.succeed(0),
    requireReplayedNow: Effect.void
  })

  /** No replica: ReadSql is the primary's client. Needs the SqlClient. */
  static readonly layerNone = Layer.merge(Layer.effect(ReadSql, Effect.service(SqlClient.SqlClient)), ReadReplica.none)
}

export interface ReplicaOptions {
  readonly maxLag: Duration.Duration
  /** How often the replica's position is compared with the primary's (default: a quarter of maxLag, 100 ms-1 s). */
  readonly checkEvery?: Duration.Duration
}

interface Identity {
  readonly system: string
  readonly db: string
}

/** How many primary positions are remembered to date the replica's lag (one per check). */
const MAX_SAMPLES = 10_000

/**
 * The primary's pool (SqlClient, DbPool), a pool on the replica, the routing ReadSql and ReadReplica. A
 * fiber checks the replica every `checkEvery`: that it is a standby (in recovery) of the primary's cluster
 * (same system identifier) and database, and how far behind it is. It logs one WARN when the replica stops
 * serving reads and one when it serves them again.
 */
export const layerWithReplica = (
  primaryConfig: PgClient.PgPoolConfig,
  replicaConfig: PgClient.PgPoolConfig,
  poolOptions: PgPoolClient.PoolOptions,
  options: ReplicaOptions
) =>
  Layer.effectContext(
    Effect.gen(function* () {
      const primary = yield* PgPoolClient.make(primaryConfig, poolOptions)
      const replica = yield* PgPoolClient.make(replicaConfig, { ...poolOptions, logOutages: false })
      const maxLagMs = Duration.toMillis(options.maxLag)
      const checkEvery = options.checkEvery ?? Duration.millis(Math.min(1000, Math.max(100, Math.floor(maxLagMs / 4))))

      // The least position any read needs (the schema's, see requireReplayedNow).
      let schemaFloor = 0
      let state: ReplicaState = { status: "down", lagSeconds: null, replayed: 0, reason: "not checked yet" }
      // Whether reads were told the replica serves them: the WARN lines follow its changes only.
      let serving: boolean | undefined
      const samples: Array<{ readonly at: number; readonly lsn: number }> = []

      const publish = (next: ReplicaState) =>
        Effect.gen(function* () {
          state = next
          const up = next.status === "up"
          if (serving === up) return
          const first = serving === undefined
          serving = up
          if (up)
            yield* first
              ? Effect.logInfo("Read replica is up: catalog and review reads go to it")
              : Effect.logWarning("Read replica is back: catalog and review reads go to it again")
          else
            yield* Effect.logWarning(
              `Read replica ${next.status} (${next.reason}): catalog and review reads go to the primary`
            )
        })

      const primaryCheck = primary.client<Identity & { readonly lsn: string }>`
        SELECT (pg_current_wal_lsn() - '0/0')::text AS lsn, current_database() AS db,
               (SELECT system_identifier::text FROM pg_control_system()) AS system`
      const replicaCheck = replica.client<Identity & { readonly recovery: boolean; readonly replayed: string | null }>`
        SELECT pg_is_in_recovery() AS recovery, (pg_last_wal_replay_lsn() - '0/0')::text AS replayed,
               current_database() AS db, (SELECT system_identifier::text FROM pg_control_system()) AS system`

      const check = Effect.gen(function* () {
        const [p] = yield* primaryCheck.pipe(Effect.timeout("2 seconds"))
        const now = Date.now()
        samples.push({ at: now, lsn: Number(p!.lsn) })
        if (samples.length > MAX_SAMPLES) samples.shift()
        const r = yield* replicaCheck.pipe(
          Effect.timeout("2 seconds"),
          Effect.map((rows) => rows[0]!),
          Effect.catchCause((cause) =>
            Effect.as(
              publish({
                status: "down",
                lagSeconds: null,
                replayed: state.replayed,
                reason: describe(cause)
              }),
              undefined
            )
          )
        )
        if (r === undefined) return
        if (r.system !== p!.system || r.db !== p!.db)
          return yield* publish({
            status: "mismatch",
            lagSeconds: null,
            replayed: 0,
            reason:
              r.system !== p!.system
                ? `DATABASE_READ_URL is a replica of another database: system identifier ${r.system}, the primary's ${p!.system}`
                : `DATABASE_READ_URL names database "${r.db}", the primary's is "${p!.db}"`
          })
        if (!r.recovery)
          return yield* publish({
            status: "mismatch",
            lagSeconds: null,
            replayed: 0,
            reason: "DATABASE_READ_URL names a server that is not a standby (pg_is_in_recovery() is false)"
          })
        const replayed = Number(r.replayed ?? 0)
        // The oldest position the primary had that the replica still lacks dates the lag; older ones it has.
        while (samples.length > 0 && samples[0]!.lsn <= replayed) samples.shift()
        const lagSeconds = samples.length === 0 ? 0 : (now - samples[0]!.at) / 1000
        yield* publish({
          status: lagSeconds * 1000 > maxLagMs ? "lagging" : "up",
          lagSeconds,
          replayed,
          reason:
            lagSeconds * 1000 > maxLagMs
              ? `replication lag ${lagSeconds.toFixed(1)} s is past DATABASE_READ_MAX_LAG ${Duration.format(options.maxLag)}`
              : "ok"
        })
      }).pipe(Effect.catchCause(() => Effect.void))

      yield* check
      yield* check.pipe(Effect.delay(checkEvery), Effect.forever, Effect.forkScoped)

      const readStatements = {
        primary: Metric.withAttributes(dbReadStatements, { server: "primary" }),
        replica: Metric.withAttributes(dbReadStatements, { server: "replica" })
      }
      const readClient = yield* PgPoolClient.makeRouted(primaryConfig, primary, replica, {
        useReplica: Effect.map(
          Effect.service(ReadFloor),
          (floor) => state.status === "up" && state.replayed >= Math.max(floor, schemaFloor)
        ),
        onReplicaFailure: (error) =>
          state.status === "up"
            ? publish({ ...state, status: "down", lagSeconds: null, reason: error.reason.message })
            : Effect.void,
        served: (by) => Metric.update(readStatements[by], 1)
      })

      const writePosition = primary.client<{
        readonly lsn: string
      }>`SELECT (pg_current_wal_lsn() - '0/0')::text AS lsn`.pipe(
        Effect.map(([row]) => Number(row!.lsn)),
        Effect.updateContext((context: Context.Context<never>) =>
          Context.omit(primary.client.transactionService)(context)
        )
      )

      return Context.make(SqlClient.SqlClient, primary.client).pipe(
        Context.add(PgPoolClient.DbPool, { usage: primary.usage }),
        Context.add(ReadSql, readClient),
        Context.add(ReadReplica, {
          configured: true,
          state: Effect.sync(() => state),
          writePosition,
          requireReplayedNow: Effect.map(writePosition, (position) => {
            schemaFloor = Math.max(schemaFloor, position)
          })
        })
      )
    })
  ).pipe(Layer.provide(Reactivity.layer))

const describe = (cause: { readonly reasons: ReadonlyArray<unknown> }) => {
  const reason = cause.reasons[0] as { error?: { reason?: { message?: string }; message?: string } } | undefined
  return reason?.error?.reason?.message ?? reason?.error?.message ?? "no answer"
}
