import { Cause, Effect, Option, Result, SchemaIssue } from "effect"
import { HttpServerError, type HttpServerRequest, HttpServerResponse } from "effect/http"
import { HttpApiError } from "effect/http-api"
import { isDatabaseUnavailable } from "../infra/DatabaseUnavailable.ts"
import { fieldMessage } from "./ErrorWording.ts"
import { allowedMethods, pathOf } from "./RouteTable.ts"

/** The one error body of the API: `{error, code, details?}`. */
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
  431: ["HEADERS_TOO_LARGE", "Request headers too large"],
  500: ["INTERNAL_ERROR", "Internal server error"],
  503: ["SERVICE_UNAVAILABLE", "Service unavailable"],
  504: ["TIMEOUT", "Request timed out"]
}

/** The generic body for a status (unknown 5xx read as 500, unknown 4xx as 400). */
export const bodyForStatus = (status: number): ErrorBody => {
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
  return validationBody(where, details)
}

/**
 * The 400 body naming the fields of the request's `where` (body, query, path, headers) that were refused,
 * each message worded for a person (ErrorWording.ts); `error` repeats them in one sentence.
 */
export const validationBody = (where: string, refused: NonNullable<ErrorBody["details"]>): ErrorBody => {
  const details = refused.map((d) => ({ field: d.field, message: fieldMessage(d.field, d.message) }))
  const messages = [...new Set(details.map((d) => d.message))]
  return {
    error: messages.length > 0 ? messages.join("; ") : `the request ${where} is not valid`,
    code: "VALIDATION_ERROR",
    details
  }
}

const databaseUnavailable = jsonError(
  503,
  { error: "The database is unavailable, retry shortly", code: "SERVICE_UNAVAILABLE" },
  { "retry-after": "2" }
)

/** Turns any failure or defect into the JSON error body; 500s are logged, never explained to the client. */
export const errorResponse = (cause: Cause.Cause<unknown>, request: HttpServerRequest.HttpServerRequest) => {
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
          : jsonError(400, { error: "the request body is not valid JSON", code: "BAD_REQUEST" })
      )
    }
  }
  if (Cause.hasInterruptsOnly(cause)) return Effect.succeed(jsonError(503, bodyForStatus(503)))
  // Logged once per outage by the pool, not per request.
  if (isDatabaseUnavailable(cause)) return Effect.succeed(databaseUnavailable)
  return Effect.logError("unhandled error", cause).pipe(Effect.as(jsonError(500, bodyForStatus(500))))
}

const isJson = (response: HttpServerResponse.HttpServerResponse) =>
  response.body._tag === "Uint8Array" && (response.body.contentType ?? "").startsWith("application/json")

/** An error response that is not JSON yet (404 of the router, 415 of the API, empty 400s) gets the JSON body. */
export const ensureJsonError = (response: HttpServerResponse.HttpServerResponse) => {
  if (response.status < 400 || isJson(response)) return response
  // Keep headers such as Allow, but not the ones that described the old body (a stale length breaks the response).
  const { "content-type": _type, "content-length": _length, ...kept } = response.headers
  return HttpServerResponse.setHeaders(jsonError(response.status, bodyForStatus(response.status)), kept)
}
