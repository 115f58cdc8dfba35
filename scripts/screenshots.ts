/**
 * `npm run screenshots`: starts the shop (its own embedded PostgreSQL with the
 * sample data), opens the main pages in Debian's Chromium at desktop and phone
 * width and writes docs/screenshots/<page>-<desktop|phone>.png for the README.
 */
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { chromium } from "playwright-core"
import { CHROMIUM, CHROMIUM_FLAGS, DESKTOP, PHONE } from "../test/e2e/browser.ts"
import { startShop } from "../test/e2e/shop.ts"

const out = join(import.meta.dirname, "../docs/screenshots")
mkdirSync(out, { recursive: true })

const shop = await startShop()
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS })
try {
  const api = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(shop.url + path, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    return res.json()
  }
  const login = await api("POST", "/api/auth/login", { email: "john@example.com", password: "password123" })
  const iphone = (await api("GET", "/api/products?search=iphone")).products[0]
  const headphones = (await api("GET", "/api/products?search=sony")).products[0]
  await api("DELETE", "/api/cart/clear", undefined, login.access_token)
  await api("POST", "/api/cart/add", { product_id: iphone.id, quantity: 1 }, login.access_token)
  await api("POST", "/api/cart/add", { product_id: headphones.id, quantity: 2 }, login.access_token)
  const admin = await api("POST", "/api/auth/login", { email: "admin@flipkart.com", password: "admin123" })

  const pages: Array<[string, string, typeof login | undefined]> = [
    ["home", "/", undefined],
    ["listing", "/products?category_id=1&sort=price_desc", undefined],
    ["product", `/products/${iphone.id}`, undefined],
    ["cart", "/cart", login],
    ["admin", "/admin/orders", admin]
  ]
  for (const [name, path, session] of pages) {
    for (const [size, viewport] of [
      ["desktop", DESKTOP],
      ["phone", PHONE]
    ] as const) {
      const context = await browser.newContext({ viewport, baseURL: shop.url, deviceScaleFactor: 1 })
      if (session) await context.addInitScript((s) => localStorage.setItem("shop.session", s), JSON.stringify(session))
      const page = await context.newPage()
      await page.goto(path)
      await page.locator(".card, .product-info, .cart-line, .table, .empty").first().waitFor()
      await page.waitForLoadState("networkidle")
      await page.screenshot({ path: join(out, `${name}-${size}.png`) })
      await context.close()
      console.log(`docs/screenshots/${name}-${size}.png`)
    }
  }
} finally {
  await browser.close()
  await shop.stop()
}
