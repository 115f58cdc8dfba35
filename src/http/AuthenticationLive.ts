import { Effect, Layer, Option, Redacted } from "effect"
import { Unauthorized } from "../domain/errors.ts"
import { Tokens } from "../infra/Tokens.ts"
import { Users } from "../services/Users.ts"
import { Authentication, CurrentUser } from "./Authentication.ts"
import { limitUser, RateLimiter } from "./RateLimit.ts"

/**
 * Verifies the access token, then reads the user by primary key on every
 * request: tokens carry no role or status, so a deactivation or a change of
 * `is_admin` applies to the very next request.
 */
export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.gen(function* () {
    const tokens = yield* Tokens
    const users = yield* Users
    const limiter = yield* RateLimiter
    return Authentication.of({
      bearer: Effect.fn("Authentication.bearer")(function* (httpEffect, { credential }) {
        // No bearer credential at all (no header, or another scheme) is a different problem from a bad one.
        if (Redacted.value(credential) === "") return yield* new Unauthorized({ error: "Authentication required" })
        const { userId } = yield* tokens.verify(Redacted.value(credential), "access")
        yield* limitUser(userId).pipe(Effect.provideService(RateLimiter, limiter))
        const principal = yield* users.findPrincipal(userId)
        if (Option.isNone(principal) || !principal.value.isActive) {
          return yield* new Unauthorized({ error: "Account is disabled or no longer exists" })
        }
        const { id, email, username, isAdmin } = principal.value
        return yield* Effect.provideService(httpEffect, CurrentUser, { id, email, username, isAdmin })
      })
    })
  })
)
