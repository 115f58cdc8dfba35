import type { Types } from "effect"
import {
  ByteSize,
  Cause,
  Duration,
  Effect,
  Layer,
  LogLevel,
  Metric,
  Option,
  Result,
  Schema,
  SchemaIssue,
  Semaphore,
  Tracer
} from "effect"
import {
  HttpIncomingMessage,
  HttpMiddleware,
  HttpRouter,
  HttpServerError,
  HttpServerRequest,
  HttpServerResponse
} from "effect/http"
import { HttpApi, HttpApiError } from "effect/http-api"
import { AppConfig } from "../infra/AppConfig.ts"
import { httpInFlight, httpRequestDuration } from "../infra/Metrics.ts"
import { Api } from "./Api.ts"
import type { ProductListQuery } from "../domain/catalog.ts"
import { Catalog, type JsonBody } from "../services/Catalog.ts"
import { RateLimiter, rateLimitHeaders, STRICT_PATHS, tighter } from "./RateLimit.ts"
import { type RequestFacts, RequestState } from "./RouteTemplate.ts"

export interface ErrorBody {
  readonly error: string
  readonly code: string
  readonly details?: ReadonlyArray<{ readonly field: string; readonly message: string }>
}

export const jsonError = (status: number, body: ErrorBody, headers?: Record<string, string>) =>
  HttpServerResponse.jsonUnsafe(body, { status, ...(headers ? { headers } : {}) })

const STATUS_CODES: Record<number, [code: string, message: string]> = {
  400: ["BAD_REQUEST", "Bad request"],
  401: ["UNAUTHORIZED", "Authentication required"],
  403: ["FORBIDDEN", "Forbidden"],
  404: ["NOT_FOUND", "Resource not found"],
  405: ["METHOD_NOT_ALLOWED", "Method not allowed"],
  408: ["TIMEOUT", "Request timeout"],
  409: ["CONFLICT", "Conflict"],
  413: ["PAYLOAD_TOO_LARGE", "Request body too large"],
  415: ["UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json"],
  422: ["UNPROCESSABLE_ENTITY", "Unprocessable entity"],
  429: ["RATE_LIMITED", "Too many requests"],
  500: ["INTERNAL_ERROR", "Internal server error"],
  503: ["SERVICE_UNAVAILABLE", "Service unavailable"],
  504: ["TIMEOUT", "Request timed out"]
}

const bodyForStatus = (status: number): ErrorBody => {
  const [code, error] = STATUS_CODES[status] ?? (status >= 500 ? STATUS_CODES[500]! : STATUS_CODES[400]!)
  return { error, code }
}

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

/** Issue paths like ["payload", "email"] become the field name "email". */
const formatSchemaError = (error: HttpApiError.HttpApiSchemaError): ErrorBody => {
  const { issues } = formatIssues(error.cause.issue)
  const where =
    error.kind === "Payload" ? "body" : error.kind === "Query" ? "query" : error.kind === "Params" ? "path" : "headers"
  const details = issues.map((issue) => ({
    field:
      issue.path && issue.path.length > 0
        ? issue.path.map((p) => String(typeof p === "object" ? p.key : p)).join(".")
        : where,
    message: issue.message
  }))
  const fields = [...new Set(details.map((d) => d.field))]
  return {
    error: fields.length > 0 ? `Invalid request ${where}: ${fields.join(", ")}` : `Invalid request ${where}`,
    code: "VALIDATION_ERROR",
    details
  }
}

/** The listing's query decoder exactly as the API builds it, for the cache fast path. */
let productListQuery: (u: unknown) => Option.Option<ProductListQuery> = () => Option.none()

