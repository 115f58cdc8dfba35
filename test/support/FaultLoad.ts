import * as http from "node:http"
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { AppConfig } from "../../src/infra/AppConfig.ts"
import { APPLICATION_NAME, runMigrations } from "../../src/infra/Database.ts"
import * as PgPoolClient from "../../src/infra/PgPoolClient.ts"
import { type Buyer, createBuyers, createProduct } from "./shop.ts"

/**
 * The load of the fault tests and `npm run bench:faults`: many keep-alive
 * clients doing reads and checkouts against a server process, each request's
 * outcome recorded, and the books checked afterwards in the database.
 */

export const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url))

export interface ShopFixture {
  readonly buyers: ReadonlyArray<Buyer>
  readonly productIds: ReadonlyArray<number>
  readonly stockPerProduct: number
}

export const onDatabase = <A, E>(databaseUrl: string, effect: Effect.Effect<A, E, SqlClient.SqlClient | AppConfig>) =>
  Effect.runPromise(
    effect.pipe(
      Effect.provide(
        Layer.mergeAll(
          PgPoolClient.layer({ url: Redacted.make(databaseUrl), maxConnections: 4, applicationName: APPLICATION_NAME }),
          AppConfig.layerWith({})
        )
      ),
      Effect.orDie
    )
  )

/** Migrates the database and writes buyers (with an address and a token each) and products with ample stock. */
export const prepareShop = (
  databaseUrl: string,
  options: { readonly buyers: number; readonly products: number; readonly stock?: number }
): Promise<ShopFixture> =>
  onDatabase(
    databaseUrl,
    Effect.gen(function* () {
      yield* runMigrations
      const stockPerProduct = options.stock ?? 1_000_000
      const buyers = yield* createBuyers(options.buyers)
      const productIds: Array<number> = []
      for (let i = 0; i < options.products; i++)
        productIds.push(yield* createProduct({ stock: stockPerProduct, price: 100 + i }))
      return { buyers, productIds, stockPerProduct }
    })
  )

export interface Books {
  readonly orders: number
  /** Units sold by the stock count minus units in the buyers' orders: 0 when stock is conserved. */
  readonly stockDrift: number
}

