import { PgClient } from "@effect/sql-pg"
import { type Context, Effect, Layer, Stream } from "effect"
import { Reactivity } from "effect/reactivity"
import { SqlClient, type SqlConnection } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"

/**
 * A service whose methods the test gives; any other method dies, so a handler
 * calling something the test did not expect fails loudly.
 */
export const stub = <I, S extends object>(tag: Context.Service<I, S>, methods: Partial<S>) =>
  Layer.succeed(
    tag,
    new Proxy(methods as S, {
      get: (target, key) =>
        key in target
          ? target[key as keyof S]
          : () => Effect.die(new Error(`${tag.key}.${String(key)} was not expected in this test`))
    })
  )

/**
 * A SqlClient without a database: every statement's text goes to `answer`, which gives its rows or a
 * SqlError (a database that is down, say). For code that only runs a probe or two; anything with real
 * queries belongs on the test database.
 */
export const sqlClientStub = (answer: (sql: string) => Effect.Effect<ReadonlyArray<object>, SqlError>) => {
  const run = (sql: string) => answer(sql)
  const connection: SqlConnection.Connection = {
    execute: run,
    executeRaw: run,
    executeUnprepared: run,
    executeValues: (sql) => Effect.map(run(sql), (rows) => rows.map((row) => Object.values(row))),
    executeValuesUnprepared: (sql) => Effect.map(run(sql), (rows) => rows.map((row) => Object.values(row))),
    executeStream: (sql) => Stream.fromIterableEffect(run(sql))
  }
  return Layer.effect(
    SqlClient.SqlClient,
    SqlClient.make({
      acquirer: Effect.succeed(connection),
      compiler: PgClient.makeCompiler(),
      driver: "stub",
      spanAttributes: []
    })
  ).pipe(Layer.provide(Reactivity.layer))
}

/** What a stub was asked, in order: `record(call, result)` notes the call and answers `result`. */
export const recorder = () => {
  const calls: Array<string> = []
  const record = <A>(call: string, result: A) => Effect.sync(() => calls.push(call)).pipe(Effect.as(result))
  return { calls, record }
}
