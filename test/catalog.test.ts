import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { seedCatalog } from "../src/services/seed/catalog.ts"
import { makeAdmin, registerUser } from "./support/auth.ts"
import { request, TestServer, TestServerLive } from "./support/TestServer.ts"

const admin = (url: string) =>
  Effect.gen(function* () {
    const user = yield* registerUser(url)
    yield* makeAdmin(user.email)
    return user.accessToken
  })

const metric = (url: string, name: string, cache: string) =>
  Effect.promise(async () => {
    const text = await fetch(`${url}/metrics`).then((r) => r.text())
    const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && l.includes(`cache="${cache}"`))
    return line === undefined ? 0 : Number(line.split(" ").pop())
  })

const ids = (body: any): Array<number> => body.products.map((p: any) => p.id)

layer(TestServerLive(), { excludeTestServices: true })("catalog", (it) => {
  it.effect("seeds the five categories and ten sample products with exact values, idempotently", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      yield* seedCatalog
      yield* seedCatalog
      const sql = yield* SqlClient.SqlClient
      const [counts] = yield* sql<{ c: number; p: number }>`
        SELECT (SELECT count(*)::int FROM categories) AS c, (SELECT count(*)::int FROM products) AS p`
      assert.deepStrictEqual(counts, { c: 5, p: 10 })

      const iphone = yield* request(url, "/api/products/1")
      assert.strictEqual(iphone.status, 200)
      assert.match(iphone.headers.get("content-type") ?? "", /application\/json/)
      const { created_at, ...rest } = iphone.body
      assert.match(created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      assert.deepStrictEqual(rest, {
        id: 1,
        name: "iPhone 15 Pro",
        description: rest.description,
        price: 129900,
        discount_percentage: 10,
        final_price: 116910,
        category_id: 1,
        brand: "Apple",
        stock_quantity: 50,
        sku: "IPHONE15PRO",
        image_url: null,
        is_active: true,
        rating: 4.5,
        review_count: 0
      })
      const expected: Array<[string, number, number, number, string, number]> = [
        ["iPhone 15 Pro", 129900, 10, 50, "IPHONE15PRO", 4.5],
        ["Samsung Galaxy S24", 99900, 15, 75, "GALAXYS24", 4.3],
        ["Sony WH-1000XM5", 29990, 20, 100, "SONYWH1000XM5", 4.7],
        ["Levi's Men's Jeans", 2999, 30, 200, "LEVIS501", 4.2],
        ["Nike Air Max Shoes", 8999, 25, 150, "NIKEAIRMAX", 4.6],
        ["Instant Pot Duo", 6999, 15, 80, "INSTANTPOT7IN1", 4.5],
        ["Philips Air Fryer", 9999, 20, 60, "PHILIPSAIRFRYER", 4.4],
        ["Atomic Habits by James Clear", 399, 10, 500, "ATOMICHABITS", 4.8],
        ["Yoga Mat Premium", 1299, 15, 300, "YOGAMATPREM", 4.1],
        ["Dumbbells Set 10kg", 2499, 20, 120, "DUMBBELL10KG", 4.3]
      ]
      const list = yield* request(url, "/api/products?sort_by=created_at&sort_order=asc")
      assert.deepStrictEqual(
        list.body.products.map((p: any) => [p.name, p.price, p.discount_percentage, p.stock_quantity, p.sku, p.rating]),
        expected
      )
      assert.deepStrictEqual(ids(list.body), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      // Levi's: 2999 * 0.7 = 2099.3; round half up on 2 decimals happens in the database.
      assert.strictEqual(list.body.products[3].final_price, 2099.3)
      assert.deepStrictEqual(list.body.pagination, { page: 1, per_page: 20, total: 10, pages: 1 })
    })
  )

  it.effect("lists with and without a trailing slash; per_page above 100 is capped at 100", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const slash = yield* request(url, "/api/products/?per_page=3&page=2&sort_by=price&sort_order=asc")
      assert.strictEqual(slash.status, 200)
      assert.deepStrictEqual(slash.body.pagination, { page: 2, per_page: 3, total: 10, pages: 4 })
      assert.deepStrictEqual(
        slash.body.products.map((p: any) => p.price),
        [2999, 6999, 8999]
      )
      const capped = yield* request(url, "/api/products?per_page=1000")
      assert.strictEqual(capped.status, 200)
      assert.strictEqual(capped.body.pagination.per_page, 100)
      const past = yield* request(url, "/api/products?page=50")
      assert.deepStrictEqual(past.body, { products: [], pagination: { page: 50, per_page: 20, total: 10, pages: 1 } })
    })
  )

  it.effect("filters on final_price, brand and stock; sorts by every field", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const cheap = yield* request(
        url,
        "/api/products?min_price=1000&max_price=2100&sort_by=final_price&sort_order=asc"
      )
      assert.deepStrictEqual(
        cheap.body.products.map((p: any) => p.final_price),
        [1104.15, 1999.2, 2099.3]
      )
      const nike = yield* request(url, "/api/products?brand=NIKE")
      assert.deepStrictEqual(ids(nike.body), [5])
      const inStock = yield* request(url, "/api/products?in_stock=true")
      assert.strictEqual(inStock.body.pagination.total, 10)
      for (const sort of ["created_at", "price", "final_price", "name", "rating", "review_count"]) {
        const res = yield* request(url, `/api/products?sort_by=${sort}&sort_order=desc`)
        assert.strictEqual(res.status, 200, sort)
        const values = res.body.products.map((p: any) => p[sort])
        assert.deepStrictEqual(
          values,
          [...values].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)),
          sort
        )
      }
      const byRating = yield* request(url, "/api/products?sort_by=rating&sort_order=desc&per_page=3")
      assert.deepStrictEqual(ids(byRating.body), [8, 3, 5])
    })
  )

  it.effect("search: prefix, case- and accent-insensitive, over name, brand and description; ranked", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const search = (q: string, extra = "") =>
        request(url, `/api/products?search=${encodeURIComponent(q)}${extra}`).pipe(Effect.map((r) => r.body))
      assert.deepStrictEqual(ids(yield* search("iph")), [1])
      assert.deepStrictEqual(ids(yield* search("IPHONE")), [1])
      assert.deepStrictEqual(ids(yield* search("íphóne 15")), [1])
      assert.deepStrictEqual(ids(yield* search("sony wh")), [3])
      assert.deepStrictEqual(ids(yield* search("penguin")), [8])
      assert.deepStrictEqual(ids(yield* search("levi")), [4])
      assert.deepStrictEqual(ids(yield* search("cooker")), [6])
      // "air" is in two names and one description: name matches rank first.
      const air = yield* search("air", "&sort_by=relevance")
      assert.sameMembers(ids(air).slice(0, 2), [5, 7])
      for (const q of ["& | ! ( ) :*", "!!!", "iphone:* & (", "'; DROP TABLE products; --", "a\\b", "<->"]) {
        const res = yield* request(url, `/api/products?search=${encodeURIComponent(q)}`)
        assert.strictEqual(res.status, 200, q)
      }
      assert.deepStrictEqual(ids(yield* search("& | ! ( ) :*")), [])
      assert.deepStrictEqual(ids(yield* search("iphone:* & (")), [1])
    })
  )

  it.effect("bad parameters are 400 VALIDATION_ERROR naming the field, never a 500", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const cases: Array<[string, string]> = [
        ["sort_by=popularity", "sort_by"],
        ["sort_order=up", "sort_order"],
        ["min_price=-1", "min_price"],
        ["max_price=-0.5", "max_price"],
        ["min_price=500&max_price=100", "min_price"],
        ["min_price=abc", "min_price"],
        ["page=0", "page"],
        ["page=-3", "page"],
        ["page=1.5", "page"],
        ["per_page=0", "per_page"],
        ["category_id=abc", "category_id"],
        ["category_id=999999", "category_id"],
        ["in_stock=maybe", "in_stock"],
        ["sort_by=relevance", "sort_by"],
        [`search=${"x".repeat(10_000)}`, "search"]
      ]
      for (const [query, field] of cases) {
        const res = yield* request(url, `/api/products?${query}`)
        assert.strictEqual(res.status, 400, query.slice(0, 40))
        assert.strictEqual(res.body.code, "VALIDATION_ERROR", query.slice(0, 40))
        assert.include(
          res.body.details.map((d: any) => d.field),
          field,
          query.slice(0, 40)
        )
      }
      for (const path of ["/api/products/abc", "/api/products/0", "/api/products/1.5", "/api/categories/x"]) {
        const res = yield* request(url, path)
        assert.strictEqual(res.status, 400, path)
      }
      const missing = yield* request(url, "/api/products/999999")
      assert.strictEqual(missing.status, 404)
      assert.strictEqual(missing.body.code, "NOT_FOUND")
    })
  )

  it.effect("categories: flat list, nested tree, detail with children and ancestor path", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const token = yield* admin(url)
      const flat = yield* request(url, "/api/categories")
      assert.deepStrictEqual(
        flat.body.map((c: any) => c.name),
        ["Electronics", "Fashion", "Home & Kitchen", "Books", "Sports"]
      )
      assert.deepStrictEqual(Object.keys(flat.body[0]).sort(), ["description", "id", "is_active", "name", "parent_id"])
      const mobiles = yield* request(url, "/api/categories", {
        method: "POST",
        token,
        json: { name: "Mobiles", description: "Phones", parent_id: 1 }
      })
      assert.strictEqual(mobiles.status, 201)
      assert.strictEqual(mobiles.body.category.parent_id, 1)
      const phones = yield* request(url, "/api/categories/", {
        method: "POST",
        token,
        json: { name: "Smartphones", parent_id: mobiles.body.category.id }
      })
      const phonesId = phones.body.category.id
      const tree = yield* request(url, "/api/categories?tree=true")
      const electronics = tree.body.find((c: any) => c.name === "Electronics")
      assert.strictEqual(electronics.children[0].name, "Mobiles")
      assert.strictEqual(electronics.children[0].children[0].name, "Smartphones")
      assert.strictEqual(tree.body.length, 5)
      const detail = yield* request(url, `/api/categories/${phonesId}`)
      assert.deepStrictEqual(detail.body.path, [
        { id: 1, name: "Electronics" },
        { id: mobiles.body.category.id, name: "Mobiles" }
      ])
      const top = yield* request(url, "/api/categories/1")
      assert.deepStrictEqual(
        top.body.children.map((c: any) => c.name),
        ["Mobiles"]
      )
      assert.deepStrictEqual(top.body.path, [])

      // A product deep in the tree is found through every ancestor.
      const deep = yield* request(url, "/api/products", {
        method: "POST",
        token,
        json: { name: "Pixel 9", price: 79999, category_id: phonesId, sku: "PIXEL9", brand: "Google" }
      })
      assert.strictEqual(deep.status, 201)
      const byTop = yield* request(url, "/api/products?category_id=1&per_page=100")
      assert.include(ids(byTop.body), deep.body.product.id)
      assert.sameMembers(ids(byTop.body), [1, 2, 3, deep.body.product.id])
      const byLeaf = yield* request(url, `/api/products?category_id=${phonesId}`)
      assert.deepStrictEqual(ids(byLeaf.body), [deep.body.product.id])
      const byOther = yield* request(url, "/api/products?category_id=4")
      assert.deepStrictEqual(ids(byOther.body), [8])
    })
  )

  it.effect("category writes: 400 cycle or unknown parent, 409 name taken or not empty, 404, then deactivation", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const token = yield* admin(url)
      const post = (json: unknown) => request(url, "/api/categories", { method: "POST", token, json })
      const put = (id: number, json: unknown) => request(url, `/api/categories/${id}`, { method: "PUT", token, json })
      const a = (yield* post({ name: "Garden" })).body.category
      const b = (yield* post({ name: "Plants", parent_id: a.id })).body.category
      const c = (yield* post({ name: "Seeds", parent_id: b.id })).body.category

      assert.strictEqual((yield* post({ name: "garden" })).status, 409)
      assert.strictEqual((yield* post({ name: "" })).status, 400)
      assert.strictEqual((yield* post({ description: "no name" })).status, 400)
      const unknownParent = yield* post({ name: "Orphans", parent_id: 999999 })
      assert.strictEqual(unknownParent.status, 400)
      assert.strictEqual(unknownParent.body.details[0].field, "parent_id")

      const cycle = yield* put(a.id, { parent_id: c.id })
      assert.strictEqual(cycle.status, 400)
      assert.strictEqual(cycle.body.details[0].field, "parent_id")
      assert.strictEqual((yield* put(a.id, { parent_id: a.id })).status, 400)
      assert.strictEqual((yield* put(999999, { name: "Nope" })).status, 404)
      assert.strictEqual((yield* put(b.id, { name: "Electronics" })).status, 409)

      const moved = yield* put(c.id, { parent_id: a.id, description: "Seeds and bulbs" })
      assert.strictEqual(moved.status, 200)
      assert.deepStrictEqual(moved.body.category, {
        id: c.id,
        name: "Seeds",
        description: "Seeds and bulbs",
        parent_id: a.id,
        is_active: true
      })

      // Still has active children (b, c): 409; a product in c keeps c busy too.
      assert.strictEqual((yield* request(url, `/api/categories/${a.id}`, { method: "DELETE", token })).status, 409)
      const product = yield* request(url, "/api/products", {
        method: "POST",
        token,
        json: { name: "Tulip bulbs", price: 199, category_id: c.id, sku: "TULIP1" }
      })
      const busy = yield* request(url, `/api/categories/${c.id}`, { method: "DELETE", token })
      assert.strictEqual(busy.status, 409)
      assert.strictEqual(busy.body.code, "CONFLICT")
      yield* request(url, `/api/products/${product.body.product.id}`, { method: "DELETE", token })
      const done = yield* request(url, `/api/categories/${c.id}`, { method: "DELETE", token })
      assert.strictEqual(done.status, 200)
      assert.isString(done.body.message)
      assert.strictEqual((yield* request(url, `/api/categories/${c.id}`)).status, 404)
      assert.strictEqual((yield* request(url, `/api/categories/${c.id}`, { method: "DELETE", token })).status, 404)
      const flat = yield* request(url, "/api/categories")
      assert.notInclude(
        flat.body.map((x: any) => x.id),
        c.id
      )
    })
  )

  it.effect("admin routes: 401 without a token, 403 for a customer", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const customer = yield* registerUser(url)
      const body = { name: "X", price: 10, category_id: 1, sku: "X-1" }
      const routes: Array<[string, string, unknown]> = [
        ["POST", "/api/products", body],
        ["PUT", "/api/products/1", { price: 1 }],
        ["DELETE", "/api/products/1", undefined],
        ["POST", "/api/categories", { name: "Y" }],
        ["PUT", "/api/categories/1", { name: "Y" }],
        ["DELETE", "/api/categories/5", undefined]
      ]
      for (const [method, path, json] of routes) {
        const anonymous = yield* request(url, path, { method, json })
        assert.strictEqual(anonymous.status, 401, `${method} ${path}`)
        const forbidden = yield* request(url, path, { method, json, token: customer.accessToken })
        assert.strictEqual(forbidden.status, 403, `${method} ${path}`)
        assert.strictEqual(forbidden.body.code, "FORBIDDEN")
      }
      const still = yield* request(url, "/api/products/1")
      assert.strictEqual(still.body.price, 129900)
    })
  )

  it.effect("product writes: validation 400, unknown category 404, SKU taken 409 (any case), soft delete", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const token = yield* admin(url)
      const post = (json: unknown) => request(url, "/api/products", { method: "POST", token, json })
      const valid = { name: "Kindle Paperwhite", price: 13999.99, category_id: 1, sku: "KINDLE-PW" }
      const bad: Array<[unknown, string]> = [
        [{ ...valid, price: 0 }, "price"],
        [{ ...valid, price: -5 }, "price"],
        [{ ...valid, price: 1.234 }, "price"],
        [{ ...valid, price: "ten" }, "price"],
        [{ ...valid, discount_percentage: 101 }, "discount_percentage"],
        [{ ...valid, discount_percentage: -1 }, "discount_percentage"],
        [{ ...valid, stock_quantity: -1 }, "stock_quantity"],
        [{ ...valid, stock_quantity: 1.5 }, "stock_quantity"],
        [{ ...valid, name: "  " }, "name"],
        [{ price: 1, category_id: 1, sku: "Z" }, "name"],
        [{ ...valid, sku: undefined }, "sku"],
        [{ ...valid, category_id: "one" }, "category_id"]
      ]
      for (const [json, field] of bad) {
        const res = yield* post(json)
        assert.strictEqual(res.status, 400, JSON.stringify(json))
        assert.include(
          res.body.details.map((d: any) => d.field),
          field
        )
      }
      const notJson = yield* request(url, "/api/products", {
        method: "POST",
        token,
        body: "{nope",
        headers: { "content-type": "application/json" }
      })
      assert.strictEqual(notJson.status, 400)
      const unknownCategory = yield* post({ ...valid, category_id: 999999 })
      assert.strictEqual(unknownCategory.status, 404)

      const created = yield* post({ ...valid, discount_percentage: 12.5, stock_quantity: 7, brand: "Amazon" })
      assert.strictEqual(created.status, 201)
      assert.strictEqual(created.body.message.length > 0, true)
      const product = created.body.product
      // 13999.99 * 0.875 = 12249.99125 -> 12249.99
      assert.deepInclude(product, {
        price: 13999.99,
        discount_percentage: 12.5,
        final_price: 12249.99,
        stock_quantity: 7
      })
      assert.strictEqual((yield* post({ ...valid, sku: "kindle-pw" })).status, 409)
      const other = (yield* post({ ...valid, sku: "OTHER-1" })).body.product
      const clash = yield* request(url, `/api/products/${other.id}`, {
        method: "PUT",
        token,
        json: { sku: "KINDLE-pw" }
      })
      assert.strictEqual(clash.status, 409)
      assert.strictEqual(clash.body.code, "CONFLICT")
      assert.strictEqual(
        (yield* request(url, "/api/products/999999", { method: "PUT", token, json: { price: 1 } })).status,
        404
      )
      assert.strictEqual(
        (yield* request(url, `/api/products/${other.id}`, { method: "PUT", token, json: { category_id: 999999 } }))
          .status,
        404
      )
      assert.strictEqual(
        (yield* request(url, `/api/products/${other.id}`, { method: "PUT", token, json: { stock_quantity: -1 } }))
          .status,
        400
      )

      const deleted = yield* request(url, `/api/products/${product.id}`, { method: "DELETE", token })
      assert.strictEqual(deleted.status, 200)
      assert.strictEqual((yield* request(url, `/api/products/${product.id}`)).status, 404)
      assert.strictEqual((yield* request(url, `/api/products/${product.id}`, { method: "DELETE", token })).status, 404)
      const search = yield* request(url, "/api/products?search=kindle")
      assert.deepStrictEqual(ids(search.body), [other.id])
    })
  )

  it.effect("a read right after an admin write sees the write (detail, listing, search, categories)", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const token = yield* admin(url)
      // Warm every cache first.
      const before = yield* request(url, "/api/products/2")
      assert.strictEqual(before.body.price, 99900)
      yield* request(url, "/api/products?brand=samsung")
      yield* request(url, "/api/products?search=galaxy")
      yield* request(url, "/api/categories?tree=true")
      const warm = yield* request(url, "/api/products/2")
      assert.strictEqual(warm.body.price, 99900)

      const updated = yield* request(url, "/api/products/2", {
        method: "PUT",
        token,
        json: { price: 89999.5, name: "Samsung Galaxy S24 Ultra", discount_percentage: 0 }
      })
      assert.strictEqual(updated.status, 200)
      assert.strictEqual(updated.body.product.final_price, 89999.5)
      const after = yield* request(url, "/api/products/2")
      assert.strictEqual(after.body.price, 89999.5)
      assert.strictEqual(after.body.name, "Samsung Galaxy S24 Ultra")
      const listed = yield* request(url, "/api/products?brand=samsung")
      assert.strictEqual(listed.body.products[0].price, 89999.5)
      const found = yield* request(url, "/api/products?search=ultra")
      assert.deepStrictEqual(ids(found.body), [2])

      yield* request(url, "/api/categories/5", { method: "PUT", token, json: { name: "Sports & Fitness" } })
      const tree = yield* request(url, "/api/categories?tree=true")
      assert.include(
        tree.body.map((c: any) => c.name),
        "Sports & Fitness"
      )

      yield* request(url, "/api/products/2", { method: "DELETE", token })
      assert.strictEqual((yield* request(url, "/api/products/2")).status, 404)
      assert.notInclude(ids((yield* request(url, "/api/products?brand=samsung")).body), 2)
      const hits = yield* metric(url, "cache_hits_total", "product")
      assert.isAbove(hits, 0)
    })
  )

  it.effect("concurrent cold reads of one product or page run the query once (single-flight)", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const token = yield* admin(url)
      const created = yield* request(url, "/api/products", {
        method: "POST",
        token,
        json: { name: "Cold Brew Maker", price: 2499, category_id: 3, sku: "COLDBREW" }
      })
      const id = created.body.product.id
      const loadsBefore = yield* metric(url, "cache_loads_total", "product")
      const listBefore = yield* metric(url, "cache_loads_total", "product_list")
      const results = yield* Effect.all(
        Array.from({ length: 30 }, () => request(url, `/api/products/${id}`)),
        { concurrency: "unbounded" }
      )
      const pages = yield* Effect.all(
        Array.from({ length: 30 }, () => request(url, "/api/products?sort_by=name&per_page=7")),
        { concurrency: "unbounded" }
      )
      assert.isTrue(results.every((r) => r.status === 200 && r.body.name === "Cold Brew Maker"))
      assert.isTrue(pages.every((r) => r.status === 200 && r.body.products.length === 7))
      assert.strictEqual((yield* metric(url, "cache_loads_total", "product")) - loadsBefore, 1)
      assert.strictEqual((yield* metric(url, "cache_loads_total", "product_list")) - listBefore, 1)
    })
  )

  it.effect("paging through a sort with many ties returns every product exactly once", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const sql = yield* SqlClient.SqlClient
      yield* sql`
        INSERT INTO products (name, price, category_id, sku, brand, created_at)
        SELECT 'Tie ' || g, 500, 4, 'TIE-' || g, 'Tiebrand', '2026-01-01T00:00:00Z' FROM generate_series(1, 45) g`
      const token = yield* admin(url)
      // Any admin write drops the listing pages; the rows above were written behind the service's back.
      yield* request(url, "/api/products/1", { method: "PUT", token, json: {} })
      for (const sort of ["price", "created_at", "rating", "name"]) {
        for (const order of ["asc", "desc"]) {
          const seen: Array<number> = []
          for (let page = 1; page <= 5; page++) {
            const res = yield* request(
              url,
              `/api/products?brand=tiebrand&sort_by=${sort}&sort_order=${order}&per_page=10&page=${page}`
            )
            seen.push(...ids(res.body))
          }
          assert.strictEqual(seen.length, 45, `${sort} ${order}`)
          assert.strictEqual(new Set(seen).size, 45, `${sort} ${order}`)
        }
      }
    })
  )
})
