import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { freePort } from "../src/infra/freePort.ts"

// Every process and directory a test starts or makes, stopped and removed even when an assertion fails.
const started: Array<ChildProcess> = []
const postgresPids: Array<number> = []
const dirs: Array<string> = []

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const waitUntil = async (check: () => boolean, ms: number) => {
  const deadline = Date.now() + ms
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  return check()
}

afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    child.kill("SIGKILL")
  }
  for (const pid of postgresPids.splice(0)) {
    if (isAlive(pid)) process.kill(pid, "SIGINT")
    await waitUntil(() => !isAlive(pid), 15_000)
  }
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

const tempDir = (prefix: string, mode: number) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  fs.chmodSync(dir, mode)
  dirs.push(dir)
  return dir
}

const waitForHealth = async (port: number, output: () => string) => {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) })).ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`server did not become healthy:\n${output()}`)
}

const postmasterPid = (dataDir: string) => {
  const pid = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0])
  postgresPids.push(pid)
  return pid
}

/** The real entry point with no DATABASE_URL/REDIS_URL: `command` gets the node binary and main.ts. */
const startServer = (cwd: string, env: Record<string, string>, wrap: (node: string, main: string) => Array<string>) => {
  const { DATABASE_URL: _d, REDIS_URL: _r, ...base } = process.env
  const [cmd, ...args] = wrap(process.execPath, path.join(cwd, "src", "main.ts"))
  const child = spawn(cmd!, args, { cwd, env: { ...base, SEED_ON_INIT: "false", LOG_LEVEL: "Info", ...env } })
  started.push(child)
  let output = ""
  child.stdout!.on("data", (d) => (output += d))
  child.stderr!.on("data", (d) => (output += d))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, exited, output: () => output }
}

describe("the embedded PostgreSQL survives a user's terminal", () => {
  it("closing the terminal (SIGHUP from a real pty) stops the server and its postgres", async () => {
    const dataDir = path.join(tempDir("shop-hup-", 0o755), "data")
    const port = await freePort()
    // script(1) gives the server a pseudo-terminal; killing script closes it, and the kernel hangs the session up.
    const { child, output } = startServer(process.cwd(), { PORT: String(port), DATA_DIR: dataDir }, (node, main) => [
      "script",
      "-qfec",
      `exec '${node}' '${main}'`,
      "/dev/null"
    ])
    await waitForHealth(port, output)
    const pg = postmasterPid(path.join(dataDir, "postgres"))
    const server = Number(
      execFileSync("pgrep", ["-f", "-P", String(child.pid), "src/main.ts"])
        .toString()
        .trim()
    )
    expect(isAlive(pg)).toBe(true)

    child.kill("SIGKILL")
    expect(await waitUntil(() => !isAlive(server), 30_000)).toBe(true)
    expect(await waitUntil(() => !isAlive(pg), 15_000)).toBe(true)
    expect(fs.existsSync(path.join(dataDir, "postgres", "postmaster.pid"))).toBe(false)
  })

  it.runIf(process.getuid?.() === 0)(
    "as root, in a checkout under a directory other users cannot enter, it serves with binaries and data postgres can reach",
    async () => {
      // A checkout inside a 0700 directory, like one under /root: the sources, and node_modules hard-linked.
      const checkout = path.join(tempDir("shop-root-", 0o700), "shop")
      fs.mkdirSync(checkout)
      for (const entry of ["src", "migrations", "package.json"]) {
        fs.cpSync(entry, path.join(checkout, entry), { recursive: true })
      }
      execFileSync("cp", ["-al", "node_modules", path.join(checkout, "node_modules")])
      const port = await freePort()
      const { child, exited, output } = startServer(checkout, { PORT: String(port) }, (node, main) => [node, main])
      try {
        await waitForHealth(port, output)
      } finally {
        const moved = /the embedded data lives in ([^"\s]+)/.exec(output())?.[1]
        if (moved) dirs.push(path.dirname(moved))
      }
      expect(output()).toMatch(/the OS user postgres cannot reach \S+: running the binaries from \/var\/cache\//)
      const dataDir = /the embedded data lives in ([^"\s]+)/.exec(output())![1]!
      expect(dataDir.startsWith("/var/lib/flipkart-monolith/shop-")).toBe(true)
      const ready = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.json())
      expect(ready.database).toBe("up")
      const pg = postmasterPid(dataDir)

      child.kill("SIGTERM")
      expect(await exited).toBe(0)
      expect(await waitUntil(() => !isAlive(pg), 15_000)).toBe(true)
    }
  )
})
