import { PgClient } from "@effect/sql-pg"
import { assert, layer } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Layer, Redacted, Scope } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import * as Reactivity from "effect/reactivity/Reactivity"
import { Draining } from "../src/http/Drain.ts"
import { TestDatabaseUrl } from "./support/TestDatabase.ts"
import { request, TestServer, TestServerLive } from "./support/TestServer.ts"

/** Completed when the slow route has started: the shutdown below must find a request in flight. */
const slowStarted = Deferred.makeUnsafe<void>()
const SlowRoute = HttpRouter.add(
  "GET",
  "/test/slow",
  Deferred.succeed(slowStarted, undefined).pipe(
    Effect.andThen(Effect.sleep("300 millis")),
    Effect.as(HttpServerResponse.jsonUnsafe({ done: true }))
  )
)

layer(Layer.empty, { excludeTestServices: true })("lifecycle", (it) => {
  it.effect("shutting the server down lets an in-flight request finish", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(TestServerLive({}, { routes: SlowRoute }), scope)
      const { url } = context.mapUnsafe.get(TestServer.key) as { url: string }
      const inFlight = yield* Effect.forkChild(request(url, "/test/slow"))
      yield* Deferred.await(slowStarted)
      yield* Scope.close(scope, Exit.void)
      const res = yield* Fiber.join(inFlight)
      assert.strictEqual(res.status, 200)
      assert.deepStrictEqual(res.body, { done: true })
      const refused = yield* Effect.promise(() =>
        fetch(`${url}/health`).then(
          () => "served",
          () => "refused"
        )
      )
      assert.strictEqual(refused, "refused")
    })
  )

  it.effect("GET /ready is 503 while the server drains for shutdown", () =>
    Effect.gen(function* () {
      let draining = false
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(
        TestServerLive().pipe(Layer.provide(Layer.succeed(Draining, { draining: () => draining }))),
        scope
      )
      const { url } = context.mapUnsafe.get(TestServer.key) as { url: string }
      assert.strictEqual((yield* request(url, "/ready")).status, 200)
      draining = true
      const res = yield* request(url, "/ready")
      assert.strictEqual(res.status, 503)
      assert.strictEqual(res.body.status, "not_ready")
      assert.strictEqual(res.body.database, "up")
      yield* Scope.close(scope, Exit.void)
    })
  )

  it.effect("GET /ready is 503 naming the database when it is unreachable", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(TestServerLive(), scope)
      const { url } = context.mapUnsafe.get(TestServer.key) as { url: string }
      const dbUrl = context.mapUnsafe.get(TestDatabaseUrl.key) as string
      assert.strictEqual((yield* request(url, "/ready")).status, 200)
      const admin = new URL(dbUrl)
      const name = admin.pathname.slice(1)
      admin.pathname = "/postgres"
      yield* Effect.scoped(
        Effect.gen(function* () {
          const sql = yield* PgClient.make({ url: Redacted.make(admin.toString()), maxConnections: 1 })
          yield* sql.unsafe(`DROP DATABASE "${name}" WITH (FORCE)`)
        })
      ).pipe(Effect.provide(Reactivity.layer))
      const res = yield* request(url, "/ready")
      assert.strictEqual(res.status, 503)
      assert.deepStrictEqual(res.body, { status: "not_ready", database: "down", redis: res.body.redis })
      yield* Scope.close(scope, Exit.void)
    })
  )
})
