import { createHash } from "node:crypto"
import { brotliCompressSync, constants, gzipSync } from "node:zlib"
import { Effect } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { apiDocument } from "./ApiDocument.ts"

/**
 * /docs (Scalar), its script and /openapi.json, served from memory: each body
 * is compressed once (br and gzip, chosen by Accept-Encoding), carries an ETag
 * (a repeat load is a 304 of a few bytes) and Cache-Control, and nothing is
 * fetched from another host: the Scalar bundle is the one Effect ships (the
 * same HttpApiScalar inlines), served from here, with Scalar's web fonts off.
 */

interface Asset {
  readonly contentType: string
  readonly cacheControl: string
  readonly etag: string
  readonly identity: Uint8Array
  /** Compressed on first request, then kept: the Scalar bundle takes a while to brotli. */
  readonly encoded: (encoding: "br" | "gzip") => Uint8Array
}

const asset = (body: string, contentType: string, cacheControl: string): Asset => {
  const identity = new TextEncoder().encode(body)
  const cache = new Map<string, Uint8Array>()
  return {
    contentType,
    cacheControl,
    etag: `"${createHash("sha256").update(identity).digest("base64url").slice(0, 27)}"`,
    identity,
    encoded: (encoding) => {
      let bytes = cache.get(encoding)
      if (bytes === undefined) {
        bytes =
          encoding === "br"
            ? brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } })
            : gzipSync(identity, { level: 9 })
        cache.set(encoding, bytes)
      }
      return bytes
    }
  }
}

const serve = (asset: Asset) =>
  Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
    const headers = { etag: asset.etag, "cache-control": asset.cacheControl, vary: "accept-encoding" }
    const ifNoneMatch = request.headers["if-none-match"]
    if (
      ifNoneMatch !== undefined &&
      ifNoneMatch.split(",").some((tag) => tag.trim().replace(/^W\//, "") === asset.etag)
    )
      return HttpServerResponse.empty({ status: 304, headers })
    const accepted = (request.headers["accept-encoding"] ?? "").toLowerCase()
    const encoding = /\bbr\b/.test(accepted) ? "br" : /\bgzip\b/.test(accepted) ? "gzip" : undefined
    return HttpServerResponse.uint8Array(encoding === undefined ? asset.identity : asset.encoded(encoding), {
      contentType: asset.contentType,
      headers: encoding === undefined ? headers : { ...headers, "content-encoding": encoding }
    })
  })

/** Effect's copy of Scalar's standalone bundle (not an exported module: loaded by its file), read once per process. */
let scalarScript: Promise<Asset> | undefined
const scalarBundle = Effect.promise(
  () =>
    (scalarScript ??= import(new URL("./internal/httpApiScalar.js", import.meta.resolve("effect/http-api")).href).then(
      (module: { javascript: string }) =>
        asset(module.javascript, "text/javascript; charset=utf-8", "public, max-age=86400")
    ))
)

const page = (title: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title.replace(/[<>&"]/g, "")}</title>
  </head>
  <body>
    <div id="api-reference"></div>
    <script src="/docs/scalar.js"></script>
    <script>
      Scalar.createApiReference(document.getElementById("api-reference"), {
        url: "/openapi.json",
        withDefaultFonts: false,
        hideClientButton: false,
        authentication: { preferredSecurityScheme: "bearer" }
      })
    </script>
  </body>
</html>
`

/** GET /docs, /docs/scalar.js and /openapi.json. */
export const DocsLive = HttpRouter.use(
  Effect.fnUntraced(function* (router) {
    const spec = apiDocument()
    const revalidate = "public, max-age=0, must-revalidate"
    const document = asset(JSON.stringify(spec), "application/json", revalidate)
    const html = asset(page(spec.info.title), "text/html; charset=utf-8", revalidate)
    const script = yield* scalarBundle
    yield* router.add("GET", "/openapi.json", serve(document))
    yield* router.add("GET", "/docs", serve(html))
    yield* router.add("GET", "/docs/scalar.js", serve(script))
  })
)
