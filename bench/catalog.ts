/**
 * `npm run bench`: load-tests the catalog read paths of a running server
 * (BENCH_URL, default http://127.0.0.1:5000) with wrk or autocannon (see
 * saturate.ts), next to the bare node:http server of bareServer.ts (the
 * machine's ceiling). Part 1: saturated throughput at 600 connections.
 * Search, facets and suggestions (cached pages) join part 1, compared with the
 * plain listing. Part 2: latency at a fixed offered rate of 3,000 requests/s
 * over 600 connections, sent open-loop at even intervals. Part 3 (search.ts):
 * uncached search, faceted listing and suggestion latency, one request at a
 * time over 200 distinct queries each.
 *
 * Start the server with RATE_LIMIT_ENABLED=false (and LOG_LEVEL=Warn) first:
 * see the README's Catalog section.
 */
import { Agent, request } from "undici"
import { withBareServer } from "./bareServer.ts"
import { generator, type Result, saturate } from "./saturate.ts"
import { percentile, table } from "./report.ts"
import { TARGETS } from "./catalogReads.ts"
import { SEARCH_TARGETS, uncachedSearch } from "./search.ts"

const BASE = (process.env.BENCH_URL ?? "http://127.0.0.1:5000").replace(/\/$/, "")
const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 600)
const RATE = Number(process.env.BENCH_RATE ?? 3000)

await main()

async function main() {
  const check = await fetch(`${BASE}/api/products/1`).catch((error: unknown) => error)
  if (!(check instanceof Response) || check.status !== 200) {
    console.error(`No catalog at ${BASE} (GET /api/products/1 failed). Start the server first; see the README.`)
    process.exit(1)
  }
  // Fill the caches so that both parts measure the steady state of a browsing shop.
  for (const [, path] of [...TARGETS, ...SEARCH_TARGETS])
    for (let i = 0; i < 3; i++) await fetch(`${BASE}${path}`).then((r) => r.text())

  console.log(`\nSaturated (${generator}): ${CONNECTIONS} connections, ${DURATION} s each, against ${BASE}\n`)
  const ceiling = await withBareServer(1, (url) => saturate(url, CONNECTIONS, DURATION))
  const rows: Array<Array<string>> = [row("bare node:http (ceiling)", ceiling, ceiling)]
  const listing: Array<Result> = []
  for (const [name, path] of TARGETS) {
    const result = await saturate(`${BASE}${path}`, CONNECTIONS, DURATION)
    if (path === "/api/products") listing.push(result)
    rows.push(row(name, result, ceiling))
  }
  for (const [name, path] of SEARCH_TARGETS) {
    const result = await saturate(`${BASE}${path}`, CONNECTIONS, DURATION)
    const ratio = listing[0]
      ? ` (${((result.requests.average / listing[0].requests.average) * 100).toFixed(0)}% of list)`
      : ""
    rows.push(row(`${name}${ratio}`, result, ceiling))
  }
  table(["request", "req/s", "p50 ms", "p99 ms", "errors", "timeouts", "non-2xx", "of ceiling"], rows)

  console.log(`\nFixed rate: ${RATE} requests/s over ${CONNECTIONS} connections, ${DURATION} s each\n`)
  const fixed: Array<Array<string>> = []
  for (const [name, path] of TARGETS) {
    const r = await openLoop(`${BASE}${path}`)
    fixed.push([
      name,
      r.requests.average.toFixed(0),
      ms(r.latency.p50),
      ms(r.latency.p90),
      ms(r.latency.p99),
      ms(r.latency.max),
      String(r.errors),
      String(r.timeouts),
      String(r.non2xx)
    ])
  }
  table(["request", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors", "timeouts", "non-2xx"], fixed)

  await uncachedSearch(BASE)
}

/**
 * A fixed offered rate, open loop: request i is due at start + i/RATE whatever
 * the server does, spread over CONNECTIONS keep-alive connections, and its
 * latency counts from when it was due (so queueing is not hidden). autocannon's
 * overallRate sends each second's quota in a burst at the start of the second,
 * which measures the burst, not the rate.
 */
async function openLoop(url: string): Promise<Result> {
  const agent = new Agent({ connections: CONNECTIONS, keepAliveTimeout: 60_000 })
  const latencies: Array<number> = []
  let errors = 0
  let timeouts = 0
  let non2xx = 0
  const total = RATE * DURATION
  const start = performance.now()
  const pending: Array<Promise<void>> = []
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / RATE
    const wait = due - performance.now()
    if (wait > 1) await new Promise((r) => setTimeout(r, wait))
    pending.push(
      request(url, { dispatcher: agent, headersTimeout: 10_000, bodyTimeout: 10_000 })
        .then(async (res) => {
          await res.body.dump()
          latencies.push(performance.now() - due)
          if (res.statusCode >= 300) non2xx++
        })
        .catch((error: { code?: string }) => {
          if (error.code === "UND_ERR_HEADERS_TIMEOUT" || error.code === "UND_ERR_BODY_TIMEOUT") timeouts++
          else errors++
        })
    )
  }
  await Promise.all(pending)
  const elapsed = (performance.now() - start) / 1000
  await agent.close()
  latencies.sort((a, b) => a - b)
  return {
    requests: { average: latencies.length / elapsed, total: latencies.length },
    latency: {
      p50: percentile(latencies, 0.5),
      p90: percentile(latencies, 0.9),
      p99: percentile(latencies, 0.99),
      max: percentile(latencies, 1)
    },
    errors,
    timeouts,
    non2xx
  }
}

function ms(value: number) {
  return value.toFixed(value < 10 ? 1 : 0)
}

function row(name: string, r: Result, ceiling: Result) {
  return [
    name,
    r.requests.average.toFixed(0),
    ms(r.latency.p50),
    ms(r.latency.p99),
    String(r.errors),
    String(r.timeouts),
    String(r.non2xx),
    `${((r.requests.average / ceiling.requests.average) * 100).toFixed(0)}%`
  ]
}
