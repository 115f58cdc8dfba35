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
  for (const [name, path] of pages) {
    const times: Array<number> = []
    // A new context each time: no HTTP cache, no storage (the server's caches stay warm after the first round).
    for (let round = 0; round <= ROUNDS; round++) {
      const context = await browser.newContext({ viewport: DESKTOP })
      const page = await context.newPage()
      await page.goto(shop.url + path, { waitUntil: "commit" })
      await page.locator(".card, .empty").first().waitFor({ timeout: 30_000 })
      const ms = await page.evaluate(() => performance.now())
      if (round > 0) times.push(ms)
      await context.close()
    }
    times.sort((a, b) => a - b)
    rows.push([name, percentile(times, 0.5).toFixed(0), times[times.length - 1]!.toFixed(0)])
  }
  console.log(`\nnavigation to products on screen, ms (${ROUNDS} cold-browser rounds after one warm-up):\n`)
  table(["page", "median", "max"], rows)
} finally {
  await browser.close()
  await shop.stop()
}
