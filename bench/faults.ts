import { setTimeout as sleep } from "node:timers/promises"
/**
 * `npm run bench:faults [sigterm] [redis] [postgres]`: what faults and restarts
 * cost under load, on a throwaway PostgreSQL and Redis of its own (free ports;
 * the shared ones are never touched). Each scenario starts the real server
 * (`node src/main.ts`, or FAULTS_MAIN to measure another checkout) and reports:
 *
 * - sigterm: 200 keep-alive clients (BENCH_CLIENTS) doing reads and checkouts,
 *   then SIGTERM to one process, to the primary of WEB_CONCURRENCY=2, and to
 *   that primary's whole process group: requests cut (reset, hang-up, timeout;
 *   refused connections were never sent and do not count), exit code and time,
 *   and the books (orders answered 201 against orders in the database, stock).
 * - redis: reads with Redis rate limits and cache, Redis frozen (SIGSTOP) for
 *   10 s: throughput during the freeze against before it, slowest request.
 * - postgres: reads and checkouts while PostgreSQL stops for 5 s and starts
 *   again: 5xx by status, log lines, recovery time, and the books.
 *
 * Targets (issue 11): no cut requests; >= 80% throughput and no request over
 * 1 s during the Redis freeze; 503 (never 500) during the PostgreSQL outage.
 */
import { freePort } from "../src/infra/freePort.ts"
import {
  isCut,
  killServer,
  MAIN,
  type Outcome,
  prepareShop,
  readBooks,
  spawnServer,
  startLoad,
  waitForReady
} from "../test/support/FaultLoad.ts"
import { startPostgres, startRedis } from "../test/support/Throwaway.ts"
import { percentile } from "./report.ts"

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 200)
const main = process.env.FAULTS_MAIN ?? MAIN
const chosen = process.argv.slice(2)
const wanted = (name: string) => chosen.length === 0 || chosen.includes(name)

const pg = await startPostgres({ maxConnections: 200 })
try {
  console.log(`server: ${main}`)
  if (wanted("sigterm")) {
    await sigterm(1, "process")
    await sigterm(2, "process")
    await sigterm(2, "group")
  }
  if (wanted("redis")) await redisFreeze()
  if (wanted("postgres")) await postgresRestart()
} finally {
  await pg.remove()
}

async function sigterm(workers: number, target: "process" | "group") {
  const shop = await prepareShop(pg.url, { buyers: CLIENTS, products: 20 })
  const server = spawnServer(
    await freePort(),
    {
      DATABASE_URL: pg.url,
      WEB_CONCURRENCY: String(workers),
      RATE_LIMIT_ENABLED: "false",
      SHUTDOWN_TIMEOUT: "10 seconds",
      DB_POOL_MAX: "20"
    },
    main
  )
  try {
    await waitForReady(server.base, 60_000, server.output)
    const load = startLoad(server.base, shop, { clients: CLIENTS, checkoutShare: 0.3 })
    await sleep(4000)
    const signalled = performance.now()
    process.kill(target === "group" ? -server.child.pid! : server.child.pid!, "SIGTERM")
    const code = await Promise.race([server.exited, sleep(30_000).then(() => "hung")])
    const exitSeconds = (performance.now() - signalled) / 1000
    const outcomes = await load.stop()
    const books = await readBooks(pg.url, shop)
    const after = outcomes.filter((o) => o.at + o.ms >= signalled)
    const answered201 = outcomes.filter((o) => o.kind === "order" && o.status === 201).length
    console.log(
      `\nSIGTERM to ${target === "group" ? "the process group" : "the process"}, WEB_CONCURRENCY=${workers}, ` +
        `${CLIENTS} keep-alive clients (reads + checkouts)`
    )
    console.log(
      `  requests ${outcomes.length}, ended after the signal ${after.length}: ` +
        `cut ${outcomes.filter(isCut).length} (${describeErrors(outcomes.filter(isCut))}; on kept-alive connections ` +
        `${outcomes.filter((o) => isCut(o) && o.reused).length}, begun over a second before the signal ` +
        `${outcomes.filter((o) => isCut(o) && o.at < signalled - 1000).length}), ` +
        `refused ${outcomes.filter((o) => o.error === "ECONNREFUSED").length}, ` +
        `5xx ${outcomes.filter((o) => o.status >= 500).length}, ` +
        `answered with Connection: close ${after.filter((o) => o.connectionClose).length}`
    )
    console.log(`  exit ${code} after ${exitSeconds.toFixed(1)} s (SHUTDOWN_TIMEOUT 10 s)`)
    if (code !== 0 || outcomes.some(isCut))
      console.log(`  server output:\n${server.output().split("\n").slice(-15).join("\n")}`)
    console.log(
      `  orders answered 201: ${answered201}, in the database: ${books.orders} ` +
        `(committed without a response: ${Math.max(0, books.orders - answered201)}, ` +
        `lost: ${Math.max(0, answered201 - books.orders)}), stock drift ${books.stockDrift}`
    )
  } finally {
    await killServer(server)
  }
}

