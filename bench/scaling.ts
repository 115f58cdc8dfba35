/**
 * `npm run bench:scaling`: how throughput grows with WEB_CONCURRENCY. Starts
 * the server itself (`node src/main.ts`) on a free port with one worker, then
 * with BENCH_WORKERS (default 2), rate limits off, on DATABASE_URL (a seeded
 * catalog: see the README's Benchmarks section) and REDIS_URL when set;
 * saturates the same catalog reads as `npm run bench` against each, and prints
 * the ratio per request. Use wrk (saturate.ts says why). A small machine's
 * figures swing from run to run, so it does BENCH_RUNS rounds (default 3) and
 * judges the median ratio.
 *
 * The control row is bareServer.ts run the same way, one process and then N
 * under node:cluster: on a machine whose cores also run the load generator,
 * that is the best ratio any Node server can show there.
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { freePort } from "../src/infra/freePort.ts"
import { withBareServer, withServer } from "./bareServer.ts"
import { TARGETS } from "./catalogReads.ts"
import { generator, saturate } from "./saturate.ts"
import { table } from "./report.ts"

const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 600)
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const TARGET_RATIO = 1.6

await main()

async function main() {
  if (!process.env.DATABASE_URL) {
    console.error("Set DATABASE_URL to a seeded catalog (see the README's Benchmarks section).")
    process.exit(1)
  }
  if (generator !== "wrk")
    console.warn("wrk is not installed (apt-get install wrk): autocannon shares the cores and understates the scaling.")
  console.log(`\nSaturated (${generator}): ${CONNECTIONS} connections, ${DURATION} s each; 1 process vs ${WORKERS}\n`)

  const bareRates = (workers: number) => withBareServer(workers, async (url) => [await rate(url)])
  const shopRates = async (workers: number) => {
    const port = await freePort()
    const child = spawn(process.execPath, [fileURLToPath(new URL("../src/main.ts", import.meta.url))], {
      env: {
        ...process.env,
        PORT: String(port),
        WEB_CONCURRENCY: String(workers),
        RATE_LIMIT_ENABLED: "false",
        LOG_LEVEL: "Warn"
      },
      stdio: ["ignore", "ignore", "inherit"]
    })
    return withServer(child, `http://127.0.0.1:${port}`, "/ready", async (base) => {
      const rates: Array<number> = []
      for (const [, path] of TARGETS) {
        // Every worker's caches filled before measuring.
        for (let i = 0; i < 4 * workers; i++) await fetch(`${base}${path}`).then((r) => r.text())
        rates.push(await rate(`${base}${path}`))
      }
      return rates
    })
  }

  const names = ["bare node:http (control)", ...TARGETS.map(([name]) => name)]
  const ratios: Array<Array<number>> = names.map(() => [])
  for (let run = 1; run <= RUNS; run++) {
    const one = [...(await bareRates(1)), ...(await shopRates(1))]
    const many = [...(await bareRates(WORKERS)), ...(await shopRates(WORKERS))]
    console.log(`run ${run} of ${RUNS}`)
    table(
      ["request", "1 process req/s", `${WORKERS} workers req/s`, "ratio"],
      names.map((name, i) => [name, one[i]!.toFixed(0), many[i]!.toFixed(0), `${(many[i]! / one[i]!).toFixed(2)}x`])
    )
    console.log()
    names.forEach((_, i) => ratios[i]!.push(many[i]! / one[i]!))
  }
  const median = (xs: Array<number>) => {
    const sorted = [...xs].sort((a, b) => a - b)
    const mid = Math.floor(sorted.length / 2)
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  }
  table(
    ["request", ...ratios[0]!.map((_, run) => `run ${run + 1}`), "median"],
    names.map((name, i) => [name, ...ratios[i]!.map((r) => `${r.toFixed(2)}x`), `${median(ratios[i]!).toFixed(2)}x`])
  )
  const lowest = Math.min(...ratios.slice(1).map(median))
  console.log(
    `\nlowest median ratio of the shop's reads ${lowest.toFixed(2)}x` +
      ` (target >= ${TARGET_RATIO}x with 2 workers on 2 cores): ${lowest >= TARGET_RATIO ? "met" : "NOT met"}`
  )
}

/** Saturated req/s of one URL after a short run that lets the JIT settle. */
async function rate(url: string) {
  await saturate(url, CONNECTIONS, 2)
  const r = await saturate(url, CONNECTIONS, DURATION)
  if (r.errors + r.timeouts + r.non2xx > 0)
    console.error(`${url}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx`)
  return r.requests.average
}
