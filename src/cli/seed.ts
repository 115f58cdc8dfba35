import { NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { InfraLive } from "../app.ts"
import { describeStartupError } from "../infra/startupError.ts"
import { seedSyntheticProducts } from "../services/seed/catalog.ts"
import { seedSampleData } from "../services/seed/index.ts"

// One process, whatever WEB_CONCURRENCY the servers use: the connection budget counts this one.
process.env.WEB_CONCURRENCY = "1"

/** `-- --products N` adds N synthetic products after the sample data (for benchmarks). */
const productsArg = (() => {
  const i = process.argv.indexOf("--products")
  if (i === -1) return 0
  const n = Number(process.argv[i + 1])
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write("--products needs a positive integer\n")
    process.exit(2)
  }
  return n
})()

/** `npm run db:seed`: migrations, then the idempotent sample data. */
const program = seedSampleData.pipe(
  Effect.andThen(productsArg > 0 ? seedSyntheticProducts(productsArg) : Effect.void),
  Effect.provide(InfraLive),
  Effect.catchCause((cause) =>
    Effect.sync(() => {
      process.stderr.write(`seeding failed: ${describeStartupError(cause)}\n`)
      process.exitCode = 1
    })
  )
)

NodeRuntime.runMain(program, { disableErrorReporting: true })
