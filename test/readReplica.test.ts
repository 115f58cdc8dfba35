import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freePort } from "../src/infra/freePort.ts"
import { killServer, prepareShop, type ServerProcess, spawnServer, waitForReady } from "./support/FaultLoad.ts"
import { query, type StreamingReplica, startStreamingReplica } from "./support/streamingReplica.ts"
import { startPostgres, type ThrowawayPostgres } from "./support/Throwaway.ts"

/**
 * DATABASE_READ_URL against a real PostgreSQL 15 streaming replica of a throwaway primary: which server answers
 * is told by what only one of them holds (replay paused while the primary takes a row) and by the replica's own
 * pg_stat_activity, not by the shop's word.
 */
const MAX_LAG_SECONDS = 3

let rs: StreamingReplica
let server: ServerProcess
let other: ThrowawayPostgres | undefined
const servers: Array<ServerProcess> = []
let productId: number
let buyerToken: string
let adminToken: string

const start = async (env: Record<string, string>) => {
  const s = spawnServer(await freePort(), {
    RATE_LIMIT_ENABLED: "false",
    ...(process.env.REDIS_URL
      ? { REDIS_URL: process.env.REDIS_URL, REDIS_KEY_PREFIX: `test-replica-${Date.now().toString(36)}:` }
      : {}),
    ...env
  })
  servers.push(s)
  return s
}

const get = async (path: string, token?: string) => {
  const res = await fetch(`${server.base}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {})
  return { status: res.status, body: (await res.json()) as any }
}

const send = async (method: string, path: string, token: string, body: unknown) => {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body)
  })
  return { status: res.status, body: (await res.json()) as any }
}

const ready = async (s = server) => (await (await fetch(`${s.base}/ready`)).json()) as any

const until = async <A>(what: string, f: () => Promise<A | undefined>, ms = 15_000): Promise<A> => {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const value = await f()
    if (value !== undefined) return value
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${what} did not happen within ${ms} ms:\n${server.output().slice(-3000)}`)
}

const replicaStatus = (status: string, s = server) =>
  until(`replica ${status}`, async () => {
    const body = await ready(s)
    return body.replica?.status === status ? body : undefined
  })

/** A product written straight into the primary: no shop code marks it, so only the data tells who answered. */
const insertOnPrimary = (name: string) =>
  Number(
    query(
      rs.primary.url,
      `INSERT INTO products (name, price, category_id, stock_quantity, sku)
       SELECT '${name}', 100, id, 5, '${name}' FROM categories ORDER BY id LIMIT 1 RETURNING id`
    )[0]
  )

const replicaReads = async () =>
  Number(
    /^db_read_statements_total\{server="replica"\} (\d+)/m.exec(
      await (await fetch(`${server.base}/metrics`)).text()
    )?.[1] ?? 0
  )

const warnings = (text: string) =>
  server
    .output()
    .split("\n")
    .filter((line) => line.includes(text)).length

beforeAll(async () => {
  rs = await startStreamingReplica()
  const shop = await prepareShop(rs.primary.url, { buyers: 2, products: 2 })
  productId = shop.productIds[0]!
  buyerToken = shop.buyers[0]!.token
  // Tokens carry no role: the second buyer's token is an admin's from now on.
  query(rs.primary.url, `UPDATE users SET is_admin = true WHERE id = ${shop.buyers[1]!.id}`)
  adminToken = shop.buyers[1]!.token
  await rs.replica.caughtUp()
  server = await start({
    DATABASE_URL: rs.primary.url,
    DATABASE_READ_URL: rs.replica.url,
    DATABASE_READ_MAX_LAG: `${MAX_LAG_SECONDS} seconds`
  })
  await waitForReady(server.base, 60_000, server.output)
  await replicaStatus("up")
}, 120_000)

afterAll(async () => {
  for (const s of servers) await killServer(s)
  await rs?.remove()
  await other?.remove()
})

