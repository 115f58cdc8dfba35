import cluster, { type Worker } from "node:cluster"
import { Deferred, Duration, Effect, FiberSet, Layer, Option, Redacted } from "effect"
import { AppConfig } from "./AppConfig.ts"
import { servePrimaryMetrics } from "./ClusterMetrics.ts"
import { DatabaseUrl } from "./Database.ts"
import { redisKeyPrefixOf } from "./SharedStore.ts"
import { coordinateWorkerStops } from "./StopBarrier.ts"

const RESTART_WINDOW_MS = 30_000
const MAX_RESTARTS_IN_WINDOW = 5

/**
 * The primary of WEB_CONCURRENCY > 1: it prepares the database once (the
 * embedded server is started here, not per worker; migrations and the first
 * seed run before any worker), forks the workers that share the port, restarts
 * a crashed one, and on SIGTERM/SIGINT forwards the signal, lets the workers
 * start draining together (StopBarrier.ts) and waits for every worker to drain
 * before the embedded database stops.
 *
 * `prepare` builds whatever must run once (migrations, seed) on the database.
 */
export const runPrimary = (workers: number, prepare: Layer.Layer<never, unknown, DatabaseUrl | AppConfig>) =>
  Effect.gen(function* () {
    const config = yield* AppConfig
    const database = yield* DatabaseUrl
    yield* Effect.scoped(Layer.build(prepare))

    const env = {
      DATABASE_URL: Redacted.value(database.url),
      // The primary already seeded what needed seeding.
      SEED_ON_INIT: "false",
      // The primary's own, derived before DATABASE_URL pointed at an embedded server.
      REDIS_KEY_PREFIX: redisKeyPrefixOf(config)
    }
    let stopping = false
    const restarts: Array<number> = []
    const failed = yield* Deferred.make<void, Error>()

    const fork = () => cluster.fork(env)
    // cluster's exit callback runs outside any fiber: its log goes through the primary's logger, in its scope.
    const run = yield* FiberSet.makeRuntime()
    const onExit = (worker: Worker, code: number | null, signal: string | null) => {
      if (stopping) return
      const now = Date.now()
      restarts.push(now)
      while (restarts.length > 0 && restarts[0]! < now - RESTART_WINDOW_MS) restarts.shift()
      if (restarts.length > MAX_RESTARTS_IN_WINDOW) {
        Deferred.doneUnsafe(failed, Effect.fail(new Error(`workers keep crashing (last: exit ${code ?? signal})`)))
        return
      }
      run(Effect.logWarning(`worker ${worker.id} exited (${code ?? signal}); starting another`))
      fork()
    }

    const stopMetrics = servePrimaryMetrics()
    const stopCoordinating = coordinateWorkerStops()
    cluster.on("exit", onExit)
    yield* Effect.addFinalizer(() =>
      Effect.promise(async () => {
        stopping = true
        cluster.off("exit", onExit)
        stopMetrics()
        const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined)
        const deadline = Duration.toMillis(config.shutdownTimeout) + 5_000
        await Promise.all(
          alive.map(
            (w) =>
              new Promise<void>((resolve) => {
                if (w.isDead()) return resolve()
                const timer = setTimeout(() => w.process.kill("SIGKILL"), deadline)
                w.once("exit", () => {
                  clearTimeout(timer)
                  resolve()
                })
                w.process.kill("SIGTERM")
              })
          )
        )
        stopCoordinating()
      })
    )

    for (let i = 0; i < workers; i++) fork()
    yield* Effect.logInfo(`primary ${process.pid} started ${workers} workers on port ${config.port}`)
    yield* Deferred.await(failed)
  })

/** WEB_CONCURRENCY, or one process per core in production and one otherwise. */
export const workerCount = (
  config: { readonly webConcurrency: Option.Option<number>; readonly nodeEnv: string },
  cores: number
) => Option.getOrElse(config.webConcurrency, () => (config.nodeEnv === "production" ? cores : 1))
