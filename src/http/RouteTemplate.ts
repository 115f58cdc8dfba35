import { Context, Effect, Layer } from "effect"
import { HttpApiMiddleware } from "effect/http-api"
import type { RateLimitDecision } from "../infra/SharedStore.ts"
import {
  BadRequest,
  InternalError,
  MethodNotAllowed,
  NotFound,
  PayloadTooLarge,
  RateLimited,
  ServiceUnavailable,
  Timeout,
  UnsupportedMediaType,
  ValidationError
} from "../domain/errors.ts"

/** Per-request facts that inner layers fill in for the outer middleware (route template for metrics and logs). */
export interface RequestFacts {
  route: string | undefined
  rateLimit: RateLimitDecision | undefined
}

export const RequestState = Context.Reference<RequestFacts>("shop/http/RequestState", {
  defaultValue: () => ({ route: undefined, rateLimit: undefined })
})

/**
 * Applied to every endpoint of the Api: records the matched route template
 * (`/api/products/:id`, never the raw path) so that metrics stay low-cardinality.
 * It also declares the errors any endpoint can answer with (produced by the
 * server middleware), so that the OpenAPI document lists them everywhere.
 */
export class RouteTemplate extends HttpApiMiddleware.Service<RouteTemplate>()("shop/http/RouteTemplate", {
  error: [
    ValidationError,
    BadRequest,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    RateLimited,
    InternalError,
    ServiceUnavailable,
    Timeout
  ]
}) {}

export const RouteTemplateLive = Layer.succeed(RouteTemplate, (effect, { endpoint }) =>
  Effect.flatMap(Effect.service(RequestState), (state) => {
    state.route = endpoint.path
    return effect
  })
)
