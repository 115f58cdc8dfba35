import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"

export const Health = Schema.Struct({
  status: Schema.Literal("healthy"),
  service: Schema.String,
  version: Schema.String
}).annotate({ identifier: "Health" })

export const DependencyStatus = Schema.Literals(["up", "down", "degraded", "memory"])
export const Readiness = Schema.Struct({
  status: Schema.Literals(["ready", "not_ready"]),
  database: DependencyStatus,
  redis: DependencyStatus
}).annotate({ identifier: "Readiness" })

const Link = Schema.String.annotate({ format: "uri-reference", description: "A path on this server." })

export const ApiInfo = Schema.Struct({
  name: Schema.String,
  version: Schema.String,
  docs: Link,
  openapi: Link,
  health: Link,
  metrics: Link
}).annotate({ identifier: "ApiInfo" })

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
  .add(HttpApiEndpoint.get("info", "/api", { success: ApiInfo }))
  .annotateMerge(
    OpenApi.annotations({
      title: "System",
      description: "Liveness, readiness, metrics and the API's own links; none of them needs a token."
    })
  ) {}
