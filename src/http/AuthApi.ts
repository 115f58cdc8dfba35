import { Schema } from "effect"
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { AccountDisabled, Conflict, Unauthorized } from "../domain/errors.ts"
import { AuthResponse, LoginPayload, RefreshPayload, RegisterPayload, TokenPair } from "../domain/user.ts"

/**
 * Refresh and log-out take the refresh token as a bearer header or as
 * `{"refresh_token"}` in the body; a payload that admits null lets the body be empty.
 */
const refreshTokenInput = {
  headers: { authorization: Schema.optional(Schema.String) },
  payload: [RefreshPayload, Schema.Null]
}

export class AuthApi extends HttpApiGroup.make("auth")
  .add(
    HttpApiEndpoint.post("register", "/register", {
      payload: RegisterPayload,
      success: AuthResponse.pipe(HttpApiSchema.status(201)),
      error: Conflict
    }),
    HttpApiEndpoint.post("login", "/login", {
      payload: LoginPayload,
      success: AuthResponse,
      error: [Unauthorized, AccountDisabled]
    }),
    HttpApiEndpoint.post("refresh", "/refresh", {
      ...refreshTokenInput,
      success: TokenPair,
      error: Unauthorized
    }),
    HttpApiEndpoint.post("logout", "/logout", {
      ...refreshTokenInput,
      success: HttpApiSchema.NoContent,
      error: Unauthorized
    })
  )
  .prefix("/api/auth")
  // Report every bad field at once, not just the first.
  .annotate(HttpApi.PayloadParseOptions, { errors: "all" })
  .annotateMerge(
    OpenApi.annotations({
      title: "Auth",
      description:
        "Registration, log-in and sessions. Access tokens are short-lived JWTs; refresh tokens rotate on every use, and a used one presented again revokes its whole session."
    })
  ) {}
