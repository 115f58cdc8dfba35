/**
 * `npm run bench:cluster`: a small cluster on one machine, under load, through
 * a rolling deploy. In a network namespace of its own (so port 80 and the name
 * "app" are its own; nothing of the machine's changes; needs root, as CI has):
 *
 * - one throwaway Redis, and a throwaway PostgreSQL 15 primary with a streaming
 *   replica of it (`pg_basebackup -R`, test/support/streamingReplica.ts; free
 *   ports), migrated and seeded (the sample data and CLUSTER_PRODUCTS synthetic
 *   products); the instances read the catalog and reviews from the replica
 *   (DATABASE_READ_URL);
 * - two shop instances, `node src/main.ts` with WEB_CONCURRENCY=1 each, at
 *   127.0.0.2:5000 and 127.0.0.3:5000: the shipped nginx.conf proxies to `app:5000`,
 *   and /etc/hosts (bind-mounted in the namespace) gives "app" both addresses,
 *   as a container network gives each replica an address of its own;
 * - Debian's nginx running the shipped nginx.conf unmodified on port 80;
 * - `bench/mix.ts` through nginx (BENCH_USERS, BENCH_SECONDS, BENCH_RAMP), and,
 *   once its users are all running, a rolling deploy: take one instance out of
 *   nginx's "app" (CLUSTER_DEPLOY=proxy, the default), SIGTERM it, wait for its
 *   exit, start it again, wait for /ready, put it back and wait for nginx to
 *   send it traffic, then the same for the other (CLUSTER_ROUNDS times).
 *
 * It reports failed requests (5xx and requests without a response, from the
 * clients and from nginx's access log), reads by server (replica, primary),
 * orders answered 201 against the
 * database (lost: answered but not there, or with other lines), stock sold
 * against units ordered, and each instance's exit code and drain time. Exits
 * non-zero unless all of these are clean.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { killServer, onDatabase, type ServerProcess, spawnServer, waitForReady } from "../test/support/FaultLoad.ts"
import { startStreamingReplica } from "../test/support/streamingReplica.ts"
import { startRedis } from "../test/support/Throwaway.ts"

const ROOT = fileURLToPath(new URL("..", import.meta.url))
const USERS = process.env.BENCH_USERS ?? "300"
const SECONDS = process.env.BENCH_SECONDS ?? "60"
const RAMP = process.env.BENCH_RAMP ?? "10"
const PRODUCTS = process.env.CLUSTER_PRODUCTS ?? "10000"
const ROUNDS = Number(process.env.CLUSTER_ROUNDS ?? 1)
const INSTANCES = ["127.0.0.2", "127.0.0.3"]
/**
 * `proxy` (default): take the instance out of nginx's "app" first (/etc/hosts, then a reload), SIGTERM it once
 * nginx's old workers have finished their requests. `signal`: SIGTERM while nginx still sends to it (see the README for what that cuts).
 */
const DEPLOY = process.env.CLUSTER_DEPLOY ?? "proxy"
const NGINX = process.env.NGINX ?? "/usr/sbin/nginx"

const log = (line: string) => console.log(`[cluster] ${line}`)

if (process.env.SHOP_CLUSTER_NAMESPACE !== "1") {
  // unshare's mount namespace is private by default, so the bind mount on /etc/hosts stays inside.
  const run = spawnSync(
    "unshare",
    ["--net", "--mount", "--", process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: "inherit", env: { ...process.env, SHOP_CLUSTER_NAMESPACE: "1" } }
  )
  if (run.error) console.error(`unshare: ${run.error.message} (bench:cluster needs root and util-linux's unshare)`)
  process.exit(run.status ?? 1)
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "shop-cluster-"))
fs.chmodSync(work, 0o755)
const children: Array<ChildProcess> = []
/** SIGKILL to a process and all below it (nginx's workers outlive a killed master). */
const killTree = (pid: number) => {
  try {
    for (const below of fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter(Boolean))
      killTree(Number(below))
    process.kill(pid, "SIGKILL")
  } catch {
    // already gone
  }
}
process.once("exit", (code) => {
  for (const child of children) if (child.pid !== undefined && child.exitCode === null) killTree(child.pid)
  if (code === 0) fs.rmSync(work, { recursive: true, force: true })
  else console.log(`[cluster] logs kept in ${work}`)
})

