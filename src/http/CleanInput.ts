import { Effect } from "effect"
import type { HttpServerRequest, HttpServerResponse } from "effect/http"
import { fieldName, findUncleanField, isCleanString, UNCLEAN_MESSAGE } from "../domain/cleanString.ts"
import { jsonError, validationBody } from "./ErrorBody.ts"

const refuse = (where: "query" | "body", field: string) =>
  jsonError(400, validationBody(where, [{ field: field === "" ? where : field, message: UNCLEAN_MESSAGE }]))

/**
 * The clean-string rule (src/domain/cleanString.ts) on the query string, keys and values: a 400
 * naming the parameter, or undefined. NUL arrives only percent-encoded, so a query without `%` is clean.
 */
export const refuseUncleanQuery = (url: string): HttpServerResponse.HttpServerResponse | undefined => {
  const q = url.indexOf("?")
  if (q === -1 || !url.includes("%", q)) return undefined
  for (const [key, value] of new URLSearchParams(url.slice(q + 1)))
    if (!isCleanString(key) || !isCleanString(value)) return refuse("query", fieldName(key))
  return undefined
}

const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"])
// In JSON text, NUL and lone surrogates can only be written as \u escapes (raw bytes decode to U+FFFD).
const SUSPECT_ESCAPE = /\\u(?:0000|d[89a-f])/i

/**
 * The same rule on a JSON body (the HttpApi reads a body without Content-Type as JSON too): every
 * string and key, at any depth, including fields the endpoint's schema would drop. The body is
 * read here once; the API reuses the bytes.
 */
export const refuseUncleanBody = (request: HttpServerRequest.HttpServerRequest) => {
  const mediaType = (request.headers["content-type"] ?? "application/json").split(";")[0]!.trim().toLowerCase()
  if (!BODY_METHODS.has(request.method) || mediaType !== "application/json") return Effect.succeed(undefined)
  return Effect.map(request.text, (text) => {
    if (!SUSPECT_ESCAPE.test(text)) return undefined
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      return undefined // malformed: the API answers it
    }
    const field = findUncleanField(body)
    return field === undefined ? undefined : refuse("body", field)
  })
}
