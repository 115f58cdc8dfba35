import { Effect, Layer, Redacted } from "effect"
import { HttpClientRequest, HttpServer } from "effect/http"
import { HttpApiMiddleware } from "effect/http-api"
import { Unauthorized } from "../../src/domain/errors.ts"
import { Authentication, CurrentUser } from "../../src/http/Authentication.ts"
import { RouteTemplate, RouteTemplateLive } from "../../src/http/RouteTemplate.ts"

/** The callers the in-memory tests act as, by the bearer token they send. */
export const callers = {
  "user-token": { id: 7, email: "user@example.com", username: "user", isAdmin: false },
  "admin-token": { id: 1, email: "admin@example.com", username: "admin", isAdmin: true }
} as const

/**
 * The server side of the handler tests: authentication by a fixed token table
 * instead of JWTs and the users table, and the route-template middleware.
 */
export const AuthenticationTest = Layer.mergeAll(
  Layer.succeed(
    Authentication,
    Authentication.of({
      bearer: (effect, { credential }) => {
        const user = callers[Redacted.value(credential) as keyof typeof callers]
        return user === undefined
          ? Effect.fail(new Unauthorized({ error: "Invalid or expired access token" }))
          : Effect.provideService(effect, CurrentUser, user)
      }
    })
  ),
  RouteTemplateLive,
  HttpServer.layerServices
)

/** The client side: sends `token` as the bearer (none when undefined), and nothing for the route template. */
export const asCaller = (token: keyof typeof callers | undefined) =>
  Layer.mergeAll(
    HttpApiMiddleware.layerClient(Authentication, ({ next, request }) =>
      next(token === undefined ? request : HttpClientRequest.bearerToken(request, token))
    ),
    HttpApiMiddleware.layerClient(RouteTemplate, ({ next, request }) => next(request))
  )