/** Method+path pairs of the Api, to tell a 405 (path exists, other method) from a 404. */
const knownRoutes = (() => {
  const routes: Array<{ method: string; template: string; pattern: RegExp }> = []
  HttpApi.reflect(Api, {
    onGroup: () => {},
    onEndpoint: ({ group, endpoint }) => {
      if (group.identifier === "products" && endpoint.identifier === "list" && endpoint.query !== undefined) {
        // The endpoint's query schema needs no services to decode (it is built from plain schemas).
        const decoder = Schema.toCodecArrayFromSingle(endpoint.query) as unknown as Schema.Decoder<ProductListQuery>
        productListQuery = Schema.decodeUnknownOption(decoder)
      }
      const source = endpoint.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z_]+/g, "[^/]+")
      routes.push({ method: endpoint.method, template: endpoint.path, pattern: new RegExp(`^${source}/?$`) })
    }
  })
  return routes
})()

/** The route template a path belongs to, whatever its method; keeps metric labels few (never a raw path). */
const templateOf = (path: string) =>
  path === "/docs" || path === "/openapi.json"
    ? path
    : (knownRoutes.find((r) => r.pattern.test(path))?.template ?? "other")

export const allowedMethods = (path: string) => {
  const methods = new Set(knownRoutes.filter((r) => r.pattern.test(path)).map((r) => r.method))
  if (methods.has("GET")) methods.add("HEAD")
  return [...methods]
}

const pathOf = (url: string) => {
  const q = url.indexOf("?")
  return q === -1 ? url : url.slice(0, q)
}

/** Turns any failure or defect into the JSON error body; 500s are logged, never explained to the client. */
const errorResponse = (cause: Cause.Cause<unknown>, request: HttpServerRequest.HttpServerRequest) => {
  const failure = Cause.findErrorOption(cause)
  const defect = Cause.findDefect(cause)
  const error: unknown = Option.isSome(failure) ? failure.value : Result.isSuccess(defect) ? defect.success : undefined
  if (HttpApiError.HttpApiSchemaError.is(error)) return Effect.succeed(jsonError(400, formatSchemaError(error)))
  if (HttpApiError.HttpApiPayloadTooLarge.is(error)) return Effect.succeed(jsonError(413, bodyForStatus(413)))
  if (HttpServerError.isHttpServerError(error)) {
    const reason = error.reason
    if (reason._tag === "RouteNotFound") {
      const allow = allowedMethods(pathOf(request.url))
      return Effect.succeed(
        allow.length > 0
          ? jsonError(405, bodyForStatus(405), { allow: allow.join(", ") })
          : jsonError(404, { error: `No route for ${request.method} ${pathOf(request.url)}`, code: "NOT_FOUND" })
      )
    }
    if (reason._tag === "RequestParseError") {
      return Effect.succeed(
        reason.reason === "BodyTooLarge"
          ? jsonError(413, bodyForStatus(413))
          : jsonError(400, { error: "Malformed request body: expected valid JSON", code: "BAD_REQUEST" })
      )
    }
  }
  if (Cause.hasInterruptsOnly(cause)) return Effect.succeed(jsonError(503, bodyForStatus(503)))
  return Effect.logError("unhandled error", cause).pipe(Effect.as(jsonError(500, bodyForStatus(500))))
}

const isJson = (response: HttpServerResponse.HttpServerResponse) =>
  response.body._tag === "Uint8Array" && (response.body.contentType ?? "").startsWith("application/json")

