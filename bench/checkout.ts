/**
 * Checkout benchmark: many pre-created users each add a product to their cart
 * and place an order, as fast as the server takes it; then the books are checked:
 * stock sold = units ordered, and every order's total = units x unit price.
 *
 *   RATE_LIMIT_ENABLED=false npm start                # in another terminal (seeded admin needed)
 *   npm run bench:checkout                            # BENCH_URL, BENCH_USERS, BENCH_SECONDS, BENCH_PRODUCTS
 *
 * It talks to the server only through the API, so it measures what a client sees.
 */
import autocannon from "autocannon"
import { percentile } from "./report.ts"

const base = process.env.BENCH_URL ?? "http://127.0.0.1:5000"
const users = Number(process.env.BENCH_USERS ?? 200)
const seconds = Number(process.env.BENCH_SECONDS ?? 20)
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 50)
const admin = {
  email: process.env.BENCH_ADMIN_EMAIL ?? "admin@flipkart.com",
  password: process.env.BENCH_ADMIN_PASSWORD ?? "admin123"
}

const call = async (method: string, path: string, body?: unknown, token?: string) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {})
    },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const json: any = await res.json().catch(() => undefined)
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`)
  return json
}

/** Runs `f` over `items` with at most `n` at a time. */
const pool = async <A, B>(items: ReadonlyArray<A>, n: number, f: (a: A, i: number) => Promise<B>) => {
  const out: Array<B> = []
  let next = 0
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++
        out[i] = await f(items[i]!, i)
      }
    })
  )
  return out
}

const main = async () => {
  const { access_token: adminToken } = await call("POST", "/api/auth/login", admin)
  const tag = Date.now().toString(36)
  const { category } = await call("POST", "/api/categories", { name: `Bench ${tag}` }, adminToken)
  const price = 499
  const initialStock = 1_000_000
  // Orders spread over several products, as a shop's do; one hot row would measure lock waits, not checkout.
  const products: Array<{ id: number }> = []
  for (let i = 0; i < PRODUCTS; i++) {
    const { product } = await call(
      "POST",
      "/api/products",
      {
        name: `Bench item ${tag} ${i}`,
        price,
        category_id: category.id,
        sku: `BENCH-${tag}-${i}`,
        stock_quantity: initialStock
      },
      adminToken
    )
    products.push(product)
  }

  process.stdout.write(`creating ${users} users... `)
  const buyers = await pool(Array.from({ length: users }), 4, async (_, i) => {
    const reg = await call("POST", "/api/auth/register", {
      email: `bench_${tag}_${i}@example.com`,
      username: `bench_${tag}_${i}`,
      password: "password123"
    })
    const { address } = await call(
      "POST",
      "/api/users/addresses",
      { street: "1 Bench Road", city: "Pune", state: "Maharashtra", pincode: "411001" },
      reg.access_token
    )
    return { token: reg.access_token as string, addressId: address.id as number }
  })
  console.log("done")

  // autocannon clears a connection's context every loop, so a buyer is taken for one add + order and then given back:
  // no two connections ever act for the same buyer at once.
  const free = [...buyers]
  const orderLatencies: Array<number> = []
  const refusals: Array<string> = []
  let placed = 0
  let refused = 0
  const result = await autocannon({
    url: base,
    connections: users,
    duration: seconds,
    requests: [
      {
        method: "POST",
        path: "/api/cart/add",
        setupRequest: (req: any, context: any) => {
          context.buyer = free.pop()
          return {
            ...req,
            headers: { "content-type": "application/json", authorization: `Bearer ${context.buyer.token}` },
            body: JSON.stringify({ product_id: products[Math.floor(Math.random() * products.length)]!.id, quantity: 1 })
          }
        },
        onResponse: (status: number, body: string) => {
          if (status !== 201 && refusals.length < 5) refusals.push(`add: ${status} ${body}`)
        }
      },
      {
        method: "POST",
        path: "/api/orders",
        setupRequest: (req: any, context: any) => {
          context.sentAt = performance.now()
          return {
            ...req,
            headers: { "content-type": "application/json", authorization: `Bearer ${context.buyer.token}` },
            body: JSON.stringify({ address_id: context.buyer.addressId, payment_method: "UPI" })
          }
        },
        onResponse: (status: number, body: string, context: any) => {
          free.push(context.buyer)
          orderLatencies.push(performance.now() - context.sentAt)
          if (status === 201) placed++
          else {
            refused++
            if (refusals.length < 5) refusals.push(`${status} ${body}`)
          }
        }
      }
    ]
  })

  // autocannon stops counting at the deadline, but requests it sent may still be running: wait until the stock settles.
  const stockLeft = async () => {
    let left = 0
    for (const p of products) left += (await call("GET", `/api/products/${p.id}`)).stock_quantity
    return left
  }
  let left = await stockLeft()
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000))
    const again = await stockLeft()
    if (again === left) break
    left = again
  }
  const all = await call("GET", `/api/orders/all?per_page=1`, undefined, adminToken)
  const sold = initialStock * products.length - left
  let totals = 0
  let units = 0
  await pool(buyers, 8, async (b) => {
    for (let page = 1; ; page++) {
      const { orders, pagination } = await call("GET", `/api/orders?page=${page}&per_page=100`, undefined, b.token)
      for (const o of orders) {
        const q = o.items.reduce((s: number, i: any) => s + i.quantity, 0)
        units += q
        if (Math.round(o.total_amount * 100) !== q * price * 100) totals++
      }
      if (page >= pagination.pages) break
    }
  })

  const errors = result.errors + result.timeouts + result.non2xx
  console.log(`\ncheckout: ${users} users, ${seconds}s, ${base}`)
  console.log(`orders placed     ${placed} (${(placed / seconds).toFixed(0)} orders/s), refused ${refused}`)
  console.log(`requests          ${result.requests.total} (${result.requests.average.toFixed(0)} req/s: add + order)`)
  orderLatencies.sort((a, b) => a - b)
  const pct = (q: number) => percentile(orderLatencies, q).toFixed(1)
  console.log(`order latency     p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms (POST /api/orders)`)
  console.log(`latency (all)     p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms (add + order)`)
  console.log(`errors            ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`)
  console.log(
    `consistency       stock sold ${sold}, units in orders ${units}, orders seen ${all.pagination.total}, bad totals ${totals}`
  )
  for (const r of refusals) console.log(`refused: ${r.slice(0, 300)}`)
  const consistent = sold === units && totals === 0 && errors === 0
  console.log(consistent ? "consistent: yes" : "consistent: NO")
  process.exitCode = consistent ? 0 : 1
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
