import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Unauthorized } from "../domain/errors.ts"
import { Auth } from "../services/Auth.ts"
import { Api } from "./Api.ts"

const BEARER = /^Bearer\s+(\S+)\s*$/i

/** The refresh token from `Authorization: Bearer` or, failing that, from the body. */
const refreshTokenOf = (input: {
  readonly headers: { readonly authorization?: string | undefined }
  readonly payload: { readonly refresh_token?: string | undefined } | null
}) => {
  const token = BEARER.exec(input.headers.authorization ?? "")?.[1] ?? input.payload?.refresh_token
  return token ? Effect.succeed(token) : Effect.fail(new Unauthorized({ error: "Refresh token required" }))
}

export const AuthHandlers = HttpApiBuilder.group(
  Api,
  "auth",
  Effect.fn(function* (handlers) {
    const auth = yield* Auth
    return handlers.handleAll({
      register: ({ payload }) =>
        auth
          .register(payload)
          .pipe(Effect.map(({ user, tokens }) => ({ message: "User registered successfully", user, ...tokens }))),
      login: ({ payload }) =>
        auth.login(payload).pipe(Effect.map(({ user, tokens }) => ({ message: "Login successful", user, ...tokens }))),
      refresh: (input) => refreshTokenOf(input).pipe(Effect.flatMap(auth.refresh)),
      logout: (input) => refreshTokenOf(input).pipe(Effect.flatMap(auth.logout))
    })
  })
)
