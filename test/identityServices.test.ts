import { assert, layer } from "@effect/vitest"
import { Duration, Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { AppConfig } from "../src/infra/AppConfig.ts"
import { PasswordHasher } from "../src/infra/PasswordHasher.ts"
import { Tokens } from "../src/infra/Tokens.ts"
import { Auth } from "../src/services/Auth.ts"
import { Users } from "../src/services/Users.ts"
import { seedUsers } from "../src/services/seed/users.ts"
import { TestDatabaseLive } from "./support/TestDatabase.ts"

// The services on the real database with the fast hasher and fixed token settings swapped in.
const ServicesTest = Auth.layerNoDeps.pipe(
  Layer.provideMerge(Users.layerNoDeps),
  Layer.provideMerge(
    Layer.mergeAll(
      PasswordHasher.layerTest,
      Layer.succeed(
        Tokens,
        Tokens.make({
          secret: Redacted.make("services-test-secret"),
          accessTokenTtl: Duration.minutes(15),
          refreshTokenTtl: Duration.days(30)
        })
      )
    )
  ),
  Layer.provideMerge(TestDatabaseLive),
  Layer.provideMerge(AppConfig.layerWith({ nodeEnv: "test" }))
)

layer(ServicesTest, { excludeTestServices: true })("identity services", (it) => {
  it.effect("purgeExpired deletes expired refresh-token rows only", () =>
    Effect.gen(function* () {
      const auth = yield* Auth
      const sql = yield* SqlClient.SqlClient
      const session = yield* auth.register({ email: "purge@example.com", username: "purge", password: "password123" })
      yield* sql`
        INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
        VALUES (${session.user.id}, ${crypto.randomUUID()}, ${"0".repeat(64)}, now() - interval '1 day')`
      assert.strictEqual(yield* auth.purgeExpired, 1)
      const left = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM refresh_tokens`
      assert.strictEqual(left[0]!.n, 1)
      const refreshed = yield* auth.refresh(session.tokens.refresh_token)
      assert.isString(refreshed.access_token)
    })
  )

  it.effect("seeding users is idempotent and the sample logins work", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const auth = yield* Auth
      yield* seedUsers
      const snapshot = sql`
        SELECT u.email, u.is_admin, u.password_hash, a.street, a.pincode, a.is_default, a.address_type
        FROM users u LEFT JOIN addresses a ON a.user_id = u.id
        WHERE u.email IN ('admin@flipkart.com', 'john@example.com', 'jane@example.com')
        ORDER BY u.email, a.address_type`
      const first = yield* snapshot
      yield* seedUsers
      assert.deepStrictEqual(yield* snapshot, first)
      assert.deepStrictEqual(
        first.map((r) => [r.email, r.is_admin, r.address_type, r.is_default]),
        [
          ["admin@flipkart.com", true, null, null],
          ["jane@example.com", false, null, null],
          ["john@example.com", false, "home", true],
          ["john@example.com", false, "work", false]
        ]
      )
      for (const [email, password] of [
        ["admin@flipkart.com", "admin123"],
        ["john@example.com", "password123"],
        ["jane@example.com", "password123"]
      ] as const) {
        const session = yield* auth.login({ email, password })
        assert.strictEqual(session.user.email, email)
      }
    })
  )
})