/** An error response that is not JSON yet (404 of the router, 415 of the API, empty 400s) gets the JSON body. */
const ensureJsonError = (response: HttpServerResponse.HttpServerResponse) => {
  if (response.status < 400 || isJson(response)) return response
  // Keep headers such as Allow, but not the ones that described the old body (a stale length breaks the response).
  const { "content-type": _type, "content-length": _length, ...kept } = response.headers
  return HttpServerResponse.setHeaders(jsonError(response.status, bodyForStatus(response.status)), kept)
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/
const PRODUCT_DETAIL = /^\/api\/products\/([1-9][0-9]{0,8})\/?$/
const PRODUCT_DETAIL_ROUTE = "/api/products/:id"
const PRODUCT_LIST_ROUTE = "/api/products"

/**
 * The middleware around every route (inside CORS): request id, rate limits,
 * the catalog cache fast path, body-size and concurrency limits, per-request
 * timeout, uniform JSON errors, metrics and one structured log line per request.
 */
export const ServerMiddleware = HttpRouter.middleware(
  Effect.gen(function* () {
    const config = yield* AppConfig
    const limiter = yield* RateLimiter
    const catalog = yield* Catalog
    const permits = yield* Semaphore.make(config.maxConcurrentRequests)
    const timeoutMs = Duration.toMillis(config.requestTimeout)
    const overloaded = jsonError(
      503,
      { error: "Server is at capacity, retry shortly", code: "SERVICE_UNAVAILABLE" },
      { "retry-after": "1" }
    )
    const timedOut = jsonError(504, bodyForStatus(504))
    const maxBodySize = ByteSize.bytes(config.bodyLimitBytes)
    const tooLarge = jsonError(413, {
      error: `Request body exceeds ${config.bodyLimitBytes} bytes`,
      code: "PAYLOAD_TOO_LARGE"
    })
    // One labelled histogram per (method, route, status), made once: the label sets are few and hot.
    const durations = new Map<string, typeof httpRequestDuration>()
    const durationFor = (method: string, route: string, status: number) => {
      const key = `${method} ${route} ${status}`
      let metric = durations.get(key)
      if (metric === undefined) {
        metric = Metric.withAttributes(httpRequestDuration, { method, route, status: String(status) })
        durations.set(key, metric)
      }
      return metric
    }
    const logRequests = LogLevel.isGreaterThanOrEqualTo("Info", config.logLevel)
    // X-Forwarded-For counts only when the peer is a configured proxy; otherwise the socket address is the client.
    const forwarded =
      config.trustProxy.length > 0
        ? HttpMiddleware.xForwardedHeaders({ trustedProxies: config.trustProxy })
        : <E, R>(app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) => app

    /**
     * Product detail and listings are the hottest reads of the shop: when this
     * instance holds the current JSON, it is sent straight away, skipping the
     * API's routing and handler, and the time limit and concurrency permit a
     * request that holds nothing do not need; otherwise (or for a query the
     * API would refuse) the request takes the normal path, `app`.
     */
    const fromCache = (
      request: HttpServerRequest.HttpServerRequest,
      path: string,
      state: RequestFacts,
      app: Effect.Effect<HttpServerResponse.HttpServerResponse>
    ): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
      if (request.method !== "GET") return app
      const serve = (route: string) => (cached: Option.Option<JsonBody>) => {
        if (Option.isNone(cached)) return app
        state.route = route
        return Effect.succeed(HttpServerResponse.text(cached.value, { contentType: "application/json" }))
      }
      const detail = PRODUCT_DETAIL.exec(path)
      if (detail !== null) return Effect.flatMap(catalog.cachedProduct(Number(detail[1])), serve(PRODUCT_DETAIL_ROUTE))
      if (path !== PRODUCT_LIST_ROUTE && path !== `${PRODUCT_LIST_ROUTE}/`) return app
      const query = productListQuery(HttpServerRequest.searchParamsFromURL(new URL(request.url, "http://localhost")))
      if (Option.isNone(query)) return app
      return Effect.flatMap(catalog.cachedListing(query.value), serve(PRODUCT_LIST_ROUTE))
    }

    /** Per-IP budget on /api, plus the strict one on the credential routes; undefined when within budget. */
    const limitClient = (request: HttpServerRequest.HttpServerRequest, path: string, state: RequestFacts) =>
      Effect.gen(function* () {
        const ip = Option.getOrElse(request.remoteAddress, () => "unknown")
        state.rateLimit = yield* limiter.check("ip", ip)
        if (STRICT_PATHS.has(path.replace(/\/$/, "")))
          state.rateLimit = tighter(state.rateLimit, yield* limiter.check("auth", ip))
        return state.rateLimit.allowed
          ? undefined
          : jsonError(429, { error: "Too many requests, retry later", code: "RATE_LIMITED" })
      })

    return (
      app: Effect.Effect<HttpServerResponse.HttpServerResponse, Types.unhandled>
    ): Effect.Effect<HttpServerResponse.HttpServerResponse, Types.unhandled, HttpServerRequest.HttpServerRequest> =>
      forwarded(
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const incomingId = request.headers["x-request-id"]
          const requestId = incomingId !== undefined && REQUEST_ID.test(incomingId) ? incomingId : crypto.randomUUID()
          const path = pathOf(request.url)
          const state: RequestFacts = { route: undefined, rateLimit: undefined }
          const start = performance.now()
          yield* Metric.update(httpInFlight, 1)

          const contentLength = Number(request.headers["content-length"] ?? 0)
          const limited =
            limiter.enabled && path.startsWith("/api") && request.method !== "OPTIONS"
              ? yield* limitClient(request, path, state)
              : undefined
          const handled: Effect.Effect<HttpServerResponse.HttpServerResponse> =
            limited !== undefined
              ? Effect.succeed(limited)
              : contentLength > config.bodyLimitBytes
                ? Effect.succeed(tooLarge)
                : fromCache(
                    request,
                    path,
                    state,
                    app.pipe(
                      Effect.timeoutOption(timeoutMs),
                      Effect.map(Option.getOrElse(() => timedOut)),
                      Effect.catchCause((cause) => errorResponse(cause, request)),
                      permits.withPermitsIfAvailable(1),
                      Effect.map(Option.getOrElse(() => overloaded)),
                      Effect.provideService(RequestState, state),
                      // Bodies sent without a Content-Length (chunked) are cut off at the same limit while read.
                      Effect.provideService(HttpIncomingMessage.MaxBodySize, maxBodySize)
                    )
                  )
          // Every log line of the request carries its request id and, when traced, its trace id.
          // Read from the context: asking Effect.currentParentSpan fails (with a stack trace) when untraced.
          const span = yield* Effect.serviceOption(Tracer.ParentSpan)
          const traceIds = Option.match(span, {
            onNone: () => ({}),
            onSome: (s) => ({ trace_id: s.traceId, span_id: s.spanId })
          })
          const response = yield* handled.pipe(Effect.annotateLogs({ request_id: requestId, ...traceIds }))
          let final = HttpServerResponse.setHeader(ensureJsonError(response), "x-request-id", requestId)
          if (state.rateLimit !== undefined)
            final = HttpServerResponse.setHeaders(final, rateLimitHeaders(state.rateLimit))

          const seconds = (performance.now() - start) / 1000
          const route = state.route ?? (final.status === 404 ? "unmatched" : templateOf(path))
          yield* Metric.update(httpInFlight, -1)
          yield* Metric.update(durationFor(request.method, route, final.status), seconds)
          if (logRequests)
            yield* Effect.logInfo("request").pipe(
              Effect.annotateLogs({
                request_id: requestId,
                ...traceIds,
                method: request.method,
                path,
                route,
                status: final.status,
                duration_ms: Math.round(seconds * 100000) / 100
              })
            )
          return final
        })
      )
  }),
  { global: true }
)

export const CorsLive = Layer.unwrap(
  Effect.gen(function* () {
    const config = yield* AppConfig
    return HttpRouter.cors({
      allowedOrigins: config.corsOrigins,
      allowedMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
      allowedHeaders: ["authorization", "content-type", "idempotency-key", "x-request-id", "traceparent"],
      exposedHeaders: [
        "x-request-id",
        "retry-after",
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
        "idempotent-replayed"
      ],
      maxAge: 600
    })
  })
)
