/**
 * `npm run bench:mix`: a persona workload modelled on real shops, against a
 * running server (BENCH_URL). 600 virtual users (BENCH_USERS), each looping with
 * think time (0.5-1.5 s) over: ~70% browsing (listings, filters, search,
 * product detail, categories), ~20% cart changes, ~10% checkout of 1-3 items.
 * Users arrive evenly over BENCH_RAMP seconds (default 10), as load tools
 * spawn them; then all of them run for BENCH_SECONDS. It prints throughput and
 * p50/p95/p99 per request type over that steady part, the ramp on a line of
 * its own (a fresh server's cold caches, JIT and connections show there),
 * error counts over both, and checks the books: for the products checkouts
 * draw from, the stock sold equals the units in the users' orders.
 *
 * Start the server on the large catalog with RATE_LIMIT_ENABLED=false first
 * (README: "Benchmarks"). It needs the seeded admin (admin@flipkart.com).
 *
 * BENCH_RESULT_FILE: also writes there, as JSON, the run's tag (its users are
 * mix_<tag>_<n>@example.com), the hot products with their starting stock, every
 * order answered 201 with its lines, and the error counts, for a caller that
 * checks the database itself (bench/cluster.ts).
 */
import { randomUUID } from "node:crypto"
import { writeFileSync } from "node:fs"
import { Agent, request } from "undici"
import { percentile } from "./report.ts"

const BASE = (process.env.BENCH_URL ?? "http://127.0.0.1:5000").replace(/\/$/, "")
const USERS = Number(process.env.BENCH_USERS ?? 600)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60)
const RAMP = Number(process.env.BENCH_RAMP ?? 10)
const TARGET_P99 = { browse: 250, checkout: 500 }
const HOT_PRODUCTS = 40
const agent = new Agent({ connections: USERS, pipelining: 1, keepAliveTimeout: 60_000 })

type Kind = "browse" | "cart" | "checkout"
interface Sample {
  readonly name: string
  readonly kind: Kind
  readonly ms: number
  readonly status: number
  /** When it was sent (performance.now()). */
  readonly at: number
}
const samples: Array<Sample> = []
let transportErrors = 0
/** What the requests without a response got instead: error code and request. */
const transportErrorKinds = new Map<string, number>()
/** Orders answered 201: id and lines. */
const placed: Array<{ id: number; items: Array<{ product_id: number; quantity: number }> }> = []

/** Requests sent again after their keep-alive connection closed before any response (see `call`). */
let resent = 0
const resentKinds = new Map<string, number>()
const RESENDABLE = new Set(["UND_ERR_SOCKET", "ECONNRESET", "EPIPE"])

/**
 * One request. When the connection closes under it before any response (a server or proxy closing an idle
 * keep-alive connection as the request went out, e.g. nginx's old workers on a reload), it is sent once more on a
 * new connection, as browsers do; `resent` counts those. A second failure, or one after the response began, counts
 * as a transport error.
 */
