import { ByteSize, type Cause, Duration, Effect, Fiber, Option, Semaphore } from "effect"
import { HttpIncomingMessage, type HttpServerRequest, type HttpServerResponse } from "effect/http"
import { AppConfig } from "../infra/AppConfig.ts"
import { bodyForStatus, jsonError } from "./ErrorBody.ts"

/**
 * What one instance takes on: a body-size limit, a time limit to receive the
 * body (408, so a client sending a byte a second holds no permit for long), a
 * cap on requests served at once (503 with Retry-After beyond it, shed early
 * rather than queued without bound) and a time limit per request (504).
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
  const bodyTimeoutMs = Duration.toMillis(config.bodyTimeout)
  // The rest of the body may still be on its way: the connection cannot carry another request.
  const bodyTooSlow = jsonError(
    408,
    { error: `Request body not received within ${Duration.format(config.bodyTimeout)}`, code: "TIMEOUT" },
    { connection: "close" }
  )
  /** Reads a declared body within the body timeout (the API reuses the bytes); the 408 when it does not arrive. */
  const receiveBody = (request: HttpServerRequest.HttpServerRequest) =>
    Effect.gen(function* () {
      const declared = Number(request.headers["content-length"] ?? 0) > 0 || "transfer-encoding" in request.headers
      if (!declared) return undefined
      // Read in a fiber of its own: interrupting the read would destroy the socket before the 408 is written.
      // A failed read (too large, client gone) is answered when the API reads the same cached result.
      const reading = yield* Effect.forkDetach(Effect.exit(request.arrayBuffer))
      const received = yield* Effect.timeoutOption(Fiber.join(reading), bodyTimeoutMs)
      return Option.isNone(received) ? bodyTooSlow : undefined
    })
  const maxBodySize = ByteSize.bytes(config.bodyLimitBytes)
  const tooLarge = jsonError(413, {
    error: `Request body exceeds ${config.bodyLimitBytes} bytes`,
    code: "PAYLOAD_TOO_LARGE"
  })
  return {
    /** The 413 for a declared Content-Length over the limit, before anything reads the body. */
    oversized: (request: HttpServerRequest.HttpServerRequest) =>
      Number(request.headers["content-length"] ?? 0) > config.bodyLimitBytes ? tooLarge : undefined,
    /** The body received in time, then `app` under the time limit and a permit; `onError` answers its failures. */
    limit: <E, R>(
      request: HttpServerRequest.HttpServerRequest,
      app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>,
      onError: (cause: Cause.Cause<E>) => Effect.Effect<HttpServerResponse.HttpServerResponse>
    ) =>
      Effect.flatMap(receiveBody(request), (late) =>
        late !== undefined
          ? Effect.succeed(late)
          : app.pipe(
              Effect.timeoutOption(timeoutMs),
              Effect.map(Option.getOrElse(() => timedOut)),
              Effect.catchCause(onError),
              permits.withPermitsIfAvailable(1),
              Effect.map(Option.getOrElse(() => overloaded))
            )
      ).pipe(
        // Bodies sent without a Content-Length (chunked) are cut off at the same limit while read.
        Effect.provideService(HttpIncomingMessage.MaxBodySize, maxBodySize)
      )
  }
})
