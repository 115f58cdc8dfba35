import { Effect } from "effect"
import { seedCatalog } from "./catalog.ts"
import { seedUsers } from "./users.ts"

/**
 * The sample data of the original shop, idempotent: each area seeds its own
 * part and a second run changes nothing.
 */
export const seedSampleData = Effect.gen(function* () {
  yield* seedUsers
  yield* seedCatalog
  yield* Effect.logInfo("sample data seeded")
})