if (DEPLOY !== "proxy" && DEPLOY !== "signal") throw new Error(`CLUSTER_DEPLOY must be proxy or signal, got ${DEPLOY}`)
execFileSync("ip", ["link", "set", "lo", "up"])
const hostsFile = path.join(work, "hosts")
/** Written in place (same inode), so the bind mount on /etc/hosts shows the new content. */
const resolveAppTo = (hosts: ReadonlyArray<string>) =>
  fs.writeFileSync(hostsFile, ["127.0.0.1 localhost", ...hosts.map((a) => `${a} app`), "::1 localhost", ""].join("\n"))
resolveAppTo(INSTANCES)
execFileSync("mount", ["--bind", hostsFile, "/etc/hosts"])

const redis = await startRedis()
const databases = await startStreamingReplica()
const databaseUrl = databases.primary.url
const jwtSecret = `cluster-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}-secret-for-this-run`

log(
  `PostgreSQL ${databaseUrl}, its streaming replica ${databases.replica.url}, Redis ${redis.url}; seeding ${PRODUCTS} products`
)
const seedStarted = performance.now()
execFileSync(process.execPath, ["src/cli/seed.ts", "--products", PRODUCTS], {
  cwd: ROOT,
  env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redis.url, LOG_LEVEL: "Warn" },
  stdio: ["ignore", "ignore", "inherit"]
})
log(`seeded in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s`)

const instanceEnv = (host: string) => ({
  HOST: host,
  NODE_ENV: "production",
  JWT_SECRET: jwtSecret,
  DATABASE_URL: databaseUrl,
  DATABASE_READ_URL: databases.replica.url,
  REDIS_URL: redis.url,
  WEB_CONCURRENCY: "1",
  RATE_LIMIT_ENABLED: "false",
  // nginx is the only client; it forwards the client's address.
  TRUST_PROXY: "127.0.0.1",
  DB_POOL_MAX: "20",
  SHUTDOWN_TIMEOUT: "10 seconds"
})
const baseOf = (host: string) => `http://${host}:5000`
const start = async (host: string) => {
  const server = spawnServer(5000, instanceEnv(host))
  children.push(server.child)
  const logFile = path.join(work, `${host}.log`)
  for (const stream of [server.child.stdout!, server.child.stderr!])
    stream.on("data", (d: Buffer) => fs.appendFileSync(logFile, d))
  await waitForReady(baseOf(host), 60_000, server.output)
  return server
}
const servers = new Map<string, ServerProcess>()
for (const host of INSTANCES) servers.set(host, await start(host))
log(`instances ready: ${INSTANCES.map(baseOf).join(", ")}`)

// The shipped file as it is; only the pid file's place comes from the command line (as .ci/ops-check.sh runs it).
const accessLog = path.join(work, "access.log")
const nginxErrors = path.join(work, "nginx-error.log")
const nginx = spawn(
  NGINX,
  ["-c", path.join(ROOT, "nginx.conf"), "-e", "stderr", "-g", `daemon off; pid ${work}/nginx.pid;`],
  {
    stdio: ["ignore", fs.openSync(accessLog, "a"), fs.openSync(nginxErrors, "a")]
  }
)
children.push(nginx)
await waitForReady("http://127.0.0.1", 10_000, () => fs.readFileSync(nginxErrors, "utf8"))
// nginx -v writes its version to stderr.
const nginxVersion = spawnSync(NGINX, ["-v"], { encoding: "utf8" }).stderr.trim().replace(/^.*\//, "")
log(`nginx ${nginxVersion} on port 80 with the shipped nginx.conf`)

interface AccessEntry {
  readonly time: string
  readonly status: number
  readonly method: string
  readonly uri: string
  readonly upstream_addr: string
  readonly upstream_status: string
}
const accessEntries = (): Array<AccessEntry> =>
  fs
    .readFileSync(accessLog, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as AccessEntry)

/**
 * Resolves once nginx has answered a request from `host` with a 2xx after `sinceLine` of its access log. Its own
 * reads through nginx meanwhile, so that it also ends when the load has.
 */
const servedByNginx = async (host: string, sinceLine: number, ms: number) => {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const served = accessEntries()
      .slice(sinceLine)
      .some((e) => e.upstream_addr.split(", ").at(-1) === `${host}:5000` && e.status < 300)
    if (served) return
    await fetch("http://127.0.0.1/health", { signal: AbortSignal.timeout(2000) })
      .then((r) => r.arrayBuffer())
      .catch(() => undefined)
    await sleep(200)
  }
  throw new Error(`nginx sent no request to ${host} within ${ms} ms of its restart`)
}

