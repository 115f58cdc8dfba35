import { chromium, type Browser, type Page } from "playwright-core"
import { inject } from "vitest"
import { unique } from "../support/unique.ts"

export { unique }

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic"
]

export const launch = () => chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS })

export const shopUrl = () => inject("shopUrl")

export const PHONE = { width: 375, height: 812 }
export const DESKTOP = { width: 1280, height: 800 }

/** A fresh browser context (its own storage) and page; page errors fail the test that reads `errors`. */
export const openPage = async (browser: Browser, viewport = DESKTOP) => {
  const context = await browser.newContext({ viewport, baseURL: shopUrl() })
  const page = await context.newPage()
  const errors: Array<string> = []
  page.on("pageerror", (e) => errors.push(e.message))
  return { context, page, errors }
}

/** Calls the API as a plain HTTP client would, for test setup (users, products, orders). */
export const http = async (method: string, path: string, body?: unknown, token?: string) => {
  const res = await fetch(shopUrl() + path, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {})
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}

export const adminToken = async () =>
  (await http("POST", "/api/auth/login", { email: "admin@flipkart.com", password: "admin123" })).body
    .access_token as string

export const registerUser = async () => {
  const name = unique("u")
  const res = await http("POST", "/api/auth/register", {
    email: `${name}@example.com`,
    username: name,
    password: "password123"
  })
  return {
    email: `${name}@example.com`,
    username: name,
    password: "password123",
    token: res.body.access_token as string
  }
}

/** Signs in through the page, as a shopper would. */
export const signInThroughUi = async (page: Page, email: string, password: string) => {
  await page.goto("/signin")
  await page.getByLabel("Email").fill(email)
  await page.getByLabel("Password").fill(password)
  await page.getByRole("button", { name: "Sign in" }).click()
  await page.getByRole("button", { name: "Sign out" }).waitFor()
}
