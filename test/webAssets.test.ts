import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { TestServer, TestServerLive } from "./support/TestServer.ts"

// A built web app of our own, so the test does not depend on `npm run build:web` having run.
const dir = mkdtempSync(join(tmpdir(), "web-assets-"))
mkdirSync(join(dir, "assets"))
const PAGE = `<!doctype html><html><head><script type="module" src="/assets/index-0123abcd.js"></script></head><body><div id="app"></div></body></html>`
const SCRIPT = `console.log(${JSON.stringify("x".repeat(2000))})`
writeFileSync(join(dir, "index.html"), PAGE)
writeFileSync(join(dir, "assets/index-0123abcd.js"), SCRIPT)
process.env.WEB_DIST_DIR = dir

const get = (url: string, headers: Record<string, string> = {}) =>
  Effect.promise(async () => {
    const res = await fetch(url, { headers })
    return { status: res.status, headers: res.headers, text: await res.text() }
  })

layer(TestServerLive(), { excludeTestServices: true })("web assets", (it) => {
  it.effect("the page answers / and every client route, compressed as asked, revalidated each visit", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      for (const path of [
        "/",
        "/products",
        "/products/12?page=2",
        "/cart",
        "/orders/3",
        "/admin",
        "/admin/products/new"
      ]) {
        const res = yield* get(url + path, { "accept-encoding": "br, gzip" })
        assert.strictEqual(res.status, 200, path)
        assert.strictEqual(res.text, PAGE, path)
        assert.strictEqual(res.headers.get("content-encoding"), "br", path)
        assert.strictEqual(res.headers.get("cache-control"), "no-cache", path)
        assert.match(res.headers.get("content-type") ?? "", /^text\/html/)
        assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'self'/)
      }
      const gz = yield* get(url + "/", { "accept-encoding": "gzip" })
      assert.strictEqual(gz.headers.get("content-encoding"), "gzip")
      const etag = gz.headers.get("etag") ?? ""
      const again = yield* get(url + "/", { "if-none-match": etag })
      assert.strictEqual(again.status, 304)
    })
  )

  it.effect("hashed files are immutable for a year; an unknown one is a JSON 404", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const res = yield* get(url + "/assets/index-0123abcd.js", { "accept-encoding": "gzip" })
      assert.strictEqual(res.status, 200)
      assert.strictEqual(res.text, SCRIPT)
      assert.strictEqual(res.headers.get("content-encoding"), "gzip")
      assert.strictEqual(res.headers.get("cache-control"), "public, max-age=31536000, immutable")
      assert.match(res.headers.get("content-type") ?? "", /^text\/javascript/)
      const plain = yield* get(url + "/assets/index-0123abcd.js", { "accept-encoding": "identity" })
      assert.strictEqual(plain.headers.get("content-encoding"), null)
      assert.strictEqual(plain.text, SCRIPT)
      const missing = yield* get(url + "/assets/nope-00000000.js")
      assert.strictEqual(missing.status, 404)
      assert.strictEqual(JSON.parse(missing.text).code, "NOT_FOUND")
    })
  )

  it.effect("the API, docs, health and metrics are where they were", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const api = yield* get(url + "/api/products?per_page=1")
      assert.strictEqual(api.status, 200)
      assert.property(JSON.parse(api.text), "products")
      const unknown = yield* get(url + "/api/nothing")
      assert.strictEqual(unknown.status, 404)
      assert.strictEqual(JSON.parse(unknown.text).code, "NOT_FOUND")
      assert.strictEqual((yield* get(url + "/health")).status, 200)
      assert.strictEqual((yield* get(url + "/openapi.json")).status, 200)
      assert.strictEqual((yield* get(url + "/docs")).status, 200)
      assert.strictEqual((yield* get(url + "/metrics")).status, 200)
      const other = yield* get(url + "/nowhere")
      assert.strictEqual(other.status, 404)
      assert.match(other.headers.get("content-type") ?? "", /application\/json/)
    })
  )
})
