import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { NodeHttpServer } from "@effect/platform-node"
import { Context, Effect, Layer, References } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import { AppRoutes, ROUTER_CONFIG } from "../../src/http/Server.ts"
import { AppConfig, type AppConfigShape } from "../../src/infra/AppConfig.ts"
import type { SharedStore } from "../../src/infra/SharedStore.ts"
import { TelemetryLive } from "../../src/infra/Telemetry.ts"
import { contractProblems } from "./ContractCheck.ts"
import { TestDatabaseLive } from "./TestDatabase.ts"
import { testStore } from "./TestStore.ts"

/** Base URL of a real HTTP server started for the test, e.g. `http://127.0.0.1:40123`. */
export class TestServer extends Context.Service<TestServer, { readonly url: string }>()("test/TestServer") {}

/**
 * The whole app on a real socket (port 0: a free one), on a fresh database.
 * Pass config overrides and, optionally, other layers (a Redis store, a clock).
 */
export const TestServerLive = (
  overrides: Partial<AppConfigShape> = {},
  options: {
    readonly store?: Layer.Layer<SharedStore>
    /** Extra routes served behind the same global middleware (e.g. a slow or failing route). */
    readonly routes?: Layer.Layer<never, never, HttpRouter.HttpRouter>
    /** Telemetry to use instead of the default (e.g. one exporting spans to memory). */
    readonly telemetry?: typeof TelemetryLive
  } = {}
) => {
  const infra = Layer.mergeAll(TestDatabaseLive, options.store ?? testStore(), options.telemetry ?? TelemetryLive).pipe(
    Layer.provideMerge(AppConfig.layerWith({ nodeEnv: "test", ...overrides })),
    Layer.provideMerge(Layer.succeed(References.MinimumLogLevel, "Warn"))
  )
  const routes = options.routes ? Layer.merge(AppRoutes, options.routes) : AppRoutes
  const server = HttpRouter.serve(routes, {
    disableLogger: true,
    disableListenLog: true,
    routerConfig: ROUTER_CONFIG
  })
  const url = Layer.effect(
    TestServer,
    Effect.gen(function* () {
      const address = (yield* HttpServer.HttpServer).address as unknown as AddressInfo & { _tag: string }
      return { url: `http://127.0.0.1:${address.port}` }
    })
  )
  return Layer.merge(server, url).pipe(
    Layer.provide(NodeHttpServer.layer(() => createServer(), { port: 0, host: "127.0.0.1" })),
    Layer.provideMerge(infra)
  )
}

export interface JsonResponse {
  readonly status: number
  readonly headers: Headers
  readonly body: any
}

/** fetch against the test server, parsing JSON bodies. */
export const request = (base: string, path: string, init: RequestInit & { json?: unknown; token?: string } = {}) =>
  Effect.promise(async (): Promise<JsonResponse> => {
    const headers = new Headers(init.headers)
    if (init.json !== undefined) headers.set("content-type", "application/json")
    if (init.token) headers.set("authorization", `Bearer ${init.token}`)
    const response = await fetch(`${base}${path}`, {
      ...init,
      headers,
      body: init.json !== undefined ? JSON.stringify(init.json) : init.body
    })
    const text = await response.text()
    let body: unknown = text
    try {
      body = text.length > 0 ? JSON.parse(text) : undefined
    } catch {}
    // Every exchange of the suite must agree with /openapi.json (see ContractCheck.ts).
    const problems = await contractProblems(base, {
      method: init.method ?? "GET",
      url: path,
      requestHeaders: headers,
      requestBody: init.json ?? init.body,
      status: response.status,
      responseHeaders: response.headers,
      responseBody: body
    })
    if (problems.length > 0) throw new Error(`The server and /openapi.json disagree:\n${problems.join("\n")}`)
    return { status: response.status, headers: response.headers, body }
  })
