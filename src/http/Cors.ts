import { Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import { AppConfig } from "../infra/AppConfig.ts"

/** CORS for the configured origins; global, so fast-path answers carry the headers too. */
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
