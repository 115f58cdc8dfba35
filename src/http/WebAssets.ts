import { createHash } from "node:crypto"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { extname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { brotliCompressSync, constants as zlib, gzipSync } from "node:zlib"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"

/**
 * The storefront and admin console built by Vite (src/web -> dist/web), served
 * by the shop itself: hashed files under /assets for a year (immutable), the
 * page itself revalidated on every visit, each compressed once with brotli and
 * gzip and sent as the browser asks. Client-side routes all answer the page.
 */

export const DEFAULT_WEB_DIR = fileURLToPath(new URL("../../dist/web", import.meta.url))

/** Paths the web app routes itself (see src/web/main.tsx); with the router's ignoreTrailingSlash, "/x/*" also takes "/x". */
export const CLIENT_ROUTES = [
  "/",
  "/products/*",
  "/cart",
  "/signin",
  "/register",
  "/account/*",
  "/checkout",
  "/orders/*",
  "/admin/*"
] as const

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".json": "application/json"
}

interface Asset {
  readonly type: string
  readonly etag: string
  readonly identity: Uint8Array
  readonly gzip: Uint8Array
  readonly br: Uint8Array
}

const readAsset = (file: string): Asset => {
  const identity = readFileSync(file)
  // The build writes .br/.gz beside each file at the highest levels; compress here only if they are missing.
  const pre = (ext: string, make: () => Uint8Array) => (existsSync(file + ext) ? readFileSync(file + ext) : make())
  return {
    type: TYPES[extname(file)] ?? "application/octet-stream",
    etag: `"${createHash("sha256").update(identity).digest("base64url").slice(0, 22)}"`,
    identity,
    gzip: pre(".gz", () => gzipSync(identity, { level: 9 })),
    br: pre(".br", () => brotliCompressSync(identity, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } }))
  }
}

/** The built files: `index` is the page, `assets` maps "/assets/<name>" to its file. */
export const loadWebAssets = (dir: string) => {
  if (!existsSync(join(dir, "index.html"))) return undefined
  const assets = new Map<string, Asset>()
  const assetDir = join(dir, "assets")
  if (existsSync(assetDir))
    for (const name of readdirSync(assetDir)) {
      if (name.endsWith(".gz") || name.endsWith(".br")) continue
      assets.set(`/assets/${name}`, readAsset(join(assetDir, name)))
    }
  return { index: readAsset(join(dir, "index.html")), assets }
}

const IMMUTABLE = "public, max-age=31536000, immutable"

// The page runs only its own scripts and talks only to this origin; product images may come from any https host.
const PAGE_HEADERS = {
  "cache-control": "no-cache",
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY"
}

const respond = (request: HttpServerRequest.HttpServerRequest, asset: Asset, headers: Record<string, string>) => {
  const common = { ...headers, etag: asset.etag, vary: "accept-encoding" }
  if (request.headers["if-none-match"] === asset.etag) return HttpServerResponse.empty({ status: 304, headers: common })
  const accept = request.headers["accept-encoding"] ?? ""
  const [body, encoding] = /\bbr\b(?!;q=0(\.0*)?\b)/.test(accept)
    ? [asset.br, "br"]
    : /\bgzip\b(?!;q=0(\.0*)?\b)/.test(accept)
      ? [asset.gzip, "gzip"]
      : [asset.identity, undefined]
  return HttpServerResponse.uint8Array(body, {
    contentType: asset.type,
    headers: encoding ? { ...common, "content-encoding": encoding } : common
  })
}

const notBuilt = HttpServerResponse.jsonUnsafe(
  { error: "The web UI has not been built: run `npm run build:web`", code: "SERVICE_UNAVAILABLE" },
  { status: 503, headers: { "retry-after": "60" } }
)

/** The web app's routes, from the files in `dir` (read once, at start-up). */
export const webAssetsLayer = (dir: string) =>
  HttpRouter.use(
    Effect.fnUntraced(function* (router) {
      const web = loadWebAssets(dir)
      const page = (request: HttpServerRequest.HttpServerRequest) =>
        Effect.succeed(web ? respond(request, web.index, PAGE_HEADERS) : notBuilt)
      for (const path of CLIENT_ROUTES) yield* router.add("GET", path, page)
      yield* router.add("GET", "/assets/*", (request: HttpServerRequest.HttpServerRequest) => {
        const path = request.url.split("?")[0] ?? ""
        const asset = web?.assets.get(path)
        return Effect.succeed(
          asset
            ? respond(request, asset, { "cache-control": IMMUTABLE, "x-content-type-options": "nosniff" })
            : HttpServerResponse.jsonUnsafe({ error: `No file ${path}`, code: "NOT_FOUND" }, { status: 404 })
        )
      })
    })
  )

export const WebAssetsLive = Layer.suspend(() => webAssetsLayer(process.env.WEB_DIST_DIR ?? DEFAULT_WEB_DIR))
