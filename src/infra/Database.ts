import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Context, Duration, Effect, Layer, Option, Redacted } from "effect"
import { Migrator, SqlClient } from "effect/sql"
import { AppConfig } from "./AppConfig.ts"
import { ConnectionBudgetLive } from "./ConnectionBudget.ts"
import { acquireEmbeddedPostgres } from "./EmbeddedPostgres.ts"
import * as PgPoolClient from "./PgPoolClient.ts"
import { layerWithReplica, ReadReplica } from "./ReadReplica.ts"

/** How this process's connections name themselves to PostgreSQL (pg_stat_activity): one name per worker. */
export const APPLICATION_NAME = `flipkart-monolith/${process.pid}`

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../migrations")

/** Where the database is: the configured DATABASE_URL, or an embedded server we started. */
export class DatabaseUrl extends Context.Service<
  DatabaseUrl,
  { readonly url: Redacted.Redacted<string>; readonly embedded: boolean; readonly created: boolean }
>()("shop/infra/DatabaseUrl") {
  static readonly layer = Layer.effect(
    DatabaseUrl,
    Effect.gen(function* () {
      const config = yield* AppConfig
      if (Option.isSome(config.databaseUrl)) {
        return { url: config.databaseUrl.value, embedded: false, created: false }
      }
      const dir = path.join(config.dataDir, "postgres")
      yield* Effect.logInfo(`DATABASE_URL is not set: starting the embedded PostgreSQL in ${dir}`)
      const handle = yield* acquireEmbeddedPostgres(dir)
      return { url: Redacted.make(handle.url), embedded: true, created: handle.created }
    })
  )

  static readonly fixed = (url: string) =>
    Layer.succeed(DatabaseUrl, { url: Redacted.make(url), embedded: false, created: false })
}

/**
 * Splits a migration file into single statements: the driver uses the extended
 * protocol only, which takes one statement at a time. Quotes, dollar-quoted
 * bodies and comments are respected.
 */
export const splitStatements = (text: string): Array<string> => {
  const out: Array<string> = []
  let start = 0
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === "-" && text[i + 1] === "-") {
      const end = text.indexOf("\n", i)
      i = end === -1 ? text.length : end + 1
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2)
      i = end === -1 ? text.length : end + 2
    } else if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1)
      i = end === -1 ? text.length : end + 1
    } else if (c === "$") {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i))?.[0]
      if (tag) {
        const end = text.indexOf(tag, i + tag.length)
        i = end === -1 ? text.length : end + tag.length
      } else i++
    } else if (c === ";") {
      out.push(text.slice(start, i))
      start = ++i
    } else i++
  }
  out.push(text.slice(start))
  return out.map((s) => s.trim()).filter((s) => s.replace(/--.*$/gm, "").trim().length > 0)
}

/** Loads `migrations/NNNN_name.sql` files; each runs as its statements in order. */
export const migrationsLoader = (dir = MIGRATIONS_DIR): Migrator.Loader =>
  Effect.try({
    try: () =>
      fs
        .readdirSync(dir)
        .flatMap((file) => {
          const match = /^(\d+)_(.+)\.sql$/.exec(file)
          if (!match) return []
          const statements = splitStatements(fs.readFileSync(path.join(dir, file), "utf8"))
          const load = Effect.gen(function* () {
            const sql = yield* SqlClient.SqlClient
            for (const statement of statements) yield* sql.unsafe(statement)
          })
          return [[Number(match[1]), match[2]!, Effect.succeed(load)] as const]
        })
        .sort((a, b) => a[0] - b[0]),
    catch: (cause) => new Migrator.MigrationError({ kind: "ImportError", message: `cannot read ${dir}`, cause })
  })

export const runMigrations = Migrator.make({})({ loader: migrationsLoader() })

/** How the replica's connections name themselves to it. */
export const READ_APPLICATION_NAME = `${APPLICATION_NAME}/read`

/**
 * The connection pool, sized by DB_POOL_MAX, with ReadSql for catalog and review reads: with DATABASE_READ_URL
 * a second pool (as large) on the replica and the routing between the two, else the same pool.
 */
export const PgLive = Layer.unwrap(
  Effect.gen(function* () {
    const { url } = yield* DatabaseUrl
    const config = yield* AppConfig
    const primary = {
      url,
      maxConnections: config.dbPoolMax,
      prepare: config.dbPoolMode === "session",
      idleTimeout: Duration.seconds(60),
      connectTimeout: Duration.seconds(5),
      applicationName: APPLICATION_NAME
    }
    const options = { acquireTimeout: config.dbAcquireTimeout }
    return Option.match(config.databaseReadUrl, {
      onNone: () => ReadReplica.layerNone.pipe(Layer.provideMerge(PgPoolClient.layer(primary, options))),
      onSome: (readUrl) =>
        layerWithReplica(
          primary,
          { ...primary, url: readUrl, connectTimeout: Duration.seconds(2), applicationName: READ_APPLICATION_NAME },
          options,
          { maxLag: config.databaseReadMaxLag }
        )
    })
  })
)

/** Applies pending migrations at start-up; a failed migration fails the layer. */
export const MigrationsLive = Layer.effectDiscard(
  Effect.gen(function* () {
    const applied = yield* runMigrations
    if (applied.length > 0)
      yield* Effect.logInfo(`applied migrations: ${applied.map(([id, name]) => `${id}_${name}`).join(", ")}`)
    // A replica that has not replayed the schema this code expects (a migration just applied, here or by
    // whoever started first) serves no read of this process.
    yield* (yield* ReadReplica).requireReplayedNow
  })
)

/** The pool with migrations applied, on the DatabaseUrl given (its size checked against the server first). */
export const PoolLive = Layer.provideMerge(MigrationsLive.pipe(Layer.provide(ConnectionBudgetLive)), PgLive)

/** The pool with migrations applied, on DATABASE_URL or the embedded server (DatabaseUrl included). */
export const DatabaseLive = PoolLive.pipe(Layer.provideMerge(DatabaseUrl.layer))