/** The nginx worker processes (the master's children) now. */
const nginxWorkers = () =>
  fs
    .readFileSync(`/proc/${nginx.pid}/task/${nginx.pid}/children`, "utf8")
    .split(" ")
    .filter((p) => p !== "")
    .map(Number)

/** Processes that hold a client connection on nginx's port 80. */
const holdingClients = () =>
  new Set(
    [
      ...execFileSync("ss", ["-Htnp", "state", "established", "sport", "=", ":80"], { encoding: "utf8" }).matchAll(
        /pid=(\d+)/g
      )
    ].map((m) => Number(m[1]))
  )

const waitFor = async (what: string, ms: number, done: () => boolean) => {
  const deadline = Date.now() + ms
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`)
    await sleep(100)
  }
}

interface Restart {
  readonly host: string
  readonly code: number | null
  readonly drainSeconds: number
  readonly downSeconds: number
}
const restarts: Array<Restart> = []
const rollingDeploy = async () => {
  for (const host of INSTANCES) {
    const old = servers.get(host)!
    const started = performance.now()
    if (DEPLOY === "proxy") {
      // As a load balancer drops a pod from its endpoints before the pod is signalled: new nginx workers resolve
      // "app" without it; the old ones finish the requests of the client connections they hold, close each after
      // its request, and send nothing new. (They exit only once their idle connections to the app time out, so
      // what is waited for is their last client connection, not their exit.)
      const oldWorkers = new Set(nginxWorkers())
      resolveAppTo(INSTANCES.filter((h) => h !== host))
      nginx.kill("SIGHUP")
      // The master starts the new workers before it tells the old ones to stop taking connections.
      await waitFor("nginx starts new workers", 10_000, () => nginxWorkers().some((pid) => !oldWorkers.has(pid)))
      await sleep(200)
      await waitFor("nginx's old workers finish their requests", 60_000, () => {
        const holding = holdingClients()
        return [...oldWorkers].every((pid) => !holding.has(pid))
      })
      log(
        `${host}: out of nginx's "app", old workers done ${((performance.now() - started) / 1000).toFixed(1)} s later`
      )
    }
    const signalled = performance.now()
    old.child.kill("SIGTERM")
    const code = await Promise.race([old.exited, sleep(30_000).then(() => "hung" as const)])
    if (code === "hung") throw new Error(`${host} did not exit within 30 s of SIGTERM:\n${old.output().slice(-3000)}`)
    const drainSeconds = (performance.now() - signalled) / 1000
    const logLine = accessEntries().length
    servers.set(host, await start(host))
    if (DEPLOY === "proxy") {
      resolveAppTo(INSTANCES)
      nginx.kill("SIGHUP")
    }
    // With CLUSTER_DEPLOY=signal nginx learnt the instance was down from a refused connection and tries it again
    // only after fail_timeout (10 s): taking the other one down before then would leave it none.
    await servedByNginx(host, logLine, 30_000)
    const downSeconds = (performance.now() - started) / 1000
    restarts.push({ host, code, drainSeconds, downSeconds })
    log(
      `${host}: exit ${code} ${drainSeconds.toFixed(1)} s after SIGTERM, serving through nginx again ${downSeconds.toFixed(1)} s after the deploy of it began`
    )
  }
}

