import { Effect, Exit, Scope } from "effect"
import { acquireEmbeddedPostgres } from "../../src/infra/EmbeddedPostgres.ts"

/**
 * Tests run on the PostgreSQL named by DATABASE_URL, or, when it is unset, on
 * an embedded one started here once for the whole run. Each test file then
 * creates its own database on it (see TestDatabase.ts).
 */
export default async function setup() {
  if (process.env.DATABASE_URL) {
    process.env.TEST_DATABASE_URL = process.env.DATABASE_URL
    return
  }
  const scope = Effect.runSync(Scope.make())
  const handle = await Effect.runPromise(Scope.provide(acquireEmbeddedPostgres(".data/test-postgres"), scope))
  process.env.TEST_DATABASE_URL = handle.url
  return async () => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}
