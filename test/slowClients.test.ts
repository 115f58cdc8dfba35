import { connect } from "node:net"
import { assert, layer } from "@effect/vitest"
import { Duration, Effect, Layer } from "effect"
import type { AddressInfo } from "node:net"
import { NodeHttpServer } from "@effect/platform-node"
import { References } from "effect"
import { HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import { makeNodeServer } from "../src/http/NodeServer.ts"
import { AppRoutes, ROUTER_CONFIG } from "../src/http/Server.ts"
import { AppConfig, type AppConfigShape } from "../src/infra/AppConfig.ts"
import { TelemetryLive } from "../src/infra/Telemetry.ts"
import { TestDatabaseLive } from "./support/TestDatabase.ts"
import { testStore } from "./support/TestStore.ts"
import { TestServer } from "./support/TestServer.ts"

const SlowRoute = HttpRouter.add(
  "GET",
  "/test/slow",
  Effect.sleep("300 millis").pipe(Effect.as(HttpServerResponse.jsonUnsafe({ done: true })))
)

interface Exchange {
  /** Everything the server sent before it closed the connection (or the deadline passed). */
  readonly text: string
  readonly closed: boolean
}

/**
 * A TCP client speaking raw bytes: sends `chunks` with `gapMs` between them and
 * collects the answer until the server closes or `deadlineMs` passes.
 */
const exchange = (url: string, chunks: ReadonlyArray<string>, gapMs: number, deadlineMs: number) =>
  Effect.callback<Exchange>((resume) => {
    const { hostname, port } = new URL(url)
    const socket = connect(Number(port), hostname)
    const received: Array<Buffer> = []
    let timer: NodeJS.Timeout | undefined
    const finish = (closed: boolean) => {
      clearTimeout(timer)
      clearTimeout(deadline)
      socket.destroy()
      resume(Effect.succeed({ text: Buffer.concat(received).toString("utf8"), closed }))
    }
    const deadline = setTimeout(() => finish(false), deadlineMs)
    socket.on("data", (chunk) => received.push(chunk))
    socket.on("close", () => finish(true))
    socket.on("error", () => {})
    let next = 0
    const send = () => {
      if (next >= chunks.length || socket.destroyed) return
      socket.write(chunks[next++]!)
      timer = setTimeout(send, gapMs)
    }
    socket.on("connect", send)
    return Effect.sync(() => finish(false))
  })

const jsonBodyOf = (text: string) => JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4))
const statusOf = (text: string) => Number(text.split(" ")[1])

const inFlight = (url: string) =>
  Effect.promise(async () => {
    const text = await fetch(`${url}/metrics`).then((r) => r.text())
    const match = /^http_server_active_requests(?:\{[^}]*\})? (\S+)$/m.exec(text)
    return match ? Number(match[1]) : Number.NaN
  })

/** The app behind the production node:http server (its socket timeouts and `clientError` answers). */
const ProductionServerLive = (overrides: Partial<AppConfigShape>) => {
  const infra = Layer.mergeAll(TestDatabaseLive, testStore(), TelemetryLive).pipe(
    Layer.provideMerge(AppConfig.layerWith({ nodeEnv: "test", ...overrides })),
    Layer.provideMerge(Layer.succeed(References.MinimumLogLevel, "Warn"))
  )
  const server = HttpRouter.serve(Layer.merge(AppRoutes, SlowRoute), {
    disableLogger: true,
    disableListenLog: true,
    routerConfig: ROUTER_CONFIG
  })
  const url = Layer.effect(
    TestServer,
    Effect.map(HttpServer.HttpServer, (s) => ({
      url: `http://127.0.0.1:${(s.address as unknown as AddressInfo).port}`
    }))
  )
  const node = Layer.unwrap(
    Effect.map(AppConfig, (config) =>
      NodeHttpServer.layer(() => makeNodeServer(config), { port: 0, host: "127.0.0.1" })
    )
  )
  return Layer.merge(server, url).pipe(Layer.provide(node), Layer.provideMerge(infra))
}

layer(
  ProductionServerLive({
    rateLimitEnabled: false,
    bodyTimeout: Duration.seconds(1),
    headersTimeout: Duration.seconds(1),
    // idle keep-alive sockets of fetch must not hold the shutdown at the end of the file
    keepAliveTimeout: Duration.seconds(1)
  }),
  { excludeTestServices: true }
)("slow and odd clients", (it) => {
  it.effect("a body still arriving after BODY_TIMEOUT gets 408 JSON and the connection closes", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const head =
        "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n"
      const bytes = '{"email":"a@example.com","password":"xx"}'.split("")
      const { text, closed } = yield* exchange(url, [head, ...bytes], 200, 8_000)
      assert.strictEqual(statusOf(text), 408, text)
      assert.deepStrictEqual(jsonBodyOf(text).code, "TIMEOUT")
      assert.match(text, /content-type: application\/json/i)
      assert.isTrue(closed)
    })
  )

  it.effect("Node's own refusals get the JSON error body: 431, 400 and 408", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const { text: long } = yield* exchange(
        url,
        [`GET /api/products?q=${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
        0,
        5_000
      )
      assert.strictEqual(statusOf(long), 431, long)
      assert.deepStrictEqual(jsonBodyOf(long), { error: "Request headers too large", code: "HEADERS_TOO_LARGE" })
      const { text: garbage } = yield* exchange(url, ["NOT HTTP AT ALL\r\n\r\n"], 0, 5_000)
      assert.strictEqual(statusOf(garbage), 400, garbage)
      assert.strictEqual(jsonBodyOf(garbage).code, "BAD_REQUEST")
      const { text: badTarget } = yield* exchange(url, ["GET %2Fapi HTTP/1.1\r\nHost: x\r\n\r\n"], 0, 5_000)
      assert.strictEqual(statusOf(badTarget), 400, badTarget)
      assert.strictEqual(jsonBodyOf(badTarget).code, "BAD_REQUEST")
      // a header block that never ends: 408 once HEADERS_TIMEOUT has passed
      const stalled = yield* exchange(url, ["GET /health HTTP/1.1\r\nHost: x\r\n", "X-Slow: 1\r\n"], 300, 8_000)
      assert.strictEqual(statusOf(stalled.text), 408, stalled.text)
      assert.strictEqual(jsonBodyOf(stalled.text).code, "TIMEOUT")
      assert.isTrue(stalled.closed)
    })
  )

  it.effect("the in-flight gauge returns to zero after clients abort mid-request or mid-body", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const aborted = Array.from({ length: 6 }, () => {
        const controller = new AbortController()
        setTimeout(() => controller.abort(), 50)
        return fetch(`${url}/test/slow`, { signal: controller.signal }).then(
          () => "answered",
          () => "aborted"
        )
      })
      const head =
        "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
      const halfBodies = Array.from({ length: 4 }, () => Effect.runPromise(exchange(url, [head], 0, 150)))
      assert.deepStrictEqual(yield* Effect.promise(() => Promise.all(aborted)), Array(6).fill("aborted"))
      yield* Effect.promise(() => Promise.all(halfBodies))
      // Give the server time to finish the abandoned requests, then read the gauge (the reading request counts itself).
      let gauge = Number.NaN
      for (let i = 0; i < 50 && gauge !== 1; i++) {
        yield* Effect.sleep("100 millis")
        gauge = yield* inFlight(url)
      }
      assert.strictEqual(gauge, 1)
    })
  )
})
