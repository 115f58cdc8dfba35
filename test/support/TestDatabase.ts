import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer, Redacted } from "effect"
import * as Reactivity from "effect/reactivity/Reactivity"
import { SqlClient } from "effect/sql"
import { APPLICATION_NAME, runMigrations } from "../../src/infra/Database.ts"
import * as PgPoolClient from "../../src/infra/PgPoolClient.ts"
import { ReadReplica } from "../../src/infra/ReadReplica.ts"
import { unique } from "./unique.ts"

const adminUrl = () => {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL
  if (!url) throw new Error("TEST_DATABASE_URL is not set: run the tests through vitest (globalSetup)")
  return url
}

/** The URL of the test's own database, for code that connects by itself. */
export class TestDatabaseUrl extends Context.Service<TestDatabaseUrl, string>()("test/TestDatabaseUrl") {}

const onAdmin = (statement: string) =>
  Effect.scoped(
    Effect.gen(function* () {
      const sql = yield* PgClient.make({ url: Redacted.make(adminUrl()), maxConnections: 1 })
      yield* sql.unsafe(statement)
    })
  ).pipe(Effect.provide(Reactivity.layer), Effect.orDie)

/**
 * A fresh database for one test file (or one `layer(...)` block): created on
 * the test server, migrated, and dropped when the layer's scope closes. It
 * provides the app's real SqlClient (and its DbPool counters), so services run against PostgreSQL.
 */
export const TestDatabaseLive = Layer.unwrap(
  Effect.gen(function* () {
    const name = unique("test_")
    yield* Effect.acquireRelease(onAdmin(`CREATE DATABASE "${name}"`), () =>
      onAdmin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    )
    const url = new URL(adminUrl())
    url.pathname = `/${name}`
    const pool = PgPoolClient.layer({
      url: Redacted.make(url.toString()),
      maxConnections: 20,
      prepare: process.env.DB_POOL_MODE !== "transaction",
      applicationName: APPLICATION_NAME
    })
    return Layer.provideMerge(
      Layer.effectDiscard(runMigrations),
      ReadReplica.layerNone.pipe(Layer.provideMerge(pool))
    ).pipe(Layer.orDie, Layer.merge(Layer.succeed(TestDatabaseUrl, url.toString())))
  })
)

/** How many rows a table holds: for tests that check a refused request wrote nothing. */
export const countRows = (table: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql(table)}`
    return rows[0]!.n
  }).pipe(Effect.orDie)
