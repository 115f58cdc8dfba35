import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "effect/http-api"

export const Health = Schema.Struct({
  status: Schema.Literal("healthy"),
  service: Schema.String,
  version: Schema.String
})

export const DependencyStatus = Schema.Literals(["up", "down", "degraded", "memory"])
export const Readiness = Schema.Struct({
  status: Schema.Literals(["ready", "not_ready"]),
  database: DependencyStatus,
  redis: DependencyStatus
})

export const ApiInfo = Schema.Struct({
  name: Schema.String,
  version: Schema.String,
  docs: Schema.String,
  openapi: Schema.String,
  health: Schema.String,
  metrics: Schema.String
})

export class SystemApi extends HttpApiGroup.make("system", { topLevel: true })
  .add(HttpApiEndpoint.get("health", "/health", { success: Health }))
  .add(
    HttpApiEndpoint.get("ready", "/ready", {
      success: Readiness,
      error: Readiness.pipe(HttpApiSchema.status(503))
    })
  )
  .add(
    HttpApiEndpoint.get("metrics", "/metrics", {
      success: Schema.String.pipe(HttpApiSchema.asText({ contentType: "text/plain; version=0.0.4; charset=utf-8" }))
    })
  )
  .add(HttpApiEndpoint.get("info", "/api", { success: ApiInfo })) {}
