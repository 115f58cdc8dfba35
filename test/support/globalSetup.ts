import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
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
  // A throwaway cluster per run, so that concurrent runs never share one.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shop-test-"))
  fs.chmodSync(dir, 0o755)
  const scope = Effect.runSync(Scope.make())
  const handle = await Effect.runPromise(Scope.provide(acquireEmbeddedPostgres(path.join(dir, "postgres")), scope))
  process.env.TEST_DATABASE_URL = handle.url
  return async () => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
