import { assert, layer } from "@effect/vitest"
import { Effect, Fiber, Layer, Metric, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { dbConnectionsWait } from "../src/infra/Metrics.ts"
import * as PgPoolClient from "../src/infra/PgPoolClient.ts"
import { TestDatabaseLive, TestDatabaseUrl } from "./support/TestDatabase.ts"

/** A two-connection pool on the file's own database, so that waiting is easy to cause. */
const SmallPool = Layer.unwrap(
  Effect.gen(function* () {
    const url = yield* TestDatabaseUrl
    return PgPoolClient.layer({ url: Redacted.make(url), maxConnections: 2 })
  })
).pipe(Layer.provide(TestDatabaseLive))

/** Polls until `usage` matches, so the test does not depend on how fast statements start. */
const usageBecomes = (expected: Partial<PgPoolClient.PoolUsage>) =>
  Effect.gen(function* () {
    const pool = yield* PgPoolClient.DbPool
    for (let i = 0; i < 200; i++) {
      const usage = pool.usage()
      if (Object.entries(expected).every(([k, v]) => usage[k as keyof PgPoolClient.PoolUsage] === v)) return usage
      yield* Effect.sleep("10 millis")
    }
    return assert.fail(`pool usage never became ${JSON.stringify(expected)}: ${JSON.stringify(pool.usage())}`)
  })

layer(SmallPool, { excludeTestServices: true })("pool counters", (it) => {
  it.effect("statements beyond the pool's size wait, are counted as pending, and the counts return to zero", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const before = yield* Metric.value(dbConnectionsWait)
      const sleeps = yield* Effect.forkChild(
        Effect.all(
          Array.from({ length: 6 }, () => sql`SELECT pg_sleep(0.3)`),
          { concurrency: "unbounded" }
        )
      )
      assert.deepStrictEqual(yield* usageBecomes({ used: 2, pending: 4 }), { used: 2, pending: 4, max: 2 })
      yield* Fiber.join(sleeps)
      yield* usageBecomes({ used: 0, pending: 0 })
      const after = yield* Metric.value(dbConnectionsWait)
      assert.strictEqual(after.count - before.count, 6)
      // Two connections for six 0.3 s sleeps: two waited about 0.3 s and two about 0.6 s.
      assert.isAtLeast(after.sum - before.sum, 1.5)
    })
  )

  it.effect("a transaction holds its connection between statements; a waiter that is interrupted stops counting", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const transaction = yield* Effect.forkChild(
        sql.withTransaction(
          Effect.gen(function* () {
            yield* sql`SELECT 1`
            yield* Effect.sleep("300 millis")
            yield* sql`SELECT 2`
          })
        )
      )
      const other = yield* Effect.forkChild(sql`SELECT pg_sleep(0.3)`)
      yield* usageBecomes({ used: 2, pending: 0 })
      const waiter = yield* Effect.forkChild(sql`SELECT 3`)
      yield* usageBecomes({ used: 2, pending: 1 })
      yield* Fiber.interrupt(waiter)
      yield* usageBecomes({ used: 2, pending: 0 })
      yield* Fiber.join(transaction)
      yield* Fiber.join(other)
      yield* usageBecomes({ used: 0, pending: 0 })
    })
  )

  it.effect("a failing statement gives its connection back", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const failed = yield* Effect.flip(sql`SELECT * FROM no_such_table`)
      assert.strictEqual(failed._tag, "SqlError")
      const rolledBack = yield* Effect.flip(sql.withTransaction(sql`SELECT 1/0`))
      assert.strictEqual(rolledBack._tag, "SqlError")
      yield* usageBecomes({ used: 0, pending: 0 })
      assert.deepStrictEqual(yield* sql<{ n: number }>`SELECT 1::int AS n`, [{ n: 1 }])
    })
  )
})
