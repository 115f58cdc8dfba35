import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { HttpApiTest } from "effect/http-api"
import { ConnectionError, SqlError } from "effect/sql/SqlError"
import { Api } from "../../src/http/Api.ts"
import { Draining } from "../../src/http/Drain.ts"
import { SystemHandlers } from "../../src/http/SystemHandlers.ts"
import { DbPool } from "../../src/infra/PgPoolClient.ts"
import { ReadReplica } from "../../src/infra/ReadReplica.ts"
import { SharedStore } from "../../src/infra/SharedStore.ts"
import { MetricsScraper } from "../../src/infra/Telemetry.ts"
import { asCaller, AuthenticationTest } from "../support/handlerTest.ts"
import { sqlClientStub, stub } from "../support/stub.ts"

// What the probes see, switched by each test: the database answering, Redis, a drain in progress.
const world = { database: true, redis: "up" as "up" | "memory", draining: false, refreshes: 0 }

const DatabaseStub = sqlClientStub((sql) =>
  world.database
    ? Effect.succeed(sql.includes("pg_stat_activity") ? [{ open: 3, lock_waits: 0 }] : [{ "?column?": 1 }])
    : Effect.fail(new SqlError({ reason: new ConnectionError({ cause: new Error("connect ECONNREFUSED") }) }))
)
const StoreStub = stub(SharedStore, {
  status: Effect.sync(() => world.redis),
  ping: Effect.succeed(true)
})
const ScraperStub = stub(MetricsScraper, {
  // The handlers register what to refresh before each scrape; the stub runs it on every scrape.
  refreshOnScrape: (refresh) =>
    Effect.sync(() => {
      scrapeRefresh = refresh
    }),
  scrape: Effect.suspend(() => scrapeRefresh).pipe(
    Effect.andThen(Effect.sync(() => world.refreshes++)),
    Effect.as("shop_up 1\n")
  )
})
let scrapeRefresh: Effect.Effect<void> = Effect.void

const HandlersTest = SystemHandlers.pipe(
  Layer.provide([
    DatabaseStub,
    StoreStub,
    ScraperStub,
    Layer.succeed(DbPool, { usage: () => ({ used: 1, pending: 0, max: 10 }) }),
    ReadReplica.none,
    Layer.succeed(Draining, { draining: () => world.draining })
  ]),
  Layer.provideMerge(AuthenticationTest)
)
// The system group is top level: its endpoints are methods of the client itself.
const client = HttpApiTest.groups(Api, ["system"])

layer(HandlersTest)("system handlers, with the database, Redis and metrics swapped for stubs", (it) => {
  it.effect("ready with the database and Redis up; Redis in memory is still ready", () =>
    Effect.gen(function* () {
      Object.assign(world, { database: true, redis: "up", draining: false })
      const system = yield* client
      assert.deepStrictEqual(yield* system.ready(), { status: "ready", database: "up", redis: "up" })
      world.redis = "memory"
      assert.deepStrictEqual(yield* system.ready(), { status: "ready", database: "up", redis: "memory" })
    }).pipe(Effect.provide(asCaller(undefined)))
  )

  it.effect("a database that fails its probe is 503 not_ready, while /health stays healthy", () =>
    Effect.gen(function* () {
      Object.assign(world, { database: false, redis: "up", draining: false })
      const system = yield* client
      const refused = yield* Effect.flip(system.ready())
      assert.deepStrictEqual(refused, { status: "not_ready", database: "down", redis: "up" })
      assert.strictEqual((yield* system.health()).status, "healthy")
    }).pipe(Effect.provide(asCaller(undefined)))
  )

  it.effect("a draining server is not ready even with everything up", () =>
    Effect.gen(function* () {
      Object.assign(world, { database: true, redis: "up", draining: true })
      const system = yield* client
      const refused = yield* Effect.flip(system.ready())
      assert.deepStrictEqual(refused, { status: "not_ready", database: "up", redis: "up" })
    }).pipe(Effect.provide(asCaller(undefined)))
  )

  it.effect("/metrics is the scraper's text, refreshed on each scrape; /api links the rest", () =>
    Effect.gen(function* () {
      Object.assign(world, { database: true, draining: false, refreshes: 0 })
      const system = yield* client
      assert.strictEqual(yield* system.metrics(), "shop_up 1\n")
      assert.strictEqual(world.refreshes, 1)
      const info = yield* system.info()
      assert.deepStrictEqual(
        [info.docs, info.openapi, info.health, info.metrics],
        ["/docs", "/openapi.json", "/health", "/metrics"]
      )
    }).pipe(Effect.provide(asCaller(undefined)))
  )
})
