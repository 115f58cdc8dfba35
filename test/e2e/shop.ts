import { spawn, type ChildProcess } from "node:child_process"
import { chmodSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort } from "../../src/infra/freePort.ts"

const root = join(import.meta.dirname, "../..")

export interface RunningShop {
  readonly url: string
  readonly stop: () => Promise<void>
}

const waitForExit = (child: ChildProcess, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(true)
    const timer = setTimeout(() => resolve(false), ms)
    child.once("exit", () => {
      clearTimeout(timer)
      resolve(true)
    })
  })

/**
 * The real shop, as `npm start` runs it (src/main.ts serving the built web UI),
 * on its own embedded PostgreSQL with the sample data, on a free port. `stop`
 * ends it (SIGTERM, which also stops its PostgreSQL) and removes its data.
 */
export const startShop = async (env: Record<string, string> = {}): Promise<RunningShop> => {
  const dir = mkdtempSync(join(tmpdir(), "shop-web-"))
  chmodSync(dir, 0o755)
  const port = await freePort()
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...parent } = process.env
  const child = spawn(process.execPath, ["src/main.ts"], {
    cwd: root,
    env: {
      ...parent,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: join(dir, "data"),
      WEB_CONCURRENCY: "1",
      RATE_LIMIT_ENABLED: "false",
      LOG_LEVEL: "Warn",
      ...env
    },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let log = ""
  child.stdout?.on("data", (d) => (log = (log + d).slice(-20_000)))
  child.stderr?.on("data", (d) => (log = (log + d).slice(-20_000)))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM")
      if (!(await waitForExit(child, 20_000))) {
        child.kill("SIGKILL")
        await waitForExit(child, 5_000)
      }
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 120_000
  for (;;) {
    if (child.exitCode !== null) {
      await stop()
      throw new Error(`the shop exited (${child.exitCode}) while starting:\n${log}`)
    }
    try {
      if ((await fetch(`${url}/ready`)).ok) break
    } catch {}
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`the shop did not become ready in 120 s:\n${log}`)
    }
    await new Promise((r) => setTimeout(r, 300))
  }
  return { url, stop }
}
