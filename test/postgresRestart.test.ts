import { setTimeout as sleep } from "node:timers/promises"
import { Effect, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as PgPoolClient from "../src/infra/PgPoolClient.ts"
import { freePort } from "../src/infra/freePort.ts"
import {
  killServer,
  prepareShop,
  readBooks,
  type ServerProcess,
  spawnServer,
  startLoad,
  waitForReady
} from "./support/FaultLoad.ts"
import { startPostgres, type ThrowawayPostgres } from "./support/Throwaway.ts"

/**
 * A throwaway PostgreSQL cluster of this file, stopped and started again under
 * load: requests that need it get 503 with Retry-After (never 500), the log
 * says so once each way, the server recovers by itself, and the books hold.
 */

let pg: ThrowawayPostgres
let server: ServerProcess | undefined
beforeAll(async () => {
  pg = await startPostgres()
})
afterAll(async () => {
  if (server) await killServer(server)
  await pg.remove()
})

describe("PostgreSQL restarting under load", () => {
  it("503 SERVICE_UNAVAILABLE with Retry-After while it is down, one log line each way, then orders again", async () => {
    const shop = await prepareShop(pg.url, { buyers: 20, products: 5 })
    server = spawnServer(await freePort(), { DATABASE_URL: pg.url, RATE_LIMIT_ENABLED: "false", DB_POOL_MAX: "10" })
    await waitForReady(server.base, 60_000, server.output)
    const load = startLoad(server.base, shop, { clients: 20, checkoutShare: 0.5 })
    await sleep(1500)

    await pg.stop()
    await sleep(1000)
    const buyer = shop.buyers[0]!
    const down = await fetch(`${server.base}/api/orders`, { headers: { authorization: `Bearer ${buyer.token}` } })
    expect(down.status).toBe(503)
    expect(down.headers.get("retry-after")).toBe("2")
    expect(await down.json()).toEqual({ error: expect.any(String), code: "SERVICE_UNAVAILABLE" })
    expect((await fetch(`${server.base}/ready`)).status).toBe(503)
    await sleep(1000)

    await pg.start()
    const restarted = performance.now()
    await waitForReady(server.base, 20_000, server.output)
    await sleep(1500)
    const outcomes = await load.stop()

    const statuses = new Set(outcomes.map((o) => o.status))
    expect([...statuses].filter((s) => s >= 500 && s !== 503)).toEqual([])
    expect(outcomes.filter((o) => o.status === 0)).toEqual([])
    const unavailable = outcomes.filter((o) => o.status === 503)
    expect(unavailable.length).toBeGreaterThan(0)
    expect(unavailable.every((o) => o.retryAfter === "2")).toBe(true)
    // Recovered without a restart of the server.
    expect(outcomes.some((o) => o.kind === "order" && o.status === 201 && o.at > restarted)).toBe(true)

    const log = server.output()
    expect(log.match(/PostgreSQL unavailable/g)).toHaveLength(1)
    expect(log.match(/PostgreSQL answers again/g)).toHaveLength(1)
    expect(log).not.toMatch(/unhandled error/)

    const ordered = outcomes.filter((o) => o.kind === "order" && o.status === 201).length
    expect(await readBooks(pg.url, shop)).toEqual({ orders: ordered, stockDrift: 0 })
  })

  it("out of connections (other clients hold them all): 503 for what cannot get one, never 500", async () => {
    const small = await startPostgres({ maxConnections: 20 })
    let limited: ServerProcess | undefined
    try {
      const shop = await prepareShop(small.url, { buyers: 30, products: 5 })
      // DB_POOL_MAX=10 fits the start-up connection budget (20 less 3 reserved less 5 kept free).
      limited = spawnServer(await freePort(), {
        DATABASE_URL: small.url,
        RATE_LIMIT_ENABLED: "false",
        DB_POOL_MAX: "10"
      })
      await waitForReady(limited.base, 60_000, limited.output)
      // Another client takes every connection left for 4 s.
      const hog = Effect.runPromise(
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          yield* Effect.all(
            Array.from({ length: 18 }, () => sql`SELECT pg_sleep(4)`.pipe(Effect.ignore)),
            { concurrency: "unbounded" }
          )
        }).pipe(Effect.provide(PgPoolClient.layer({ url: Redacted.make(small.url), maxConnections: 18 })))
      )
      await sleep(500)
      const load = startLoad(limited.base, shop, { clients: 30, checkoutShare: 1 })
      await sleep(2500)
      await hog
      await sleep(1000)
      const outcomes = await load.stop()
      expect(outcomes.filter((o) => o.status >= 500 && o.status !== 503)).toEqual([])
      expect(outcomes.some((o) => o.status === 503 && o.retryAfter === "2")).toBe(true)
      expect(outcomes.some((o) => o.kind === "order" && o.status === 201)).toBe(true)
      expect(limited.output()).not.toMatch(/unhandled error/)
    } finally {
      if (limited) await killServer(limited)
      await small.remove()
    }
  })
})
