import { assert, describe, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { priceBounds } from "../src/services/catalog/Listing.ts"
import { editDistance, maxEdits, singularOf } from "../src/services/catalog/Search.ts"
import { nameTokens } from "../src/services/catalog/Suggestions.ts"
import { seedCatalog, seedSyntheticProducts } from "../src/services/seed/catalog.ts"
import { makeAdmin, registerUser } from "./support/auth.ts"
import { request, TestServer, TestServerLive } from "./support/TestServer.ts"

const ALL_FACETS = "facets=brand,category,price,rating,in_stock"

const get = (url: string, query: string) =>
  Effect.map(request(url, `/api/products?${query}`), (res) => {
    assert.strictEqual(res.status, 200, `${query}: ${JSON.stringify(res.body)}`)
    return res.body
  })
const totalOf = (url: string, query: string) => Effect.map(get(url, query), (body) => body.pagination.total as number)

/** `base` with `param` replaced (or added, or removed when value is null). */
const withParam = (base: string, param: string, value: string | null) => {
  const params = new URLSearchParams(base)
  if (value === null) params.delete(param)
  else params.set(param, value)
  return params.toString()
}

layer(TestServerLive(), { excludeTestServices: true, timeout: 180_000 })("search, facets and suggestions", (it) => {
  it.effect(
    "facet counts equal the totals of the listings they lead to, with their own filter left out",
    () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        yield* seedCatalog
        yield* seedSyntheticProducts(1500)
        const cases = [
          "",
          "search=shoes",
          "search=samsung phone",
          "category_id=1",
          "category_id=2&brand=Nike,Puma",
          "search=black&min_rating=4&in_stock=true",
          "brand=Apple,Samsung,Sony&min_price=1000&max_price=60000",
          "category_id=5&in_stock=true&min_rating=3.5"
        ]
        for (const base of cases) {
          const body = yield* get(url, `${base}&${ALL_FACETS}&per_page=1`)
          const facets = body.facets
          // Brands: each count is the listing with only that brand; all of them (fewer than 20 here) add up to
          // the listing without a brand filter, less products that have no brand.
          const withoutBrand = yield* totalOf(url, withParam(base, "brand", null))
          let brandSum = 0
          for (const b of facets.brand) {
            assert.strictEqual(
              yield* totalOf(url, withParam(base, "brand", b.value)),
              b.count,
              `${base} brand ${b.value}`
            )
            brandSum += b.count
          }
          if (facets.brand.length < 20) assert.strictEqual(brandSum, withoutBrand, `${base} brands add up`)
          for (const c of facets.category)
            assert.strictEqual(
              yield* totalOf(url, withParam(base, "category_id", String(c.id))),
              c.count,
              `${base} ${c.name}`
            )
          // Price ranges are adjacent, min and max inclusive, and add up to the listing without a price filter.
          const withoutPrice = withParam(withParam(base, "min_price", null), "max_price", null)
          let priceSum = 0
          for (const p of facets.price) {
            const range = withParam(withParam(withoutPrice, "min_price", String(p.min)), "max_price", String(p.max))
            assert.strictEqual(yield* totalOf(url, range), p.count, `${base} price ${p.min}-${p.max}`)
            priceSum += p.count
          }
          assert.strictEqual(priceSum, yield* totalOf(url, withoutPrice), `${base} prices add up`)
          for (const r of facets.rating)
            assert.strictEqual(
              yield* totalOf(url, withParam(base, "min_rating", String(r.min))),
              r.count,
              `${base} ${r.min}+`
            )
          assert.strictEqual(yield* totalOf(url, withParam(base, "in_stock", "true")), facets.in_stock.count, base)
          assert.strictEqual(body.pagination.total, yield* totalOf(url, base), `${base} total`)
        }
        // Only the facets asked for, and none without the parameter.
        const some = yield* get(url, "facets=brand,rating")
        assert.deepStrictEqual(Object.keys(some.facets).sort(), ["brand", "rating"])
        assert.isUndefined((yield* get(url, "")).facets)
      }),
    180_000
  )

  it.effect("did you mean: a search that finds nothing offers a corrected one that finds something", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const none = yield* get(url, "search=sny%20headphones")
      assert.strictEqual(none.pagination.total, 0)
      assert.strictEqual(none.suggestion, "sony headphones")
      assert.isAbove(yield* totalOf(url, `search=${encodeURIComponent(none.suggestion)}`), 0)
      // No suggestion when there are results, or when nothing close exists.
      assert.isUndefined((yield* get(url, "search=sony")).suggestion)
      const nothing = yield* get(url, "search=qqqxzv")
      assert.strictEqual(nothing.pagination.total, 0)
      assert.isUndefined(nothing.suggestion)
    })
  )

  it.effect("suggestions: brands, categories and products for a prefix or a partial word, ranked", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const suggest = (q: string, extra = "") =>
        Effect.map(request(url, `/api/products/suggest?q=${encodeURIComponent(q)}${extra}`), (res) => {
          assert.strictEqual(res.status, 200, q)
          return res.body.suggestions as Array<{ type: string; text: string; id?: number }>
        })
      const iph = yield* suggest("iph")
      assert.isTrue(iph.some((s) => s.type === "product" && s.id === 1))
      assert.isTrue(iph.every((s) => s.type !== "product" || /iphone/i.test(s.text)))
      const sam = yield* suggest("sam")
      assert.deepStrictEqual(sam[0], { type: "brand", text: "Samsung" })
      assert.isTrue(sam.some((s) => s.type === "product"))
      const headphones = yield* suggest("headph")
      assert.isTrue(headphones.some((s) => s.type === "category" && s.text === "Headphones"))
      // A partial word inside a name: "martph" in smartphone.
      const inside = yield* suggest("martph")
      assert.isTrue(inside.some((s) => s.type === "product" && /smartphone/i.test(s.text)))
      assert.isTrue(inside.some((s) => s.type === "category" && s.text === "Smartphones"))
      assert.isAtMost((yield* suggest("a", "&limit=3")).length, 3)
      assert.deepStrictEqual(yield* suggest(""), [])
      assert.deepStrictEqual(yield* suggest("   "), [])
      assert.deepStrictEqual(yield* suggest("qqqxzv"), [])
      assert.deepStrictEqual(yield* suggest("&|!:*'"), [])
      for (const bad of ["limit=0", "limit=21", "limit=abc", `q=${"x".repeat(201)}`, "q=a%00b"]) {
        const res = yield* request(url, `/api/products/suggest?${bad}`)
        assert.strictEqual(res.status, 400, bad)
        assert.strictEqual(res.body.code, "VALIDATION_ERROR", bad)
      }
    })
  )

  it.effect("hostile searches: a 400 naming the field or a normal result, never a 500", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const all = yield* totalOf(url, "")
      // Empty or whitespace: no search at all.
      assert.strictEqual(yield* totalOf(url, "search="), all)
      assert.strictEqual(yield* totalOf(url, "search=%20%20%09"), all)
      const normal = [
        "&|!():*'<->",
        "'; DROP TABLE products; --",
        "iphone:* & (",
        "\\\\",
        "%25_%25",
        Array.from({ length: 99 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(" "),
        "a".repeat(200),
        "🙂 ünïcödé ß 电话"
      ]
      for (const q of normal) {
        const res = yield* request(url, `/api/products?search=${encodeURIComponent(q)}&${ALL_FACETS}`)
        assert.strictEqual(res.status, 200, q.slice(0, 40))
      }
      assert.strictEqual(yield* totalOf(url, `search=${encodeURIComponent("&|!():*'")}`), 0)
      const bad: Array<[string, string]> = [
        [`search=${"a".repeat(201)}`, "search"],
        [`search=${encodeURIComponent("word ".repeat(2000))}`, "search"],
        ["search=a%00b", "search"],
        ["facets=brand,colour", "facets"],
        ["facets=price;drop", "facets"],
        ["min_rating=6", "min_rating"],
        ["min_rating=-1", "min_rating"],
        ["min_rating=four", "min_rating"],
        [`brand=${Array.from({ length: 21 }, (_, i) => `b${i}`).join(",")}`, "brand"],
        ["brand=a%00", "brand"]
      ]
      for (const [query, field] of bad) {
        const res = yield* request(url, `/api/products?${query}`)
        assert.strictEqual(res.status, 400, query.slice(0, 40))
        assert.strictEqual(res.body.code, "VALIDATION_ERROR", query.slice(0, 40))
        assert.strictEqual(res.body.details?.[0]?.field, field, query.slice(0, 40))
      }
    })
  )

  it.effect("new words are searchable at once: a new product, a renamed category", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const sql = yield* SqlClient.SqlClient
      const user = yield* registerUser(url)
      yield* makeAdmin(user.email)
      const created = yield* request(url, "/api/products", {
        method: "POST",
        token: user.accessToken,
        json: { name: "Zorbulator X-900 Blender", price: 4999, category_id: 3, sku: "ZORB-X900", brand: "Zorbco" }
      })
      assert.strictEqual(created.status, 201)
      const id = created.body.product.id
      for (const q of ["zorbulator", "zorbulatr", "x900", "zorb", "bulator"])
        assert.include(
          (yield* get(url, `search=${q}`)).products.map((p: any) => p.id),
          id,
          q
        )
      const [category] = yield* sql<{ id: number }>`SELECT id FROM categories WHERE name = 'Books'`
      const renamed = yield* request(url, `/api/categories/${category!.id}`, {
        method: "PUT",
        token: user.accessToken,
        json: { name: "Bookshelf Reads" }
      })
      assert.strictEqual(renamed.status, 200)
      assert.include(
        (yield* get(url, "search=bookshelf%20james%20clear")).products.map((p: any) => p.id),
        8
      )
    })
  )
})

