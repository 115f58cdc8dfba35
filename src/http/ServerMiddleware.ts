import type { Types } from "effect"
import { Effect, Option, Tracer } from "effect"
import { HttpMiddleware, HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { AppConfig } from "../infra/AppConfig.ts"
import { makeAccessLog } from "./AccessLog.ts"
import { canonicalPathOf, clientPath, notCanonical } from "./CanonicalPath.ts"
import { makeCatalogFastPath } from "./CatalogFastPath.ts"
import { refuseUncleanBody, refuseUncleanQuery } from "./CleanInput.ts"
import { ensureJsonError, errorResponse } from "./ErrorBody.ts"
import { makeLoadControl } from "./LoadControl.ts"
import { limitClient, RateLimiter, rateLimitHeaders } from "./RateLimit.ts"
import { type RequestFacts, RequestState } from "./RouteTemplate.ts"

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * The middleware around every route (inside CORS), in the order a request
 * meets them: request id, the canonical path (a 404 for any other spelling;
 * everything after uses only this path), access log and metrics, rate limits,
 * body-size limit, clean query strings, the catalog fast path, then
 * concurrency and time limits around the clean-body check and the API, with
 * failures turned into the uniform JSON error body.
 */
export const ServerMiddleware = HttpRouter.middleware(
  Effect.gen(function* () {
    const config = yield* AppConfig
    const limiter = yield* RateLimiter
    const fastPath = yield* makeCatalogFastPath
    const load = yield* makeLoadControl
    const accessLog = yield* makeAccessLog
    // X-Forwarded-For counts only when the peer is a configured proxy; otherwise the socket address is the client.
    const forwarded =
      config.trustProxy.length > 0
        ? HttpMiddleware.xForwardedHeaders({ trustedProxies: config.trustProxy })
        : <E, R>(app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) => app

    return (
      app: Effect.Effect<HttpServerResponse.HttpServerResponse, Types.unhandled>
    ): Effect.Effect<HttpServerResponse.HttpServerResponse, Types.unhandled, HttpServerRequest.HttpServerRequest> =>
      forwarded(
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const incomingId = request.headers["x-request-id"]
          const requestId = incomingId !== undefined && REQUEST_ID.test(incomingId) ? incomingId : crypto.randomUUID()
          const path = canonicalPathOf(request)
          const state: RequestFacts = { route: undefined, rateLimit: undefined }
          // Every log line of the request carries its request id and, when traced, its trace id.
          // Read from the context: asking Effect.currentParentSpan fails (with a stack trace) when untraced.
          const span = yield* Effect.serviceOption(Tracer.ParentSpan)
          const annotations: Record<string, string> = Option.match(span, {
            onNone: () => ({ request_id: requestId }),
            onSome: (s) => ({ request_id: requestId, trace_id: s.traceId, span_id: s.spanId })
          })
          const api = () =>
            load
              .limit(
                request,
                Effect.flatMap(refuseUncleanBody(request), (unclean) =>
                  unclean !== undefined ? Effect.succeed(unclean) : app
                ),
                (cause) => errorResponse(cause, request)
              )
              .pipe(Effect.provideService(RequestState, state))
          const serve = (path: string) =>
            Effect.flatMap(limitClient(limiter, request, path, state), (limited) => {
              const refused = limited ?? load.oversized(request) ?? refuseUncleanQuery(request.url)
              return refused !== undefined ? Effect.succeed(refused) : fastPath(request, path, state, api)
            })
          const respond = Effect.map(path === undefined ? Effect.succeed(notCanonical) : serve(path), (response) => {
            const final = HttpServerResponse.setHeader(ensureJsonError(response), "x-request-id", requestId)
            return state.rateLimit !== undefined
              ? HttpServerResponse.setHeaders(final, rateLimitHeaders(state.rateLimit))
              : final
          })
          return yield* accessLog(request, path ?? clientPath(request), state, annotations, respond)
        })
      )
  }),
  { global: true }
)
