import { setTimeout as sleep } from "node:timers/promises"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeDrain } from "../src/http/Drain.ts"
import { freePort } from "../src/infra/freePort.ts"
import {
  isCut,
  killServer,
  prepareShop,
  readBooks,
  type ServerProcess,
  spawnServer,
  startLoad,
  waitForReady
} from "./support/FaultLoad.ts"
import { TestDatabaseLive, TestDatabaseUrl } from "./support/TestDatabase.ts"

interface Answer {
  readonly status: number
  readonly connection: string | undefined
  readonly body: string
}

const get = (agent: http.Agent, port: number, path: string) =>
  new Promise<Answer>((resolve, reject) => {
    http
      .get({ agent, host: "127.0.0.1", port, path }, (res) => {
        let body = ""
        res.on("data", (d) => (body += d))
        res.on("end", () => resolve({ status: res.statusCode!, connection: res.headers.connection, body }))
      })
      .on("error", reject)
  })

describe("drain (node:http server)", () => {
  it("answers in-flight requests with Connection: close, closes idle connections at once, calls back when drained", async () => {
    const drain = makeDrain(10_000)
    const server = drain.attach(
      http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
        const delay = req.url === "/slow" ? 500 : 0
        setTimeout(() => res.end(req.url), delay)
      })
    )
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const port = (server.address() as AddressInfo).port
    const idle = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const busy = new http.Agent({ keepAlive: true, maxSockets: 1 })
    try {
      expect((await get(idle, port, "/fast")).connection).toBe("keep-alive")
      const idleSocketClosed = new Promise<number>((resolve) => {
        const socket = Object.values(idle.freeSockets)[0]![0]!
        socket.once("close", () => resolve(performance.now()))
      })
      await sleep(1100) // idle for longer than the grace
      const slow = get(busy, port, "/slow")
      await sleep(100)
      expect(drain.draining()).toBe(false)
      const closedAt = performance.now()
      const drained = new Promise<number>((resolve) => server.close(() => resolve(performance.now())))
      expect(drain.draining()).toBe(true)

      // The idle connection goes at once; the request in flight is answered, and told the connection closes.
      expect((await idleSocketClosed) - closedAt).toBeLessThan(300)
      expect(await slow).toEqual({ status: 200, connection: "close", body: "/slow" })
      // No new connections once draining.
      await expect(get(new http.Agent(), port, "/fast")).rejects.toMatchObject({ code: "ECONNREFUSED" })
      // Done as soon as the last connection closed, far from the 10 s deadline.
      expect((await drained) - closedAt).toBeLessThan(2000)
    } finally {
      idle.destroy()
      busy.destroy()
      server.closeAllConnections()
    }
  })

  it("a request arriving on a connection that has just answered is served, with Connection: close", async () => {
    const drain = makeDrain(10_000)
    const server = drain.attach(http.createServer((req, res) => res.end(req.url)))
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const port = (server.address() as AddressInfo).port
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    try {
      await get(agent, port, "/first")
      const drained = new Promise<void>((resolve) => server.close(() => resolve()))
      // Sent after the drain began, on the kept-alive connection (within its grace): answered, not reset.
      expect(await get(agent, port, "/next")).toEqual({ status: 200, connection: "close", body: "/next" })
      await drained
    } finally {
      agent.destroy()
      server.closeAllConnections()
    }
  })
})

describe("SIGTERM and SIGINT under load (real server processes)", () => {
  let scope: Scope.Closeable
  let databaseUrl: string
  let server: ServerProcess | undefined
  beforeAll(async () => {
    scope = Effect.runSync(Scope.make())
    const context = await Effect.runPromise(Layer.buildWithScope(TestDatabaseLive, scope))
    databaseUrl = Context.get(context, TestDatabaseUrl)
  })
  afterAll(async () => {
    if (server) await killServer(server)
    await Effect.runPromise(Scope.close(scope, Exit.void))
  })

  const run = async (workers: number, target: "process" | "group", signal: NodeJS.Signals = "SIGTERM") => {
    const clients = 100
    const shop = await prepareShop(databaseUrl, { buyers: clients, products: 10 })
    server = spawnServer(await freePort(), {
      DATABASE_URL: databaseUrl,
      WEB_CONCURRENCY: String(workers),
      RATE_LIMIT_ENABLED: "false",
      SHUTDOWN_TIMEOUT: "30 seconds",
      DB_POOL_MAX: "10"
    })
    await waitForReady(server.base, 60_000, server.output)
    const load = startLoad(server.base, shop, { clients, checkoutShare: 0.3 })
    await sleep(2000)
    const signalled = performance.now()
    process.kill(target === "group" ? -server.child.pid! : server.child.pid!, signal)
    const code = await server.exited
    const seconds = (performance.now() - signalled) / 1000
    const outcomes = await load.stop()
    const books = await readBooks(databaseUrl, shop)
    const ordered = outcomes.filter((o) => o.kind === "order" && o.status === 201).length
    return { code, seconds, outcomes, books, ordered, cut: outcomes.filter(isCut), output: server.output() }
  }

  it("one process: exits 0 once drained, no request cut, every order answered", async () => {
    const r = await run(1, "process")
    expect(r.code, r.output).toBe(0)
    // Drained, not held until SHUTDOWN_TIMEOUT (30 s).
    expect(r.seconds).toBeLessThan(15)
    expect(r.cut).toEqual([])
    expect(r.outcomes.filter((o) => o.status >= 500)).toEqual([])
    expect(r.outcomes.some((o) => o.connectionClose)).toBe(true)
    expect(r.ordered).toBeGreaterThan(0)
    expect(r.books).toEqual({ orders: r.ordered, stockDrift: 0 })
  })

  it("SIGINT (a terminal's Ctrl-C to the process group), one process: the same drain", async () => {
    const r = await run(1, "group", "SIGINT")
    expect(r.code, r.output).toBe(0)
    expect(r.cut).toEqual([])
    expect(r.books).toEqual({ orders: r.ordered, stockDrift: 0 })
  })

  it("WEB_CONCURRENCY=2, the whole process group signalled: exits 0 once drained, no request cut, every order answered", async () => {
    const r = await run(2, "group")
    expect(r.code, r.output).toBe(0)
    expect(r.seconds).toBeLessThan(15)
    expect(r.outcomes.filter((o) => o.status >= 500)).toEqual([])
    // Nothing cut, reconnecting clients included: each worker listens on a socket of its own (Server.ts).
    expect(r.cut).toEqual([])
    expect(r.ordered).toBeGreaterThan(0)
    expect(r.books).toEqual({ orders: r.ordered, stockDrift: 0 })
  })
})
