import { readFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { FetchHttpClient } from "effect/http"
import { ShopClient } from "flipkart-monolith/client"
import { NotFound } from "../src/domain/errors.ts"
import { createProduct } from "./support/shop.ts"
import { TestServer, TestServerLive } from "./support/TestServer.ts"
import { unique } from "./support/unique.ts"

const Server = TestServerLive({ rateLimitEnabled: false })

/** Every module the client pulls in (relative imports, followed; `import type` is erased and skipped). */
const moduleGraph = (entry: string) => {
  const seen = new Map<string, Array<string>>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    const source = readFileSync(file, "utf8")
    const specifiers = [...source.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+"([^"]+)"/gms)].map(
      (m) => m[1]!
    )
    seen.set(file, specifiers)
    for (const s of specifiers) if (s.startsWith(".")) visit(resolve(dirname(file), s))
  }
  visit(entry)
  return seen
}

describe("ShopClient", () => {
  it("imports nothing server-only, so a browser bundle can hold it", () => {
    const graph = moduleGraph(resolve(import.meta.dirname, "../src/client.ts"))
    const root = resolve(import.meta.dirname, "../src")
    const files = [...graph.keys()].map((f) => f.slice(root.length + 1))
    const packages = [...new Set([...graph.values()].flat().filter((s) => !s.startsWith(".")))]
    assert.deepStrictEqual(
      files.filter((f) => f.startsWith("services/") || (f.startsWith("infra/") && f !== "infra/version.ts")),
      []
    )
    assert.deepStrictEqual(
      packages.filter((p) => p !== "effect" && !p.startsWith("effect/")),
      [],
      `client modules: ${files.join(", ")}`
    )
  })
})

const lazyLayer = (options: Parameters<typeof ShopClient.makeLazy>[0]) =>
  Layer.effect(ShopClient, ShopClient.makeLazy(options)).pipe(Layer.provide(FetchHttpClient.layer))

layer(Server)("ShopClient against a running server", (it) => {
  // The same calls through both ways of building the client: all methods up front, or each on its first call.
  for (const [how, clientLayer] of [
    ["built up front", ShopClient.layer],
    ["built per method on first call", lazyLayer]
  ] as const)
    it.effect(`registers, browses, fills a cart and reads it back with the stored token (${how})`, () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        let token: string | undefined
        const productId = yield* createProduct({ stock: 5, price: 250 })
        const result = yield* Effect.gen(function* () {
          const client = yield* ShopClient
          const health = yield* client.health()
          assert.strictEqual(health.status, "healthy")
          const tag = unique()
          const registered = yield* client.auth.register({
            payload: { email: `client_${tag}@example.com`, username: `client_${tag}`, password: "password123" }
          })
          token = registered.access_token
          const product = yield* client.products.get({ params: { id: productId } })
          assert.strictEqual(product.final_price, 250)
          yield* client.cart.addToCart({ payload: { product_id: productId, quantity: 2 } })
          const cart = yield* client.cart.getCart({})
          const missing = yield* client.products.get({ params: { id: 999_999 } }).pipe(Effect.flip)
          return { cart, missing }
        }).pipe(Effect.provide(clientLayer({ baseUrl: url, accessToken: () => token })))
        assert.strictEqual(result.cart.items.length, 1)
        assert.strictEqual(result.cart.total, 500)
        assert.instanceOf(result.missing, NotFound)
        assert.strictEqual(result.missing.code, "NOT_FOUND")
      })
    )
})