const call = async (
  name: string,
  kind: Kind,
  method: string,
  path: string,
  options: { readonly token?: string; readonly body?: unknown; readonly idempotencyKey?: string } = {}
) => {
  const started = performance.now()
  for (let attempt = 1; ; attempt++) {
    let answered = false
    try {
      const res = await request(`${BASE}${path}`, {
        method: method as "GET",
        dispatcher: agent,
        headers: {
          ...(options.body === undefined ? {} : { "content-type": "application/json" }),
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
          ...(options.idempotencyKey === undefined ? {} : { "idempotency-key": options.idempotencyKey })
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        headersTimeout: 10_000,
        bodyTimeout: 10_000
      })
      answered = true
      const text = await res.body.text()
      samples.push({ name, kind, ms: performance.now() - started, status: res.statusCode, at: started })
      return { status: res.statusCode, json: text.length > 0 ? JSON.parse(text) : undefined }
    } catch (e) {
      const code = (e as { code?: string }).code ?? (e as Error).name
      const what = `${code} (${method} ${name})`
      if (attempt === 1 && !answered && RESENDABLE.has(code)) {
        resent++
        resentKinds.set(what, (resentKinds.get(what) ?? 0) + 1)
        continue
      }
      transportErrors++
      transportErrorKinds.set(what, (transportErrorKinds.get(what) ?? 0) + 1)
      samples.push({ name, kind, ms: performance.now() - started, status: 0, at: started })
      return { status: 0, json: undefined }
    }
  }
}

const must = async (method: string, path: string, options: { token?: string; body?: unknown } = {}) => {
  const res = await call("setup", "browse", method, path, options)
  if (res.status === 0 || res.status >= 400)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.json)}`)
  return res.json
}

const pick = <A>(items: ReadonlyArray<A>) => items[Math.floor(Math.random() * items.length)]!
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const WORDS = ["phone", "shoe", "book", "lamp", "watch", "pro", "max", "iph", "sam", "yoga", "steel", "cotton"]

const setup = async () => {
  const admin = await must("POST", "/api/auth/login", { body: { email: "admin@flipkart.com", password: "admin123" } })
  const first = await must("GET", "/api/products?per_page=1&sort_by=created_at&sort_order=desc")
  const maxId: number = first.products[0].id
  const categories: Array<{ id: number }> = await must("GET", "/api/categories")
  // Checkouts draw from products made for this run, so their stock is ours to account for.
  const tag = Date.now().toString(36)
  const { category } = await must("POST", "/api/categories", {
    token: admin.access_token,
    body: { name: `Mix ${tag}` }
  })
  const hot: Array<{ id: number; stock: number }> = []
  for (let i = 0; i < HOT_PRODUCTS; i++) {
    const stock = 200 + i * 10
    const { product } = await must("POST", "/api/products", {
      token: admin.access_token,
      body: {
        name: `Mix item ${tag} ${i}`,
        price: 99 + i,
        category_id: category.id,
        sku: `MIX-${tag}-${i}`,
        stock_quantity: stock
      }
    })
    hot.push({ id: product.id, stock })
  }
  process.stdout.write(`creating ${USERS} users`)
  const users: Array<{ token: string; addressId: number }> = []
  let next = 0
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < USERS) {
        const i = next++
        const reg = await must("POST", "/api/auth/register", {
          body: { email: `mix_${tag}_${i}@example.com`, username: `mix_${tag}_${i}`, password: "password123" }
        })
        const { address } = await must("POST", "/api/users/addresses", {
          token: reg.access_token,
          body: { street: "7 Mix Lane", city: "Delhi", state: "Delhi", pincode: "110001" }
        })
        users.push({ token: reg.access_token, addressId: address.id })
        if (users.length % 100 === 0) process.stdout.write(".")
      }
    })
  )
  console.log(" done")
  samples.length = 0
  return { tag, maxId, categories: categories.map((c) => c.id), hot, users }
}

const main = async () => {
  const { tag, maxId, categories, hot, users } = await setup()
  const rampEnd = performance.now() + RAMP * 1000
  const deadline = Date.now() + (RAMP + SECONDS) * 1000

  const browse = () => {
    const r = Math.random()
    if (r < 0.3)
      return call("product detail", "browse", "GET", `/api/products/${1 + Math.floor(Math.random() * maxId)}`)
    if (r < 0.5) return call("listing", "browse", "GET", `/api/products?page=${1 + Math.floor(Math.random() * 20)}`)
    if (r < 0.7) {
      const min = Math.floor(Math.random() * 5000)
      return call(
        "filtered listing",
        "browse",
        "GET",
        `/api/products?category_id=${pick(categories)}&min_price=${min}&max_price=${min + 20000}&sort_by=${pick(["price", "rating", "name"])}&sort_order=${pick(["asc", "desc"])}`
      )
    }
    if (r < 0.9) return call("search", "browse", "GET", `/api/products?search=${pick(WORDS)}`)
    return call("categories", "browse", "GET", `/api/categories${Math.random() < 0.5 ? "?tree=true" : ""}`)
  }

  const addHot = (token: string) =>
    call("cart add", "cart", "POST", "/api/cart/add", { token, body: { product_id: pick(hot).id, quantity: 1 } })

  const cartChange = async (token: string) => {
    const r = Math.random()
    if (r < 0.6) return addHot(token)
    if (r < 0.8) return call("cart view", "cart", "GET", "/api/cart", { token })
    const cart = await call("cart view", "cart", "GET", "/api/cart", { token })
    const item = cart.json?.items?.[0]
    if (item === undefined) return addHot(token)
    return Math.random() < 0.5
      ? call("cart update", "cart", "PUT", `/api/cart/update/${item.id}`, { token, body: { quantity: 1 } })
      : call("cart remove", "cart", "DELETE", `/api/cart/remove/${item.id}`, { token })
  }

  const checkout = async (user: { token: string; addressId: number }) => {
    const items = 1 + Math.floor(Math.random() * 3)
    for (let i = 0; i < items; i++) await addHot(user.token)
    const res = await call("checkout", "checkout", "POST", "/api/orders", {
      token: user.token,
      // Makes the resend of a checkout safe: the server answers a repeated key with the first order.
      idempotencyKey: randomUUID(),
      body: { address_id: user.addressId, payment_method: pick(["COD", "UPI", "CARD"]) }
    })
    if (res.status === 201 && !placed.some((o) => o.id === res.json.order.id)) {
      const order: { id: number; items: Array<{ product: { id: number }; quantity: number }> } = res.json.order
      placed.push({ id: order.id, items: order.items.map((i) => ({ product_id: i.product.id, quantity: i.quantity })) })
    }
    return res
  }

  await Promise.all(
    users.map(async (user, i) => {
      await sleep((i / users.length) * RAMP * 1000 + Math.random() * 1000)
      while (Date.now() < deadline) {
        const r = Math.random()
        if (r < 0.7) await browse()
        else if (r < 0.9) await cartChange(user.token)
        else await checkout(user)
        await sleep(500 + Math.random() * 1000)
      }
    })
  )
  const elapsed = (performance.now() - rampEnd) / 1000

  // The books: stock sold of the hot products = units in the (not cancelled) orders of our users.
  let units = 0
  for (const user of users) {
    for (let page = 1; ; page++) {
      const { orders, pagination } = await must("GET", `/api/orders?page=${page}&per_page=100`, { token: user.token })
      for (const o of orders) for (const item of o.items) if (o.status !== "cancelled") units += item.quantity
      if (page >= pagination.pages) break
    }
  }
  let sold = 0
  for (const p of hot) sold += p.stock - (await must("GET", `/api/products/${p.id}`)).stock_quantity

  const all = samples.filter((s) => s.name !== "setup")
  const ramp = all.filter((s) => s.at < rampEnd)
  const measured = all.filter((s) => s.at >= rampEnd)
  const rows = [...new Set(measured.map((s) => s.name))].map((name) => {
    const of = measured.filter((s) => s.name === name)
    const ms = of.map((s) => s.ms).sort((a, b) => a - b)
    return {
      name,
      kind: of[0]!.kind,
      count: of.length,
      p50: percentile(ms, 0.5),
      p95: percentile(ms, 0.95),
      p99: percentile(ms, 0.99),
      e5xx: of.filter((s) => s.status >= 500).length,
      failed: of.filter((s) => s.status === 0).length,
      e4xx: of.filter((s) => s.status >= 400 && s.status < 500).length
    }
  })
  console.log(
    `\nmixed load: ${USERS} users arriving over ${RAMP} s, then ${elapsed.toFixed(0)} s of all of them, ${BASE}`
  )
  console.log(`throughput: ${(measured.length / elapsed).toFixed(0)} req/s (${measured.length} requests)`)
  console.log("| request | kind | count | p50 ms | p95 ms | p99 ms | 4xx | 5xx | timeouts/transport |")
  console.log("|---|---|--:|--:|--:|--:|--:|--:|--:|")
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.kind} | ${r.count} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.e4xx} | ${r.e5xx} | ${r.failed} |`
    )
  }
  let met = true
  for (const kind of ["browse", "checkout"] as const) {
    const ms = measured
      .filter((s) => s.kind === kind)
      .map((s) => s.ms)
      .sort((a, b) => a - b)
    const p99 = percentile(ms, 0.99)
    met &&= p99 <= TARGET_P99[kind]
    console.log(`${kind}: p99 ${p99.toFixed(1)} ms over ${ms.length} requests (target <= ${TARGET_P99[kind]} ms)`)
  }
  if (RAMP > 0) {
    const rampMs = ramp.map((s) => s.ms).sort((a, b) => a - b)
    console.log(
      `ramp-up (${RAMP} s): ${ramp.length} requests, p50 ${percentile(rampMs, 0.5).toFixed(1)} ms, p99 ${percentile(rampMs, 0.99).toFixed(1)} ms, max ${percentile(rampMs, 1).toFixed(0)} ms`
    )
  }
  const fivexx = all.filter((s) => s.status >= 500).length
  if (process.env.BENCH_RESULT_FILE)
    writeFileSync(
      process.env.BENCH_RESULT_FILE,
      JSON.stringify({
        tag,
        hot,
        orders: placed,
        requests: all.length,
        fivexx,
        transportErrors,
        resent,
        books: { sold, units },
        seconds: elapsed
      })
    )
  console.log(
    `5xx: ${fivexx}, transport errors/timeouts: ${transportErrors} (ramp included)` +
      (transportErrors > 0 ? `: ${[...transportErrorKinds].map(([k, n]) => `${n} x ${k}`).join(", ")}` : "")
  )
  console.log(
    `sent again after their connection closed before any response: ${resent}` +
      (resent > 0 ? ` (${[...resentKinds].map(([k, n]) => `${n} x ${k}`).join(", ")})` : "")
  )
  console.log(`books: stock sold ${sold}, units ordered ${units} -> ${sold === units ? "consistent" : "INCONSISTENT"}`)
  console.log(`targets ${met ? "met" : "NOT met"}`)
  await agent.close()
  process.exitCode = sold === units && fivexx === 0 && transportErrors === 0 ? 0 : 1
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
