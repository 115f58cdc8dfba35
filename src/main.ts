import cluster from "node:cluster"
import { availableParallelism } from "node:os"
import { NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Layer } from "effect"
import { LoggingLive, MainLive, SeedOnInitLive } from "./app.ts"
import { AppConfig, appConfig } from "./infra/AppConfig.ts"
import { runPrimary, workerCount } from "./infra/ClusterPrimary.ts"
import { DatabaseUrl, PoolLive } from "./infra/Database.ts"
import { SharedStore } from "./infra/SharedStore.ts"
import { describeStartupError } from "./infra/startupError.ts"

/**
 * One process serving HTTP, or (WEB_CONCURRENCY > 1, the default in
 * production) a primary that prepares the database once and forks that many
 * workers sharing the port.
 */
const program = Effect.gen(function* () {
  const config = yield* appConfig
  const workers = workerCount(config, availableParallelism())
  if (cluster.isPrimary && workers > 1) {
    const prepare = SeedOnInitLive.pipe(Layer.provideMerge(PoolLive), Layer.provide(SharedStore.layer))
    // The primary's scope (which drains the workers) closes inside the layer that holds the embedded
    // database, so that the database outlives the drain.
    return yield* runPrimary(workers, prepare).pipe(
      Effect.scoped,
      Effect.provide(Layer.mergeAll(DatabaseUrl.layer, LoggingLive).pipe(Layer.provideMerge(AppConfig.layer)))
    )
  }
  return yield* Layer.launch(MainLive)
})

const main = program.pipe(
  Effect.catchCause((cause) =>
    Cause.hasInterruptsOnly(cause)
      ? Effect.void
      : Effect.sync(() => {
          process.stderr.write(`flipkart-monolith failed to start: ${describeStartupError(cause)}\n`)
          process.exitCode = 1
        })
  )
)

// A closed terminal (SIGHUP) stops the server like Ctrl-C, embedded database included; by default it would
// kill the process on the spot and leave the detached postgres running.
process.on("SIGHUP", () => process.kill(process.pid, "SIGINT"))

NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  teardown: (exit, onExit) =>
    onExit(exit._tag === "Success" || Cause.hasInterruptsOnly(exit.cause) ? ((process.exitCode as number) ?? 0) : 1)
})
