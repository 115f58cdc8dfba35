import { NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { InfraLive } from "../app.ts"
import { describeStartupError } from "../infra/startupError.ts"
import { seedSampleData } from "../services/seed/index.ts"

/** `npm run db:seed`: migrations, then the idempotent sample data. */
const program = seedSampleData.pipe(
  Effect.provide(InfraLive),
  Effect.catchCause((cause) =>
    Effect.sync(() => {
      process.stderr.write(`seeding failed: ${describeStartupError(cause)}\n`)
      process.exitCode = 1
    })
  )
)

NodeRuntime.runMain(program, { disableErrorReporting: true })
