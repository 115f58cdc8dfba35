import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { Redis } from "ioredis"
import { afterEach, describe, expect, it } from "vitest"
import { freePort } from "../src/infra/freePort.ts"
import { TestDatabaseLive, TestDatabaseUrl } from "./support/TestDatabase.ts"

interface Run {
  readonly code: number | null
  readonly stderr: string
  readonly stdout: string
}

const main = path.resolve("src/main.ts")

/** Runs the real entry point with the given environment (no inherited DATABASE_URL/REDIS_URL). */
// Every process a test starts, and the data dirs whose postgres it may have started: a failing test must
// not leave a server (holding a port) or an embedded postgres running behind it.
const started: Array<ChildProcess> = []
const dataDirs: Array<string> = []

afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    const exited = new Promise((resolve) => child.once("exit", resolve))
    child.kill("SIGTERM")
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000)
    await exited
    clearTimeout(timer)
  }
  for (const dir of dataDirs.splice(0)) {
    try {
      process.kill(
        Number(fs.readFileSync(path.join(dir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]),
        "SIGINT"
      )
    } catch {}
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

const tempDataDir = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  fs.chmodSync(dir, 0o755)
  dataDirs.push(dir)
  return dir
}

const start = (env: Record<string, string>) => {
  const { DATABASE_URL: _d, REDIS_URL: _r, ...base } = process.env
  const child = spawn(process.execPath, [main], { env: { ...base, LOG_LEVEL: "Warn", ...env } })
  started.push(child)
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (d) => (stdout += d))
  child.stderr.on("data", (d) => (stderr += d))
  const exited = new Promise<Run>((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })))
  return { child, exited, output: () => stdout + stderr }
}

const waitForHealth = async (port: number, ms = 30_000, output: () => string = () => "") => {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) })
      if (res.status === 200) return
    } catch {}
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`server did not become healthy:\n${output()}`)
}

describe("start-up configuration", () => {
  it.each([
    [{ PORT: "abc" }, /invalid configuration: .*PORT/],
    [{ DB_POOL_MAX: "0" }, /DB_POOL_MAX must be a positive integer/],
    [{ NODE_ENV: "production" }, /JWT_SECRET must be set/],
    [{ LOG_LEVEL: "loud" }, /invalid configuration: .*LOG_LEVEL/]
  ])("refuses %o with a one-line error and exit 1", async (env, message) => {
    const { exited } = start(env)
    const run = await exited
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(message)
    expect(run.stderr.trim().split("\n")).toHaveLength(1)
  })

  it("an unreachable DATABASE_URL stops start-up with a line naming it", async () => {
    const { exited } = start({
      DATABASE_URL: "postgres://postgres@127.0.0.1:1/nothing",
      PORT: String(await freePort())
    })
    const run = await exited
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/DATABASE_URL/)
    expect(run.stderr).not.toMatch(/\n\s+at /)
  })
})

describe("graceful shutdown", () => {
  it("the embedded default serves, then SIGTERM exits 0 and leaves no postgres behind", async () => {
    const dataDir = tempDataDir("shop-data-")
    const port = await freePort()
    const { child, exited, output } = start({ PORT: String(port), DATA_DIR: dataDir, SEED_ON_INIT: "false" })
    await waitForHealth(port, 50_000, output)
    const ready = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.json())
    expect(ready.database).toBe("up")
    const pid = Number(fs.readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0])
    child.kill("SIGTERM")
    const run = await exited
    expect(run.code).toBe(0)
    expect(() => process.kill(pid, 0)).toThrow()
  })
})

