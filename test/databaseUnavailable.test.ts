import { assert, layer } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { ConnectionError, SqlError, UniqueViolation, UnknownError } from "effect/sql/SqlError"
import { isDatabaseUnavailable } from "../src/infra/DatabaseUnavailable.ts"
import * as PgPoolClient from "../src/infra/PgPoolClient.ts"
import { TestDatabaseLive, TestDatabaseUrl } from "./support/TestDatabase.ts"

const pgError = (code: string) =>
  new SqlError({
    reason: new UnknownError({
      cause: Object.assign(new Error(`SQLSTATE ${code}`), { code }),
      message: "PgConnection: Failed to connect",
      operation: "connect"
    })
  })

/** One connection and a short acquire timeout, so that a pool with every connection lent out is easy to cause. */
const OnePool = Layer.unwrap(
  Effect.gen(function* () {
    const url = yield* TestDatabaseUrl
    return PgPoolClient.layer({ url: Redacted.make(url), maxConnections: 1 }, { acquireTimeout: "200 millis" })
  })
).pipe(Layer.provide(TestDatabaseLive))

layer(OnePool, { excludeTestServices: true })("database unavailable", (it) => {
  it.effect(
    "connection failures, shutdown and out-of-connections states count, whether failed or died; others do not",
    () =>
      Effect.sync(() => {
        const refused = new SqlError({
          reason: new ConnectionError({ cause: new Error("ECONNREFUSED"), message: "refused", operation: "connect" })
        })
        assert.isTrue(isDatabaseUnavailable(Cause.fail(refused)))
        assert.isTrue(isDatabaseUnavailable(Cause.die(refused)))
        for (const code of ["57P01", "57P03", "53300"]) assert.isTrue(isDatabaseUnavailable(Cause.die(pgError(code))))
        assert.isFalse(isDatabaseUnavailable(Cause.die(pgError("42601"))))
        const unique = new SqlError({
          reason: new UniqueViolation({ cause: new Error("dup"), message: "dup", operation: "query", constraint: "x" })
        })
        assert.isFalse(isDatabaseUnavailable(Cause.fail(unique)))
        assert.isFalse(isDatabaseUnavailable(Cause.die(new Error("bug"))))
      })
  )

  it.effect(
    "a statement that finds every connection lent out waits at most the acquire timeout, then fails as unavailable",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const busy = yield* Effect.forkChild(sql`SELECT pg_sleep(1.5)`)
        yield* Effect.sleep("300 millis")
        const start = performance.now()
        const exit = yield* Effect.exit(sql`SELECT 1`)
        const waited = performance.now() - start
        assert.isTrue(Exit.isFailure(exit) && isDatabaseUnavailable(exit.cause))
        assert.isBelow(waited, 1200)
        yield* Fiber.join(busy)
        // Free again: statements go through.
        assert.deepStrictEqual(yield* sql<{ one: number }>`SELECT 1 AS one`, [{ one: 1 }])
      })
  )
})
