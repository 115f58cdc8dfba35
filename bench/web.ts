/**
 * `npm run bench:web`: how long home and listing pages take, from navigation to
 * their products on screen, in Debian's Chromium against the shop on a large
 * catalog. It uses its own database (never `test`), seeded once with:
 *
 *   createdb -h 127.0.0.1 -U postgres shop_web_bench
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/shop_web_bench npm run db:seed -- --products 100000
 *
 * WEB_BENCH_DATABASE_URL names another database. Target: content within 1 s.
 */
import { chromium } from "playwright-core"
import { CHROMIUM, CHROMIUM_FLAGS, DESKTOP } from "../test/e2e/browser.ts"
import { startShop } from "../test/e2e/shop.ts"
import { percentile, table } from "./report.ts"

const databaseUrl = process.env.WEB_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/shop_web_bench"
if (new URL(databaseUrl).pathname === "/test") throw new Error("bench:web never runs on the test database")
const ROUNDS = 7

const shop = await startShop({ DATABASE_URL: databaseUrl })
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS })
try {
  const total = (await (await fetch(`${shop.url}/api/products?per_page=1`)).json()).pagination.total as number
  console.log(`catalog: ${total.toLocaleString("en-IN")} active products`)
  const pages: Array<[string, string]> = [
    ["home", "/"],
    ["listing", "/products"],
    ["listing, category + sort by price", "/products?category_id=1&sort=price_asc"],
    ["listing, brand + in stock + page 5", "/products?brand=Samsung&in_stock=true&page=5"],
    ["search", "/products?search=phone"]
  ]
  const rows: Array<Array<string>> = []
  const median = (xs: Array<number>) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      0.5
    ).toFixed(0)
  for (const [name, path] of pages) {
    const times: Array<number> = []
    // Where the time goes, per round: the page's script loaded, its first API request sent, its last answered.
    const scriptEnd: Array<number> = []
    const apiStart: Array<number> = []
    const apiEnd: Array<number> = []
    // A new context each time: no HTTP cache, no storage (the server's caches stay warm after the first round).
    for (let round = 0; round <= ROUNDS; round++) {
      const context = await browser.newContext({ viewport: DESKTOP })
      const page = await context.newPage()
      await page.goto(shop.url + path, { waitUntil: "commit" })
      await page.locator(".card, .empty").first().waitFor({ timeout: 30_000 })
      const [ms, timing] = await page.evaluate(() => {
        const resources = performance.getEntriesByType("resource") as Array<PerformanceResourceTiming>
        const api = resources.filter((r) => new URL(r.name).pathname.startsWith("/api/"))
        const scripts = resources.filter((r) => r.initiatorType === "script" || r.name.endsWith(".js"))
        return [
          performance.now(),
          {
            script: Math.max(0, ...scripts.map((r) => r.responseEnd)),
            apiStart: Math.min(...api.map((r) => r.startTime)),
            apiEnd: Math.max(0, ...api.map((r) => r.responseEnd))
          }
        ] as const
      })
      if (round > 0) {
        times.push(ms)
        scriptEnd.push(timing.script)
        apiStart.push(timing.apiStart)
        apiEnd.push(timing.apiEnd)
      }
      await context.close()
    }
    times.sort((a, b) => a - b)
    rows.push([
      name,
      percentile(times, 0.5).toFixed(0),
      times[times.length - 1]!.toFixed(0),
      median(scriptEnd),
      median(apiStart),
      median(apiEnd)
    ])
  }
  console.log(`\nnavigation to products on screen, ms (${ROUNDS} cold-browser rounds after one warm-up):\n`)
  table(["page", "median", "max", "script loaded", "first API request", "last API answer"], rows)
  console.log(
    "\n(the last three are medians, from navigation: before the first API request the page's JavaScript loads and runs;"
  )
  console.log(" between it and the last answer the API works; after the last answer the page decodes and renders)")
} finally {
  await browser.close()
  await shop.stop()
}