describe("WEB_CONCURRENCY", () => {
  it("a primary with two workers: one embedded database, merged metrics, crashed workers replaced, clean SIGTERM", async () => {
    const dataDir = tempDataDir("shop-cluster-")
    const port = await freePort()
    const { child, exited, output } = start({
      PORT: String(port),
      DATA_DIR: dataDir,
      SEED_ON_INIT: "false",
      WEB_CONCURRENCY: "2"
    })
    await waitForHealth(port, 50_000, output)
    const workerPids = () =>
      execFileSync("pgrep", ["-P", String(child.pid), "-f", "src/main.ts"])
        .toString()
        .trim()
        .split("\n")
        .map(Number)
    await new Promise((r) => setTimeout(r, 500))
    const before = workerPids()
    expect(before).toHaveLength(2)
    // every worker's samples, each labelled with its worker
    for (let i = 0; i < 10; i++) await fetch(`http://127.0.0.1:${port}/health`)
    const scrape = () => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text())
    // gauges read at scrape time are read in each worker, not only in the one that took the scrape
    const workersIn = (text: string, family: string) =>
      new Set([...text.matchAll(new RegExp(`^${family}\\{worker="(\\d+)"`, "gm"))].map((m) => m[1])).size
    // The second worker can still be starting when the first answers /health: scrape until both report (or 20 s).
    let metrics = await scrape()
    for (const until = Date.now() + 20_000; workersIn(metrics, "process_memory_bytes") < 2 && Date.now() < until;)
      metrics = await new Promise((r) => setTimeout(r, 250)).then(scrape)
    expect(metrics.match(/^# TYPE http_server_request_duration_seconds histogram$/gm)).toHaveLength(1)
    expect(metrics).toMatch(/http_server_request_duration_seconds_count\{worker="\d+",[^}]*route="\/health"/)
    const workersWith = (family: string) => workersIn(metrics, family)
    expect(workersWith("process_memory_bytes")).toBe(2)
    expect(workersWith("db_client_connections_max")).toBe(2)

    process.kill(before[0]!, "SIGKILL")
    const deadline = Date.now() + 20_000
    while (Date.now() < deadline) {
      const now = workerPids()
      if (now.length === 2 && !now.includes(before[0]!)) break
      await new Promise((r) => setTimeout(r, 200))
    }
    expect(workerPids()).toHaveLength(2)
    expect(workerPids()).not.toContain(before[0])
    await waitForHealth(port, 20_000, output)

    const pg = Number(fs.readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0])
    child.kill("SIGTERM")
    const run = await exited
    expect(run.code).toBe(0)
    expect(() => process.kill(pg, 0)).toThrow()
  })
})

describe.runIf(process.env.REDIS_URL !== undefined)("two server processes on one Redis", () => {
  it("share one rate-limit budget per client", async () => {
    // A database of its own, so that the servers' migrations touch nothing else.
    const scope = Effect.runSync(Scope.make())
    const context = await Effect.runPromise(Layer.buildWithScope(TestDatabaseLive, scope))
    const databaseUrl = Context.get(context, TestDatabaseUrl)
    // The servers keep their budgets unprefixed, as in production: start from a clean one for this client.
    const redis = new Redis(process.env.REDIS_URL!)
    const clearBudget = async () => {
      const keys = await redis.keys("rl:*127.0.0.1")
      if (keys.length > 0) await redis.del(...keys)
    }
    await clearBudget()
    try {
      const ports = [await freePort(), await freePort()]
      const servers = ports.map((port) =>
        start({
          PORT: String(port),
          DATABASE_URL: databaseUrl,
          REDIS_URL: process.env.REDIS_URL!,
          SEED_ON_INIT: "false",
          RATE_LIMIT_IP_PER_MINUTE: "5"
        })
      )
      for (const [i, port] of ports.entries()) await waitForHealth(port, 30_000, servers[i]!.output)
      const statuses = []
      for (let i = 0; i < 6; i++) statuses.push((await fetch(`http://127.0.0.1:${ports[i % 2]}/api`)).status)
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429])
    } finally {
      for (const child of started.splice(0)) {
        const exited = new Promise((resolve) => child.once("exit", resolve))
        child.kill("SIGTERM")
        await exited
      }
      await clearBudget()
      redis.disconnect()
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  })
})