describe("read replica (DATABASE_READ_URL)", () => {
  it("catalog and review reads are served by the replica", async () => {
    // Up at start-up, the replica serves reads once it has replayed what this process's start wrote (its
    // migrations' transaction), which the next check sees.
    await until("a read served by the replica", async () => {
      // Review lists are not cached: each one reads.
      await get(`/api/products/${productId}/reviews`)
      return (await replicaReads()) > 0 ? true : undefined
    })
    for (const path of [
      "/api/products",
      `/api/products/${productId}`,
      "/api/products?search=product&facets=brand,price",
      "/api/products/suggest?q=prod",
      "/api/categories",
      `/api/products/${productId}/reviews`
    ])
      expect([path, (await get(path)).status]).toEqual([path, 200])
    // The replica's own view: the shop's read pool is connected to it.
    const sessions = query(
      rs.replica.url,
      "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'flipkart-monolith/%/read'"
    )
    expect(Number(sessions[0])).toBeGreaterThan(0)
    // A row only the primary holds (replay paused) is not found: the read went to the replica.
    await rs.replica.pauseReplay()
    try {
      const onlyOnPrimary = insertOnPrimary(`primary-only-${Date.now()}`)
      expect((await get(`/api/products/${onlyOnPrimary}`)).status).toBe(404)
      expect(query(rs.primary.url, `SELECT count(*) FROM products WHERE id = ${onlyOnPrimary}`)).toEqual(["1"])
      await rs.replica.resumeReplay()
      await rs.replica.caughtUp()
      expect((await get(`/api/products/${onlyOnPrimary}`)).status).toBe(200)
    } finally {
      await rs.replica.resumeReplay()
    }
    const metrics = await (await fetch(`${server.base}/metrics`)).text()
    expect(metrics).toMatch(/db_read_statements_total\{[^}]*server="replica"[^}]*\} [1-9]/)
    expect(metrics).toMatch(/^db_replica_up({[^}]*})? 1$/m)
  }, 60_000)

  it("a client reads its own writes at once, though the replica has not replayed them", async () => {
    await replicaStatus("up")
    await rs.replica.pauseReplay()
    try {
      const price = 1234 + (Date.now() % 1000)
      expect((await send("PUT", `/api/products/${productId}`, adminToken, { price })).status).toBe(200)
      expect((await get(`/api/products/${productId}`)).body.price).toBe(price)
      const listed = await get(`/api/products?sort_by=price&sort_order=desc&per_page=100`)
      expect(listed.body.products.find((p: any) => p.id === productId).price).toBe(price)
      const review = await send("POST", `/api/products/${productId}/reviews`, buyerToken, {
        rating: 4,
        title: "seen at once"
      })
      expect(review.status).toBe(201)
      const reviews = await get(`/api/products/${productId}/reviews`)
      expect(reviews.body.reviews.map((r: any) => r.id)).toContain(review.body.review.id)
      // The replica does not have them yet: the reads above went to the primary.
      expect(query(rs.replica.url, `SELECT price::float8 = ${price} FROM products WHERE id = ${productId}`)).toEqual([
        "f"
      ])
      expect(query(rs.replica.url, `SELECT count(*) FROM reviews WHERE id = ${review.body.review.id}`)).toEqual(["0"])
    } finally {
      await rs.replica.resumeReplay()
    }
  }, 60_000)

  it("replay paused past DATABASE_READ_MAX_LAG: reads go to the primary, /ready and /metrics say so, then it is back", async () => {
    await replicaStatus("up")
    const lagWarnings = warnings("Read replica lagging")
    const backWarnings = warnings("Read replica is back")
    await rs.replica.pauseReplay()
    let onlyOnPrimary: number
    try {
      onlyOnPrimary = insertOnPrimary(`lagging-${Date.now()}`)
      const body = await replicaStatus("lagging")
      expect(body.status).toBe("ready")
      expect(body.replica.lag_seconds).toBeGreaterThan(MAX_LAG_SECONDS)
      const metrics = await (await fetch(`${server.base}/metrics`)).text()
      expect(metrics).toMatch(/^db_replica_up({[^}]*})? 0$/m)
      expect(metrics).toMatch(/^db_replica_lag_seconds({[^}]*})? ([3-9]|\d\d)/m)
      // Nothing marked this row, yet it is found: the replica (which lacks it) was skipped.
      expect((await get(`/api/products/${onlyOnPrimary}`)).status).toBe(200)
      expect(query(rs.replica.url, `SELECT count(*) FROM products WHERE id = ${onlyOnPrimary}`)).toEqual(["0"])
    } finally {
      await rs.replica.resumeReplay()
    }
    const back = await replicaStatus("up")
    expect(back.replica.lag_seconds).toBeLessThan(MAX_LAG_SECONDS)
    expect(warnings("Read replica lagging")).toBe(lagWarnings + 1)
    expect(warnings("Read replica is back")).toBe(backWarnings + 1)
  }, 60_000)

  it("replica stopped: reads go to the primary, /ready says down (still 200), and it is used again once back", async () => {
    await replicaStatus("up")
    const downWarnings = warnings("Read replica down")
    await rs.replica.stop()
    try {
      // At once, before the next check has noticed: the failed statement runs again on the primary.
      for (const path of ["/api/products?search=product", `/api/products/${productId}/reviews`, "/api/categories"])
        expect([path, (await get(path)).status]).toEqual([path, 200])
      const res = await fetch(`${server.base}/ready`)
      expect(res.status).toBe(200)
      expect(((await res.json()) as any).replica.status).toBe("down")
      expect((await get(`/api/products/${productId}`)).status).toBe(200)
      expect(warnings("Read replica down")).toBe(downWarnings + 1)
    } finally {
      await rs.replica.start()
    }
    await replicaStatus("up")
    await rs.replica.caughtUp()
    expect((await get(`/api/products/${productId}/reviews`)).status).toBe(200)
    expect(warnings("Read replica down")).toBe(downWarnings + 1)
  }, 90_000)

  it("a process reads nothing from a replica behind the primary's position at its start (the schema it migrated)", async () => {
    await rs.replica.pauseReplay()
    try {
      const onlyOnPrimary = insertOnPrimary(`before-start-${Date.now()}`)
      // A lag bound this process will not reach while the test runs: only the start position keeps reads away.
      const late = await start({
        DATABASE_URL: rs.primary.url,
        DATABASE_READ_URL: rs.replica.url,
        DATABASE_READ_MAX_LAG: "10 minutes"
      })
      await waitForReady(late.base, 60_000, late.output)
      expect((await replicaStatus("up", late)).status).toBe("ready")
      expect((await fetch(`${late.base}/api/products/${onlyOnPrimary}`)).status).toBe(200)
      expect(query(rs.replica.url, `SELECT count(*) FROM products WHERE id = ${onlyOnPrimary}`)).toEqual(["0"])
      await killServer(late)
    } finally {
      await rs.replica.resumeReplay()
    }
  }, 90_000)

  it("a replica of another database: WARN, every read from the primary", async () => {
    other = await startPostgres()
    const mismatched = await start({ DATABASE_URL: rs.primary.url, DATABASE_READ_URL: other.url })
    await waitForReady(mismatched.base, 60_000, mismatched.output)
    const body = await replicaStatus("mismatch", mismatched)
    expect(body.status).toBe("ready")
    expect(mismatched.output()).toMatch(/Read replica mismatch \(DATABASE_READ_URL is a replica of another database/)
    // The other server has no shop tables: any read sent there would fail.
    const res = await fetch(`${mismatched.base}/api/products/${productId}`)
    expect(res.status).toBe(200)
    expect(((await res.json()) as any).id).toBe(productId)
    await killServer(mismatched)
  }, 90_000)

  it("a malformed DATABASE_READ_URL stops start-up with a line naming it (and no password)", async () => {
    const urls = ["not a url", "mysql://shop:s3cret@db/shop", "postgres://"]
    const bad = await Promise.all(urls.map((url) => start({ DATABASE_URL: rs.primary.url, DATABASE_READ_URL: url })))
    for (const server of bad) {
      expect(await server.exited).toBe(1)
      expect(server.output()).toMatch(/invalid configuration: .*DATABASE_READ_URL must be a URL like postgres:/)
      expect(server.output()).not.toContain("s3cret")
    }
  }, 60_000)
})
