import { type ChildProcess, spawn } from "node:child_process"
import * as path from "node:path"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { Redis } from "ioredis"
import { afterAll, describe, expect, it } from "vitest"
import { freePort } from "../src/infra/freePort.ts"
import { createProduct } from "./support/shop.ts"
import { TestDatabaseLive, TestDatabaseUrl } from "./support/TestDatabase.ts"

const started: Array<ChildProcess> = []
const scope = Effect.runSync(Scope.make())
afterAll(async () => {
  for (const child of started) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    const exited = new Promise((resolve) => child.once("exit", resolve))
    child.kill("SIGTERM")
    await exited
  }
  await Effect.runPromise(Scope.close(scope, Exit.void))
})

const start = (env: Record<string, string>) => {
  const child = spawn(process.execPath, [path.resolve("src/main.ts")], {
    env: { ...process.env, SEED_ON_INIT: "false", LOG_LEVEL: "Warn", ...env }
  })
  started.push(child)
  let output = ""
  child.stdout.on("data", (d) => (output += d))
  child.stderr.on("data", (d) => (output += d))
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve))
  return { exited, output: () => output }
}

const waitForHealth = async (port: number, output: () => string) => {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`server did not become healthy:\n${output()}`)
}

describe("REDIS_KEY_PREFIX", () => {
  it("a prefix with a space or a glob character stops start-up with a line naming it", async () => {
    for (const prefix of ["my shop:", "shop*"]) {
      const { exited, output } = start({ REDIS_KEY_PREFIX: prefix, PORT: String(await freePort()) })
      expect(await exited).toBe(1)
      expect(output()).toMatch(/invalid configuration: .*REDIS_KEY_PREFIX may hold/)
    }
  })

  it.runIf(process.env.REDIS_URL !== undefined)(
    "two servers on two databases and one Redis see neither each other's catalog nor each other's limits",
    async () => {
      // Two databases, one product in the first, none in the second.
      const urls: Array<string> = []
      for (const withProduct of [true, false]) {
        const context = await Effect.runPromise(Layer.buildWithScope(TestDatabaseLive, scope))
        if (withProduct) await Effect.runPromise(Effect.provide(createProduct({ stock: 5 }), context))
        urls.push(Context.get(context, TestDatabaseUrl))
      }
      const ports = [await freePort(), await freePort()]
      const servers = ports.map((port, i) =>
        start({
          PORT: String(port),
          DATABASE_URL: urls[i]!,
          REDIS_URL: process.env.REDIS_URL!,
          RATE_LIMIT_IP_PER_MINUTE: "4"
        })
      )
      for (const [i, port] of ports.entries()) await waitForHealth(port, servers[i]!.output)
      const total = async (port: number) =>
        ((await (await fetch(`http://127.0.0.1:${port}/api/products`)).json()) as { pagination: { total: number } })
          .pagination.total
      // The first server caches its listing in Redis; the second, asked the same, must not serve it.
      expect(await total(ports[0]!)).toBe(1)
      expect(await total(ports[0]!)).toBe(1)
      expect(await total(ports[1]!)).toBe(0)
      // The first server's budget (4 a minute) runs out; the second's, on the same Redis, does not.
      const status = async (port: number) => (await fetch(`http://127.0.0.1:${port}/api`)).status
      const first: Array<number> = []
      for (let i = 0; i < 6; i++) first.push(await status(ports[0]!))
      expect(first).toContain(429)
      expect(await status(ports[1]!)).toBe(200)
      // Nothing either server wrote stays in Redis for good: cache entries, versions and limits all expire.
      const redis = new Redis(process.env.REDIS_URL!)
      try {
        for (const url of urls) {
          const keys = await redis.keys(`shop:${new URL(url).pathname.slice(1)}:*`)
          expect(keys.length).toBeGreaterThan(0)
          for (const key of keys) expect(await redis.pttl(key), key).toBeGreaterThan(0)
        }
      } finally {
        redis.disconnect()
      }
    }
  )
})
