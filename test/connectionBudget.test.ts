import { type ChildProcess, spawn } from "node:child_process"
import * as path from "node:path"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freePort } from "../src/infra/freePort.ts"
import { TestDatabaseLive, TestDatabaseUrl } from "./support/TestDatabase.ts"

// A database of its own (the server that starts migrates it), dropped at the end.
const scope = Effect.runSync(Scope.make())
let databaseUrl = ""
beforeAll(async () => {
  const context = await Effect.runPromise(Layer.buildWithScope(TestDatabaseLive, scope))
  databaseUrl = Context.get(context, TestDatabaseUrl)
}, 60_000)
afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  await Effect.runPromise(Scope.close(scope, Exit.void))
})

const started: Array<ChildProcess> = []

/** The real entry point on the test database; resolves with its exit code and output, or when `until` matches. */
const run = (env: Record<string, string>, until?: RegExp) =>
  new Promise<{ code: number | null; output: string }>((resolve) => {
    const { REDIS_URL: _r, ...base } = process.env
    const child = spawn(process.execPath, [path.resolve("src/main.ts")], {
      env: { ...base, DATABASE_URL: databaseUrl, SEED_ON_INIT: "false", LOG_LEVEL: "Info", ...env }
    })
    started.push(child)
    let output = ""
    const onData = (d: Buffer) => {
      output += d
      if (until?.test(output)) {
        child.kill("SIGTERM")
      }
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", onData)
    child.on("exit", (code) => resolve({ code, output }))
  })

describe("connection budget at start-up", () => {
  it("a pool larger than the server allows stops start-up with a line naming DB_POOL_MAX and the limit", async () => {
    const { code, output } = await run({
      DB_POOL_MODE: "session",
      DB_POOL_MAX: "100000",
      PORT: String(await freePort())
    })
    expect(code).toBe(1)
    expect(output).toMatch(/DB_POOL_MAX=100000 x 1 server process \(WEB_CONCURRENCY\) = 100000 connections/)
    expect(output).toMatch(/more than PostgreSQL allows: max_connections=\d+ less \d+ reserved/)
    expect(output).toMatch(/Set DB_POOL_MAX to \d+ or less/)
    expect(output).not.toMatch(/\n\s+at /)
  })

  it("counts every process: WEB_CONCURRENCY x DB_POOL_MAX over the limit fails, the same pool in one process starts", async () => {
    const first = await run({ DB_POOL_MODE: "session", DB_POOL_MAX: "100000", PORT: String(await freePort()) })
    const allowed = Number(
      /max_connections=\d+ less \d+ reserved for superusers and \d+ kept free = (\d+)/.exec(first.output)![1]
    )
    const pool = Math.floor(allowed / 2)
    const refused = await run({
      DB_POOL_MODE: "session",
      DB_POOL_MAX: String(pool),
      WEB_CONCURRENCY: "4",
      PORT: String(await freePort())
    })
    expect(refused.code).toBe(1)
    expect(refused.output).toMatch(new RegExp(`DB_POOL_MAX=${pool} x 4 server processes \\(WEB_CONCURRENCY\\)`))
    expect(refused.output).toMatch(new RegExp(`Set DB_POOL_MAX to ${Math.floor(allowed / 4)} or less`))

    const fits = await run(
      { DB_POOL_MODE: "session", DB_POOL_MAX: String(pool), WEB_CONCURRENCY: "1", PORT: String(await freePort()) },
      /Listening on/
    )
    expect(fits.output).toMatch(/Listening on/)
    expect(fits.output).not.toMatch(/more than PostgreSQL allows/)
    expect(fits.code).toBe(0)
  })

  it("DB_POOL_MODE=transaction (PgBouncer) skips the check; a bad DB_POOL_MODE names the variable", async () => {
    const pooled = await run(
      { DB_POOL_MODE: "transaction", DB_POOL_MAX: "100000", WEB_CONCURRENCY: "1", PORT: String(await freePort()) },
      /Listening on/
    )
    expect(pooled.output).toMatch(/DB_POOL_MODE=transaction: PgBouncer's pool sizes bound/)
    expect(pooled.code).toBe(0)
    const bad = await run({ DB_POOL_MODE: "statement", PORT: String(await freePort()) })
    expect(bad.code).toBe(1)
    expect(bad.output).toMatch(/invalid configuration: .*DB_POOL_MODE/)
  })
})
