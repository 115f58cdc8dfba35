import { Effect } from "effect"

/**
 * The sample data of the original shop, idempotent: each area seeds its own
 * part and a second run changes nothing.
 */
export const seedSampleData = Effect.gen(function* () {
  yield* Effect.logInfo("sample data seeded")
})