const resultFile = path.join(work, "mix.json")
const mix = spawn(process.execPath, ["bench/mix.ts"], {
  cwd: ROOT,
  env: {
    ...process.env,
    BENCH_URL: "http://127.0.0.1",
    BENCH_USERS: USERS,
    BENCH_SECONDS: SECONDS,
    BENCH_RAMP: RAMP,
    BENCH_RESULT_FILE: resultFile
  },
  stdio: ["ignore", "pipe", "inherit"]
})
children.push(mix)
const mixExited = new Promise<number | null>((resolve) => mix.once("exit", (code) => resolve(code)))
let mixOutput = ""
const usersRunning = new Promise<void>((resolve) =>
  mix.stdout!.on("data", (d: Buffer) => {
    process.stdout.write(d)
    mixOutput += d.toString()
    if (/creating \d+ users.* done/s.test(mixOutput)) resolve()
  })
)
const setUp = await Promise.race([usersRunning.then(() => true), mixExited.then(() => false)])
// bench:mix's users arrive over the ramp, then all of them run for BENCH_SECONDS.
const loadEnds = performance.now() + (Number(RAMP) + Number(SECONDS)) * 1000
// Every user is running once the ramp is over; the rounds are spread over the steady part.
if (setUp) await sleep((Number(RAMP) + 2) * 1000)
const steady = Number(SECONDS) * 1000
for (let round = 0; setUp && round < ROUNDS; round++) {
  const roundStarted = performance.now()
  log(`rolling deploy ${round + 1} of ${ROUNDS}`)
  await rollingDeploy()
  const left = steady / ROUNDS - (performance.now() - roundStarted)
  if (round < ROUNDS - 1 && left > 0) await sleep(left)
}
/** How long before the end of the load the last deploy was done (negative: part of it ran after the load). */
const deployMargin = (loadEnds - performance.now()) / 1000
const mixCode = await mixExited

interface MixResult {
  readonly tag: string
  readonly hot: ReadonlyArray<{ id: number; stock: number }>
  readonly orders: ReadonlyArray<{ id: number; items: ReadonlyArray<{ product_id: number; quantity: number }> }>
  readonly requests: number
  readonly fivexx: number
  readonly transportErrors: number
  readonly resent: number
}
const result = JSON.parse(fs.readFileSync(resultFile, "utf8")) as MixResult

// What the instances say of their reads since their last start: catalog and review statements by the server that
// ran them (/metrics), and the replica's state (/ready).
const readsBy = new Map<string, number>()
const replicaStates: Array<string> = []
for (const host of INSTANCES) {
  const metrics = await (await fetch(`${baseOf(host)}/metrics`)).text()
  for (const [, labels, value] of metrics.matchAll(/^db_read_statements(?:_total)+\{([^}]*)\} (\S+)$/gm)) {
    const server = /server="([^"]*)"/.exec(labels!)?.[1] ?? "?"
    readsBy.set(server, (readsBy.get(server) ?? 0) + Number(value))
  }
  const ready = (await (await fetch(`${baseOf(host)}/ready`)).json()) as { replica?: { status: string } }
  replicaStates.push(`${host} ${ready.replica?.status ?? "none"}`)
}
const replicaReads = readsBy.get("replica") ?? 0

// The books, read from the primary: every order answered 201 is there with the lines it was answered with,
// and the hot products' stock went down by exactly the units in the run's orders.
const books = await onDatabase(
  databaseUrl,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ id: number; lines: string }>`
      SELECT o.id::int AS id,
             string_agg(i.product_id || 'x' || i.quantity, ',' ORDER BY i.product_id, i.quantity) AS lines
      FROM orders o JOIN users u ON u.id = o.user_id LEFT JOIN order_items i ON i.order_id = o.id
      WHERE u.email LIKE ${`mix\\_${result.tag}\\_%@example.com`}
      GROUP BY o.id`
    const ids = result.hot.map((p) => p.id)
    const stock = yield* sql<{ id: number; stock: number }>`
      SELECT id::int AS id, stock_quantity::int AS stock FROM products WHERE id = ANY(${ids})`
    const [units] = yield* sql<{ n: number }>`
      SELECT coalesce(sum(i.quantity), 0)::int AS n FROM order_items i JOIN orders o ON o.id = i.order_id
      WHERE i.product_id = ANY(${ids}) AND o.status <> 'cancelled'`
    return { rows, stock, units: units!.n }
  })
)
const inDatabase = new Map(books.rows.map((r) => [r.id, r.lines ?? ""]))
const linesOf = (items: MixResult["orders"][number]["items"]) =>
  [...items]
    .sort((a, b) => a.product_id - b.product_id || a.quantity - b.quantity)
    .map((i) => `${i.product_id}x${i.quantity}`)
    .join(",")