async function redisFreeze() {
  const redis = await startRedis()
  const shop = await prepareShop(pg.url, { buyers: 10, products: 20 })
  const server = spawnServer(
    await freePort(),
    {
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      RATE_LIMIT_ENABLED: "true",
      RATE_LIMIT_IP_PER_MINUTE: "100000000"
    },
    main
  )
  try {
    await waitForReady(server.base, 60_000, server.output)
    const clients = Math.min(CLIENTS, 50)
    const load = startLoad(server.base, shop, { clients, checkoutShare: 0 })
    const start = performance.now()
    await sleep(5000)
    const frozen = performance.now()
    redis.freeze()
    await sleep(10_000)
    const thawed = performance.now()
    redis.thaw()
    await sleep(5000)
    const outcomes = await load.stop()
    const between = (from: number, to: number) => outcomes.filter((o) => o.at >= from && o.at < to)
    const normal = between(start + 2000, frozen)
    const during = between(frozen, thawed)
    const normalRate = normal.length / ((frozen - start - 2000) / 1000)
    const frozenRate = during.length / ((thawed - frozen) / 1000)
    const ms = during.map((o) => o.ms).sort((a, b) => a - b)
    console.log(
      `\nRedis frozen (SIGSTOP) for 10 s, ${clients} keep-alive clients reading (Redis cache and rate limits)`
    )
    console.log(
      `  before ${normalRate.toFixed(0)} req/s, during ${frozenRate.toFixed(0)} req/s ` +
        `(${((100 * frozenRate) / normalRate).toFixed(0)}%), during: p99 ${percentile(ms, 0.99).toFixed(0)} ms, ` +
        `slowest ${(ms.at(-1) ?? 0).toFixed(0)} ms, over 1 s ${ms.filter((m) => m > 1000).length}; ` +
        `errors ${outcomes.filter((o) => o.status !== 200).length}; ` +
        `after thaw ${(between(thawed, Number.POSITIVE_INFINITY).length / 5).toFixed(0)} req/s`
    )
  } finally {
    redis.thaw()
    await killServer(server)
    await redis.stop()
  }
}

async function postgresRestart() {
  const shop = await prepareShop(pg.url, { buyers: 50, products: 20 })
  const server = spawnServer(await freePort(), { DATABASE_URL: pg.url, RATE_LIMIT_ENABLED: "false" }, main)
  try {
    await waitForReady(server.base, 60_000, server.output)
    const clients = Math.min(CLIENTS, 50)
    const load = startLoad(server.base, shop, { clients, checkoutShare: 0.5 })
    await sleep(3000)
    const logBefore = server.output().split("\n").length
    const stopped = performance.now()
    await pg.stop()
    await sleep(5000)
    await pg.start()
    const started = performance.now()
    await sleep(5000)
    const outcomes = await load.stop()
    const logLines = server.output().split("\n").length - logBefore
    const books = await readBooks(pg.url, shop)
    const answered201 = outcomes.filter((o) => o.kind === "order" && o.status === 201).length
    const failed = outcomes.filter((o) => o.status >= 500 || o.status === 0)
    const firstOrderAfter = outcomes
      .filter((o) => o.kind === "order" && o.status === 201 && o.at >= started)
      .reduce((min, o) => Math.min(min, o.at + o.ms), Number.POSITIVE_INFINITY)
    const lastFailure = failed.reduce((max, o) => Math.max(max, o.at + o.ms), 0)
    console.log(`\nPostgreSQL stopped (fast) for 5 s and started again, ${clients} clients (reads + checkouts)`)
    console.log(
      `  requests ${outcomes.length}; failed ${failed.length}: ${describeStatuses(failed)}; ` +
        `503 with Retry-After ${failed.filter((o) => o.status === 503 && o.retryAfter !== undefined).length}; ` +
        `server log lines during the outage ${logLines}`
    )
    console.log(
      `  first order after the restart ${((firstOrderAfter - started) / 1000).toFixed(1)} s after it, ` +
        `last failure ${((lastFailure - started) / 1000).toFixed(1)} s after it (outage began ${((stopped - started) / 1000).toFixed(1)} s)`
    )
    console.log(
      `  orders answered 201: ${answered201}, in the database: ${books.orders}, stock drift ${books.stockDrift}`
    )
  } finally {
    await killServer(server)
  }
}

function describeErrors(outcomes: ReadonlyArray<Outcome>) {
  const counts = new Map<string, number>()
  for (const o of outcomes) counts.set(o.error ?? "?", (counts.get(o.error ?? "?") ?? 0) + 1)
  return counts.size === 0 ? "none" : [...counts].map(([k, n]) => `${k} ${n}`).join(", ")
}

function describeStatuses(outcomes: ReadonlyArray<Outcome>) {
  const counts = new Map<string, number>()
  for (const o of outcomes) {
    const key = o.status === 0 ? (o.error ?? "no response") : String(o.status)
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return counts.size === 0 ? "none" : [...counts].map(([k, n]) => `${k} x${n}`).join(", ")
}