export const readBooks = (databaseUrl: string, shop: ShopFixture): Promise<Books> =>
  onDatabase(
    databaseUrl,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const ids = shop.buyers.map((b) => b.id)
      const [orders] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM orders WHERE user_id = ANY(${ids})`
      const [stock] = yield* sql<{ n: number }>`
        SELECT coalesce(sum(stock_quantity), 0)::int AS n FROM products WHERE id = ANY(${shop.productIds})`
      const [units] = yield* sql<{ n: number }>`
        SELECT coalesce(sum(i.quantity), 0)::int AS n FROM order_items i JOIN orders o ON o.id = i.order_id
        WHERE o.user_id = ANY(${ids}) AND o.status <> 'cancelled'`
      const sold = shop.stockPerProduct * shop.productIds.length - stock!.n
      return { orders: orders!.n, stockDrift: sold - units!.n }
    })
  )

export type Kind = "read" | "cart" | "order"

export interface Outcome {
  readonly kind: Kind
  /** 0 when no response came. */
  readonly status: number
  /** Node's error code when no response came (ECONNRESET, ECONNREFUSED, TIMEOUT, ...). */
  readonly error?: string
  readonly ms: number
  /** When it was sent (performance.now()). */
  readonly at: number
  readonly retryAfter?: string
  readonly connectionClose: boolean
  /** Sent on a kept-alive connection (not a new one). */
  readonly reused?: boolean
}

/** A request that was sent and got no response: a reset, a hang-up or a timeout. Refused connections were never sent. */
export const isCut = (o: Outcome) => o.status === 0 && o.error !== "ECONNREFUSED"

export interface Load {
  readonly outcomes: Array<Outcome>
  /** Stops the clients and waits for their last requests. */
  readonly stop: () => Promise<Array<Outcome>>
}

/**
 * `clients` keep-alive clients, each looping: mostly reads of the products and
 * listings, and with `checkoutShare` an add-to-cart followed by an order. A
 * client whose connection is refused (the server stopped listening) stops.
 */
export const startLoad = (
  base: string,
  shop: ShopFixture,
  options: { readonly clients: number; readonly checkoutShare: number; readonly timeoutMs?: number }
): Load => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.clients, keepAliveMsecs: 1000 })
  const url = new URL(base)
  const outcomes: Array<Outcome> = []
  let running = true
  const call = (kind: Kind, method: string, path: string, token?: string, body?: unknown) =>
    new Promise<Outcome>((resolve) => {
      const at = performance.now()
      const payload = body === undefined ? undefined : JSON.stringify(body)
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          timeout: options.timeoutMs ?? 15_000,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {})
          }
        },
        (res) => {
          res.resume()
          res.on("end", () =>
            resolve({
              kind,
              status: res.statusCode ?? 0,
              ms: performance.now() - at,
              at,
              connectionClose: res.headers.connection === "close",
              ...(res.headers["retry-after"] ? { retryAfter: String(res.headers["retry-after"]) } : {})
            })
          )
          res.on("error", (e: NodeJS.ErrnoException) =>
            resolve({
              kind,
              status: 0,
              error: e.code ?? e.message,
              ms: performance.now() - at,
              at,
              connectionClose: false
            })
          )
        }
      )
      req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })))
      req.on("error", (e: NodeJS.ErrnoException) =>
        resolve({
          kind,
          status: 0,
          error: e.code ?? e.message,
          ms: performance.now() - at,
          at,
          connectionClose: false,
          reused: req.reusedSocket
        })
      )
      req.end(payload)
    }).then((o) => {
      outcomes.push(o)
      return o
    })

  const client = async (n: number) => {
    const buyer = shop.buyers[n % shop.buyers.length]!
    for (let i = 0; running; i++) {
      const product = shop.productIds[(n + i) % shop.productIds.length]!
      let last: Outcome
      if (((n * 7919 + i * 104729) % 1000) / 1000 < options.checkoutShare) {
        last = await call("cart", "POST", "/api/cart/add", buyer.token, { product_id: product, quantity: 1 })
        if (last.status === 201)
          last = await call("order", "POST", "/api/orders", buyer.token, {
            address_id: buyer.addressId,
            payment_method: "UPI"
          })
      } else {
        last = await call("read", "GET", i % 2 === 0 ? `/api/products/${product}` : "/api/products?limit=5")
      }
      if (last.error === "ECONNREFUSED") return
      if (last.status === 0 || last.status >= 500) await new Promise((r) => setTimeout(r, 20))
    }
  }
  const clients = Array.from({ length: options.clients }, (_, n) => client(n))
  return {
    outcomes,
    stop: async () => {
      running = false
      await Promise.all(clients)
      agent.destroy()
      return outcomes
    }
  }
}

export interface ServerProcess {
  readonly child: ChildProcess
  readonly base: string
  readonly output: () => string
  readonly exited: Promise<number | null>
}

/** The real entry point (`main`, by default this checkout's) on `port`, in a process group of its own. */
export const spawnServer = (port: number, env: Record<string, string>, main = MAIN): ServerProcess => {
  const { DATABASE_URL: _d, REDIS_URL: _r, ...inherited } = process.env
  const child = spawn(process.execPath, [main], {
    env: { ...inherited, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "Warn", SEED_ON_INIT: "false", ...env },
    // A group of its own, so that a test can signal the whole group as a terminal or an orchestrator would.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout!.on("data", (d) => (output += d))
  child.stderr!.on("data", (d) => (output += d))
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  process.once("exit", () => child.kill("SIGKILL"))
  return { child, base: `http://127.0.0.1:${port}`, output: () => output, exited }
}

export const waitForReady = async (base: string, ms: number, output: () => string = () => "") => {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(2000) })
      if (res.status === 200) return
    } catch {}
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`server not ready within ${ms} ms:\n${output().slice(-3000)}`)
}

/** Stops a server left running (a failed assertion): SIGTERM to its group, then SIGKILL. */
export const killServer = async (server: ServerProcess) => {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return
  try {
    process.kill(-server.child.pid!, "SIGTERM")
  } catch {}
  const timer = setTimeout(() => {
    try {
      process.kill(-server.child.pid!, "SIGKILL")
    } catch {}
  }, 20_000)
  await server.exited
  clearTimeout(timer)
}