const lost = result.orders.filter((o) => !inDatabase.has(o.id))
const otherLines = result.orders.filter((o) => inDatabase.has(o.id) && inDatabase.get(o.id) !== linesOf(o.items))
const answered = new Set(result.orders.map((o) => o.id))
const unanswered = books.rows.filter((r) => !answered.has(r.id))
const startStock = new Map(result.hot.map((p) => [p.id, p.stock]))
const sold = books.stock.reduce((sum, p) => sum + startStock.get(p.id)! - p.stock, 0)

const entries = accessEntries()
const nginx5xx = entries.filter((e) => e.status >= 500)
const retried = entries.filter((e) => e.upstream_addr.includes(", "))
const retriedPosts = retried.filter((e) => e.method === "POST")
const nginxErrorLines = fs
  .readFileSync(nginxErrors, "utf8")
  .split("\n")
  .filter((l) => /\[(emerg|alert|crit|error)\]/.test(l))
const describe = (lines: ReadonlyArray<string>) => {
  const counts = new Map<string, number>()
  for (const l of lines) {
    const what = l.replace(/^.*?\] \d+#\d+: \*?\d* ?/, "").replace(/, client: .*$/, "")
    counts.set(what, (counts.get(what) ?? 0) + 1)
  }
  return [...counts].map(([k, n]) => `${n} x ${k}`)
}

const failed = result.fivexx + result.transportErrors
console.log(
  `\ncluster: 2 instances (WEB_CONCURRENCY=1) behind nginx, ${ROUNDS} rolling deploy(s) under bench:mix, CLUSTER_DEPLOY=${DEPLOY}`
)
console.log(
  deployMargin > 0
    ? `  the deploys were done ${deployMargin.toFixed(0)} s before the load ended`
    : `  the deploys ran ${(-deployMargin).toFixed(0)} s past the end of the load: raise BENCH_SECONDS`
)
for (const r of restarts)
  console.log(
    `  ${r.host}: exit ${r.code}, drained in ${r.drainSeconds.toFixed(1)} s, back in nginx's rotation ${r.downSeconds.toFixed(1)} s after its deploy began`
  )
console.log(
  `  requests ${result.requests}: failed ${failed} (5xx ${result.fivexx}, no response ${result.transportErrors}), ` +
    `sent again after their keep-alive connection closed before any response ${result.resent}; ` +
    `nginx: ${entries.length} requests, 5xx ${nginx5xx.length}, passed to the other instance ${retried.length} ` +
    `(POST ${retriedPosts.length})`
)
for (const line of describe(
  nginx5xx.map(
    (e) => `${e.status} ${e.method} ${e.uri.replace(/\d+/g, ":n")} from ${e.upstream_addr} (${e.upstream_status})`
  )
))
  console.log(`  nginx 5xx: ${line}`)
for (const line of describe(nginxErrorLines)) console.log(`  nginx error log: ${line}`)
console.log(
  `  catalog and review reads since the last restarts: ${[...readsBy].map(([k, n]) => `${k} ${n}`).join(", ") || "none"}; ` +
    `replica: ${replicaStates.join(", ")}`
)
console.log(
  `  orders answered 201: ${result.orders.length}, in the database: ${books.rows.length}; lost ${lost.length}, ` +
    `with other lines ${otherLines.length}, committed without a 201 reaching the client ${unanswered.length}`
)
console.log(
  `  stock sold ${sold}, units in the run's orders ${books.units} -> ${sold === books.units ? "the books match" : "MISMATCH"}`
)
const ok =
  mixCode === 0 &&
  deployMargin > 0 &&
  replicaReads > 0 &&
  failed === 0 &&
  nginx5xx.length === 0 &&
  lost.length === 0 &&
  otherLines.length === 0 &&
  sold === books.units &&
  restarts.length === ROUNDS * INSTANCES.length &&
  restarts.every((r) => r.code === 0)
console.log(ok ? "cluster: PASS" : `cluster: FAIL (bench:mix exit ${mixCode})`)

nginx.kill("SIGQUIT")
await Promise.all([...servers.values()].map(killServer))
await new Promise((resolve) => (nginx.exitCode === null ? nginx.once("exit", resolve) : resolve(null)))
await databases.remove()
await redis.stop()
process.exit(ok ? 0 : 1)
