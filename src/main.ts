import { NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Layer } from "effect"
import { MainLive } from "./app.ts"
import { describeStartupError } from "./infra/startupError.ts"

const main = Layer.launch(MainLive).pipe(
  Effect.catchCause((cause) =>
    Cause.hasInterruptsOnly(cause)
      ? Effect.void
      : Effect.sync(() => {
          process.stderr.write(`flipkart-monolith failed to start: ${describeStartupError(cause)}\n`)
          process.exitCode = 1
        })
  )
)

NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  teardown: (exit, onExit) =>
    onExit(exit._tag === "Success" || Cause.hasInterruptsOnly(exit.cause) ? ((process.exitCode as number) ?? 0) : 1)
})
