import { Context, Effect } from "effect"
import { HttpApiMiddleware, HttpApiSecurity, OpenApi } from "effect/http-api"
import { Forbidden, RateLimited, Unauthorized } from "../domain/errors.ts"

/** The authenticated caller, provided to handlers by the Authentication middleware. */
export class CurrentUser extends Context.Service<
  CurrentUser,
  {
    readonly id: number
    readonly email: string
    readonly username: string
    readonly isAdmin: boolean
  }
>()("shop/http/CurrentUser") {}

/**
 * Bearer-token authentication for the groups or endpoints that need a user:
 * a missing, invalid or expired access token, or a deactivated account, is a 401.
 */
export class Authentication extends HttpApiMiddleware.Service<Authentication, { provides: CurrentUser }>()(
  "shop/http/Authentication",
  {
    // Lower-case `bearer` with a JWT format: what /docs needs to offer a token field and send `Authorization: Bearer`.
    security: {
      bearer: HttpApiSecurity.http({ scheme: "bearer" }).pipe(HttpApiSecurity.annotate(OpenApi.Format, "JWT"))
    },
    // RateLimited: the per-user budget is checked here, the first place that knows the user.
    error: [Unauthorized, RateLimited]
  }
) {}

/** The admin policy: use inside handlers of admin routes (after Authentication). */
export const requireAdmin = Effect.gen(function* () {
  const user = yield* CurrentUser
  if (!user.isAdmin) return yield* new Forbidden({ error: "Admin access required" })
  return user
})
