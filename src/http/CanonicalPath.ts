import type { HttpServerRequest } from "effect/http"
import { jsonError } from "./ErrorBody.ts"
import { pathOf } from "./RouteTable.ts"

/**
 * A path in canonical form: `/`-separated segments of lower-case letters, digits, `-` and `_`, dots
 * only inside a segment (`openapi.json`), an optional trailing slash. Anything else (upper case,
 * `//`, `;` parameters, `.`/`..` segments, any `%` escape, backslashes, absolute-form targets) is
 * refused before the router, the rate limiter, the fast path, metrics or logs read it: the router
 * would otherwise match it case-insensitively, merge slashes and drop what follows `;`, while the
 * checks around it saw another path.
 */
const CANONICAL = /^(?:\/[a-z0-9_-]+(?:\.[a-z0-9_-]+)*)*\/?$/

/** The path every part of the edge uses (trailing slash dropped), or undefined when the spelling is refused. */
export const canonicalPath = (path: string): string | undefined => {
  if (!path.startsWith("/") || !CANONICAL.test(path)) return undefined
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path
}

const AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i

/** The path of the request target as the client wrote it; for an absolute-form target, before URL parsing resolved its dot segments. */
export const clientPath = (request: HttpServerRequest.HttpServerRequest) =>
  pathOf(request.originalUrl.replace(AUTHORITY, ""))

/** The request's canonical path, or undefined when the target as written is not canonical. */
export const canonicalPathOf = (request: HttpServerRequest.HttpServerRequest): string | undefined => {
  const written = clientPath(request)
  return written === pathOf(request.url) ? canonicalPath(written) : undefined
}

export const notCanonical = jsonError(404, {
  error: "No such path: paths are lower case, with single slashes, no ';' parameters, '.' segments or '%' escapes",
  code: "NOT_FOUND"
})
