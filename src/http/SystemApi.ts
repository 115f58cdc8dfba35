import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"

export const Health = Schema.Struct({
  status: Schema.Literal("healthy"),
  service: Schema.String,
  version: Schema.String
}).annotate({ identifier: "Health" })

export const DependencyStatus = Schema.Literals(["up", "down", "degraded", "memory"])
/** Only with DATABASE_READ_URL: whether catalog and review reads use the replica, and its lag. */
export const ReplicaReadiness = Schema.Struct({
  status: Schema.Literals(["up", "lagging", "down", "mismatch"]).annotate({
    description:
      "up: reads use the replica; lagging: past DATABASE_READ_MAX_LAG; down: it does not answer; mismatch: not a standby of the primary's database. In every state but up reads go to the primary."
  }),
  lag_seconds: Schema.NullOr(Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))).annotate({
    description: "How long the replica has been missing WAL the primary had; null when unknown"
  })
}).annotate({ identifier: "ReplicaReadiness" })

export const Readiness = Schema.Struct({
  status: Schema.Literals(["ready", "not_ready"]),
  database: DependencyStatus,
  redis: DependencyStatus,
  replica: Schema.optionalKey(ReplicaReadiness)
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
