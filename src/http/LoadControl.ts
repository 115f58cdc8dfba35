import { ByteSize, type Cause, Duration, Effect, Option, Semaphore } from "effect"
import { HttpIncomingMessage, type HttpServerRequest, type HttpServerResponse } from "effect/http"
import { AppConfig } from "../infra/AppConfig.ts"
import { bodyForStatus, jsonError } from "./ErrorBody.ts"

/**
 * What one instance takes on: a body-size limit, a cap on requests served at
 * once (503 with Retry-After beyond it, shed early rather than queued without
 * bound) and a time limit per request (504).
 */
export const makeLoadControl = Effect.gen(function* () {
  const config = yield* AppConfig
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
  return {
    /** The 413 for a declared Content-Length over the limit, before anything reads the body. */
    oversized: (request: HttpServerRequest.HttpServerRequest) =>
      Number(request.headers["content-length"] ?? 0) > config.bodyLimitBytes ? tooLarge : undefined,
    /** `app` under the time limit and a permit; `onError` answers its failures (inside the permit). */
    limit: <E, R>(
      app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>,
      onError: (cause: Cause.Cause<E>) => Effect.Effect<HttpServerResponse.HttpServerResponse>
    ) =>
      app.pipe(
        Effect.timeoutOption(timeoutMs),
        Effect.map(Option.getOrElse(() => timedOut)),
        Effect.catchCause(onError),
        permits.withPermitsIfAvailable(1),
        Effect.map(Option.getOrElse(() => overloaded)),
        // Bodies sent without a Content-Length (chunked) are cut off at the same limit while read.
        Effect.provideService(HttpIncomingMessage.MaxBodySize, maxBodySize)
      )
  }
})
