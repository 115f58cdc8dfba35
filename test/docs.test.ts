import { gunzipSync } from "node:zlib"
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { TestServer, TestServerLive } from "./support/TestServer.ts"

const get = (url: string, headers: Record<string, string> = {}) =>
  Effect.promise(async () => {
    const response = await fetch(url, { headers })
    return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) }
  })

/** /docs works offline and cheaply: local script, no web fonts, compressed, ETag and Cache-Control. */
layer(TestServerLive({ rateLimitEnabled: false }))("docs", (it) => {
  it.effect("the page loads Scalar from this server and asks no other host for anything", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const page = yield* get(`${url}/docs`)
      assert.strictEqual(page.status, 200)
      const html = page.body.toString()
      assert.include(html, '<script src="/docs/scalar.js"></script>')
      assert.include(html, "withDefaultFonts: false")
      assert.notMatch(html, /https?:\/\//)
      const script = yield* get(`${url}/docs/scalar.js`)
      assert.strictEqual(script.status, 200)
      assert.include(script.body.toString(), "createApiReference")
      assert.strictEqual(script.headers.get("cache-control"), "public, max-age=86400")
    })
  )

  it.effect("the page and /openapi.json are compressed when asked, and a repeat load is a 304", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      for (const path of ["/docs", "/openapi.json", "/docs/scalar.js"]) {
        const plain = yield* get(`${url}${path}`, { "accept-encoding": "identity" })
        const gzip = yield* get(`${url}${path}`, { "accept-encoding": "gzip" })
        const br = yield* get(`${url}${path}`, { "accept-encoding": "gzip, deflate, br" })
        assert.isNull(plain.headers.get("content-encoding"))
        assert.strictEqual(gzip.headers.get("content-encoding"), "gzip", path)
        assert.strictEqual(br.headers.get("content-encoding"), "br", path)
        // fetch decodes what it asked for: the bodies are the same document.
        assert.isTrue(plain.body.equals(gzip.body) && plain.body.equals(br.body), path)
        const etag = plain.headers.get("etag")!
        assert.match(etag, /^"[\w-]+"$/)
        assert.include(gzip.headers.get("vary"), "accept-encoding")
        const again = yield* get(`${url}${path}`, { "if-none-match": etag })
        assert.strictEqual(again.status, 304, path)
        assert.strictEqual(again.body.length, 0)
      }
      const compressed = yield* Effect.promise(async () => {
        const { request } = await import("node:http")
        return new Promise<Buffer>((resolve) =>
          request(`${url}/openapi.json`, { headers: { "accept-encoding": "gzip" } }, (res) => {
            const chunks: Array<Buffer> = []
            res.on("data", (c) => chunks.push(c)).on("end", () => resolve(Buffer.concat(chunks)))
          }).end()
        )
      })
      const document = JSON.parse(gunzipSync(compressed).toString())
      assert.strictEqual(document.components.securitySchemes.bearer.scheme, "bearer")
      assert.isBelow(compressed.length, JSON.stringify(document).length / 5)
    })
  )
})
