/**
 * The benchmarks' control: a node:http server answering every request with
 * the JSON of a product detail, nothing behind it: what any Node server on
 * this machine could do at best. `node bench/bareServer.ts PORT [WORKERS]`;
 * more than one worker runs under node:cluster. `withServer` starts it (or
 * any other server process), waits until it answers, and stops it.
 */
import { type ChildProcess, spawn } from "node:child_process"
import cluster from "node:cluster"
import { once } from "node:events"
import { createServer } from "node:http"
import { fileURLToPath } from "node:url"
import { freePort } from "../src/infra/freePort.ts"

/** The same JSON a product detail answers. */
const BODY = JSON.stringify({
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

if (process.argv[1] === fileURLToPath(import.meta.url)) serve(Number(process.argv[2]), Number(process.argv[3] ?? 1))

function serve(port: number, workers: number) {
  process.on("SIGTERM", () => process.exit(0))
  if (workers > 1 && cluster.isPrimary) {
    for (let i = 0; i < workers; i++) cluster.fork()
    return
  }
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(BODY) })
    res.end(BODY)
  })
  server.keepAliveTimeout = 65_000
  server.listen(port, "127.0.0.1")
}

/** Runs `f` against the control with `workers` processes. */
export const withBareServer = async <A>(workers: number, f: (url: string) => Promise<A>) => {
  const port = await freePort()
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), String(port), String(workers)], {
    stdio: "inherit"
  })
  return withServer(child, `http://127.0.0.1:${port}`, "/", (base) => f(`${base}/`))
}

/** Waits for `ready` to answer 200, runs `f`, and stops the child (SIGTERM) whatever happens. */
export async function withServer<A>(
  child: ChildProcess,
  base: string,
  ready: string,
  f: (base: string) => Promise<A>
): Promise<A> {
  const exited = once(child, "exit")
  try {
    const deadline = Date.now() + 60_000
    while (
      (await fetch(`${base}${ready}`).then(
        (r) => r.status,
        () => 0
      )) !== 200
    ) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${base} never got ready`)
      await new Promise((r) => setTimeout(r, 250))
    }
    return await f(base)
  } finally {
    child.kill("SIGTERM")
    await exited
  }
}