describe("search helpers", () => {
  it("edit distance counts a swap of two letters as one edit", () => {
    assert.strictEqual(editDistance("samsnug", "samsung", 2), 1)
    assert.strictEqual(editDistance("dumbell", "dumbbell", 2), 1)
    assert.strictEqual(editDistance("headphnes", "headphones", 2), 1)
    assert.strictEqual(editDistance("abc", "xyz", 1), 2)
    assert.deepStrictEqual([3, 4, 5, 6, 9].map(maxEdits), [0, 1, 1, 2, 2])
  })
  it("a plural's singular, not for codes or -ss words", () => {
    assert.strictEqual(singularOf("phones"), "phone")
    assert.strictEqual(singularOf("shoes"), "shoe")
    assert.isNull(singularOf("glass"))
    assert.isNull(singularOf("bus"))
    assert.isNull(singularOf("s24s"))
  })
  it("price ranges: round lower ends, growing steps over orders of magnitude", () => {
    assert.deepStrictEqual(priceBounds(100, 900), [0, 200, 400, 600, 800])
    assert.deepStrictEqual(priceBounds(399, 129900), [0, 1000, 2500, 10000, 25000])
    assert.deepStrictEqual(priceBounds(500, 500), [500])
  })
  it("suggestion tokens split like the database: accents off, apostrophes dropped", () => {
    assert.deepStrictEqual(nameTokens("Levi's Men's Jeans"), ["levis", "mens", "jeans"])
    assert.deepStrictEqual(nameTokens("Sony WH-1000XM5"), ["sony", "wh", "1000xm5"])
    assert.deepStrictEqual(nameTokens("Café Élite"), ["cafe", "elite"])
  })
})
