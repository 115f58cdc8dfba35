/**
 * `npm run bench`: load-tests the catalog read paths of a running server
 * (BENCH_URL, default http://127.0.0.1:5000) with wrk or autocannon (see
 * saturate.ts), next to a bare node:http server answering a fixed JSON body in
 * a child process (the machine's ceiling). Part 1: saturated throughput at 600
 * connections. Part 2: latency at a fixed offered rate of 3,000 requests/s over
 * 600 connections, sent open-loop at even intervals.
 *
 * Start the server with RATE_LIMIT_ENABLED=false (and LOG_LEVEL=Warn) first:
 * see the README's Catalog section.
 */
import { fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Agent, request } from "undici"
import { generator, type Result, saturate } from "./saturate.ts"
import { percentile, table } from "./report.ts"
import { TARGETS } from "./catalogReads.ts"

const BASE = (process.env.BENCH_URL ?? "http://127.0.0.1:5000").replace(/\/$/, "")
const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 600)
const RATE = Number(process.env.BENCH_RATE ?? 3000)

/** The ceiling: the same JSON a product detail answers, from a bare server with nothing behind it. */
const CEILING_BODY = JSON.stringify({
  id: 1,
  name: "iPhone 15 Pro",
  description: "Apple iPhone 15 Pro with A17 Pro chip, titanium design and a 48MP camera",
  price: 129900,
  discount_percentage: 10,
  final_price: 116910,
  category_id: 1,
  brand: "Apple",
  stock_quantity: 50,
  sku: "IPHONE15PRO",
  image_url: null,
  is_active: true,
  rating: 4.5,
  review_count: 0,
  created_at: "2026-11-24T09:45:17.123Z"
})

if (process.argv[2] === "--ceiling") {
  const { createServer } = await import("node:http")
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(CEILING_BODY) })
    res.end(CEILING_BODY)
  })
  server.keepAliveTimeout = 65_000
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    process.send!(typeof address === "object" && address ? address.port : 0)
  })
} else {
  await main()
}

async function main() {
  const check = await fetch(`${BASE}/api/products/1`).catch((error: unknown) => error)
  if (!(check instanceof Response) || check.status !== 200) {
    console.error(`No catalog at ${BASE} (GET /api/products/1 failed). Start the server first; see the README.`)
    process.exit(1)
  }
  const ceilingProcess = fork(fileURLToPath(import.meta.url), ["--ceiling"], { stdio: "inherit" })
  const port = await new Promise<number>((resolve) => ceilingProcess.once("message", (m) => resolve(Number(m))))
  const ceilingUrl = `http://127.0.0.1:${port}/`

  try {
    // Fill the caches so that both parts measure the steady state of a browsing shop.
    for (const [, path] of TARGETS) for (let i = 0; i < 3; i++) await fetch(`${BASE}${path}`).then((r) => r.text())

    console.log(`\nSaturated (${generator}): ${CONNECTIONS} connections, ${DURATION} s each, against ${BASE}\n`)
    const ceiling = await saturate(ceilingUrl, CONNECTIONS, DURATION)
    const rows: Array<Array<string>> = [row("bare node:http (ceiling)", ceiling, ceiling)]
    for (const [name, path] of TARGETS)
      rows.push(row(name, await saturate(`${BASE}${path}`, CONNECTIONS, DURATION), ceiling))
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
  } finally {
    ceilingProcess.kill()
  }
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
