import { createHash } from "node:crypto"
import { Context, Effect, Layer, Metric, Option, Schedule } from "effect"
import { SqlClient } from "effect/sql"
import { AccountDisabled, type Conflict, Unauthorized } from "../domain/errors.ts"
import type { LoginPayload, RegisterPayload, TokenPair, User } from "../domain/user.ts"
import { usersRegistered } from "../infra/Metrics.ts"
import { PasswordHasher } from "../infra/PasswordHasher.ts"
import { Tokens } from "../infra/Tokens.ts"
import { Users } from "./Users.ts"
import { dieOnSqlError } from "./sqlErrors.ts"

export interface Session {
  readonly user: User
  readonly tokens: TokenPair
}

interface RefreshRow {
  readonly id: bigint
  readonly user_id: bigint
  readonly family_id: string
  readonly rotated: boolean
  readonly revoked: boolean
  readonly expired: boolean
  readonly is_active: boolean
}

const sha256 = (token: string) => createHash("sha256").update(token).digest("hex")

const WRONG_CREDENTIALS = "Invalid email or password"

/**
 * Log-in sessions. A session is a family of refresh tokens: each refresh
 * retires the presented token and issues its child; a retired token presented
 * again means someone kept a copy, so the whole family is revoked. Only
 * SHA-256 hashes of refresh tokens are stored.
 */
export class Auth extends Context.Service<
  Auth,
  {
    readonly register: (input: RegisterPayload) => Effect.Effect<Session, Conflict>
    readonly login: (input: LoginPayload) => Effect.Effect<Session, Unauthorized | AccountDisabled>
    readonly refresh: (refreshToken: string) => Effect.Effect<TokenPair, Unauthorized>
    readonly logout: (refreshToken: string) => Effect.Effect<void, Unauthorized>
    /** Deletes refresh-token rows past their expiry; returns how many. */
    readonly purgeExpired: Effect.Effect<number>
  }
>()("shop/services/Auth") {
  static readonly layerNoDeps = Layer.effect(
    Auth,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const users = yield* Users
      const hasher = yield* PasswordHasher
      const tokens = yield* Tokens
      // Unknown emails are checked against this hash so that they cost what a wrong password costs.
      // Made on first use: hashing while the layer builds would hold up start-up.
      const dummyHash = yield* Effect.cached(hasher.hash(crypto.randomUUID()))

      const issuePair = Effect.fnUntraced(function* (
        userId: number,
        familyId: string,
        parentId: bigint | null
      ): Effect.fn.Return<TokenPair> {
        const access = yield* tokens.issue(userId, "access")
        const refresh = yield* tokens.issue(userId, "refresh")
        yield* sql`
          INSERT INTO refresh_tokens ${sql.insert({
            user_id: userId,
            family_id: familyId,
            token_hash: sha256(refresh.token),
            parent_id: parentId,
            expires_at: refresh.expiresAt
          })}`.pipe(dieOnSqlError)
        return { access_token: access.token, refresh_token: refresh.token }
      })

      const revokeFamily = (familyId: string) =>
        sql`UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = ${familyId} AND revoked_at IS NULL`.pipe(
          dieOnSqlError
        )

      const register = Effect.fn("Auth.register")(function* (input: RegisterPayload) {
        const user = yield* users.create(input)
        yield* Metric.update(usersRegistered, 1)
        return { user, tokens: yield* issuePair(user.id, crypto.randomUUID(), null) }
      })

      const login = Effect.fn("Auth.login")(function* (input: LoginPayload) {
        const found = yield* users.findCredentials(input.email)
        if (Option.isNone(found)) {
          yield* hasher.verify(yield* dummyHash, input.password)
          return yield* new Unauthorized({ error: WRONG_CREDENTIALS })
        }
        const { user, passwordHash } = found.value
        if (!(yield* hasher.verify(passwordHash, input.password))) {
          return yield* new Unauthorized({ error: WRONG_CREDENTIALS })
        }
        // Only after the right password, so the 403 does not tell strangers which accounts exist.
        if (!user.is_active) return yield* new AccountDisabled({ error: "Account is disabled" })
        return { user, tokens: yield* issuePair(user.id, crypto.randomUUID(), null) }
      })

      const refresh = Effect.fn("Auth.refresh")(function* (refreshToken: string) {
        const claims = yield* tokens.verify(refreshToken, "refresh")
        // The row lock serialises two refreshes of one token: the second sees it rotated.
        // The outcome is returned rather than failed so that a family revocation commits.
        const outcome = yield* sql
          .withTransaction(
            Effect.gen(function* () {
              const rows = yield* sql<RefreshRow>`
                SELECT t.id, t.user_id, t.family_id,
                       t.rotated_at IS NOT NULL AS rotated,
                       t.revoked_at IS NOT NULL AS revoked,
                       t.expires_at <= now() AS expired,
                       u.is_active
                FROM refresh_tokens t JOIN users u ON u.id = t.user_id
                WHERE t.token_hash = ${sha256(refreshToken)}
                FOR UPDATE OF t`
              const row = rows[0]
              if (row === undefined || Number(row.user_id) !== claims.userId) return "invalid" as const
              if (row.revoked || row.expired) return "invalid" as const
              if (row.rotated) {
                yield* revokeFamily(row.family_id)
                return "reused" as const
              }
              if (!row.is_active) {
                yield* revokeFamily(row.family_id)
                return "disabled" as const
              }
              yield* sql`UPDATE refresh_tokens SET rotated_at = now() WHERE id = ${row.id}`
              return yield* issuePair(claims.userId, row.family_id, row.id)
            })
          )
          .pipe(dieOnSqlError)
        switch (outcome) {
          case "invalid":
            return yield* new Unauthorized({ error: "Invalid, expired or revoked refresh token" })
          case "reused":
            return yield* new Unauthorized({ error: "Refresh token reuse detected: the session has been revoked" })
          case "disabled":
            return yield* new Unauthorized({ error: "Account is disabled" })
          default:
            return outcome
        }
      })

      const logout = Effect.fn("Auth.logout")(function* (refreshToken: string) {
        yield* tokens.verify(refreshToken, "refresh")
        const rows = yield* sql<{ readonly family_id: string }>`
          SELECT family_id FROM refresh_tokens WHERE token_hash = ${sha256(refreshToken)}`.pipe(dieOnSqlError)
        const row = rows[0]
        if (row === undefined) return yield* new Unauthorized({ error: "Invalid, expired or revoked refresh token" })
        yield* revokeFamily(row.family_id)
      })

      const purgeExpired = sql<{ readonly deleted: number }>`
        WITH gone AS (DELETE FROM refresh_tokens WHERE expires_at < now() RETURNING 1)
        SELECT count(*)::int AS deleted FROM gone`.pipe(
        Effect.map((rows) => rows[0]?.deleted ?? 0),
        dieOnSqlError,
        Effect.withSpan("Auth.purgeExpired")
      )

      // Expired rows serve no purpose (their JWTs fail verification first): sweep them hourly.
      yield* purgeExpired.pipe(
        Effect.catchCause((cause) => Effect.logWarning("refresh token clean-up failed", cause)),
        Effect.repeat(Schedule.spaced("1 hour")),
        Effect.forkScoped
      )

      return Auth.of({ register, login, refresh, logout, purgeExpired })
    })
  )

  static readonly layer = Auth.layerNoDeps.pipe(Layer.provide([Users.layer, PasswordHasher.layer, Tokens.layer]))
}
