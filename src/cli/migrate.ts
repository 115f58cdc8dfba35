import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer, Logger } from "effect"
import { AppConfig } from "../infra/AppConfig.ts"
import { DatabaseLive } from "../infra/Database.ts"
import { describeStartupError } from "../infra/startupError.ts"

// One process, whatever WEB_CONCURRENCY the servers use: the connection budget counts this one.
process.env.WEB_CONCURRENCY = "1"

/** `npm run db:migrate`: applies pending migrations (start-up does the same) and exits. */
const program = Layer.build(DatabaseLive).pipe(
  Effect.scoped,
  Effect.andThen(Effect.logInfo("migrations are up to date")),
  Effect.provide(AppConfig.layer),
  Effect.provide(Logger.layer([Logger.consoleJson])),
  Effect.catchCause((cause) =>
    Effect.sync(() => {
      process.stderr.write(`migration failed: ${describeStartupError(cause)}\n`)
      process.exitCode = 1
    })
  )
)

NodeRuntime.runMain(program, { disableErrorReporting: true })
