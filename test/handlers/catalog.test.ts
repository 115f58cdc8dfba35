import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { HttpApiTest } from "effect/http-api"
import type { Category, Product } from "../../src/domain/catalog.ts"
import { Conflict, Forbidden, NotFound, Unauthorized } from "../../src/domain/errors.ts"
import { Api } from "../../src/http/Api.ts"
import { CatalogHandlers } from "../../src/http/CatalogHandlers.ts"
import { Catalog, type JsonBody } from "../../src/services/Catalog.ts"
import { asCaller, AuthenticationTest } from "../support/handlerTest.ts"
import { recorder, stub } from "../support/stub.ts"

const category: Category = { id: 4, name: "Lamps", description: null, parent_id: null, is_active: true }
const product: Product = {
  id: 11,
  name: "Desk Lamp",
  description: null,
  price: 999,
  discount_percentage: 10,
  final_price: 899.1,
  category_id: 4,
  brand: "Lumo",
  stock_quantity: 5,
  sku: "LAMP-1",
  image_url: null,
  is_active: true,
  rating: 4.5,
  review_count: 2,
  created_at: "2026-11-30T12:00:00.000Z"
}
// Catalog reads are finished JSON text (what the read cache holds); the handlers send it as is.
const body = (value: unknown) => JSON.stringify(value) as JsonBody

const { calls, record } = recorder()
const CatalogStub = stub(Catalog, {
  listCategories: (tree) => record(`listCategories ${tree}`, body([category])),
  getCategory: (id) =>
    id === category.id
      ? record(`getCategory ${id}`, body({ ...category, children: [], path: [{ id: 4, name: "Lamps" }] }))
      : Effect.fail(new NotFound({ error: "Category not found" })),
  createCategory: (input) => record(`createCategory ${input.name}`, { ...category, name: input.name }),
  deactivateCategory: (id) =>
    Effect.fail(new Conflict({ error: `Category ${id} still has active products or subcategories` })),
  listProducts: (query) =>
    record(
      `listProducts ${query.search ?? ""} page ${query.page ?? 1}`,
      body({
        products: [product],
        pagination: { page: 1, per_page: 20, total: 1, pages: 1 }
      })
    ),
  getProduct: (id) =>
    id === product.id
      ? record(`getProduct ${id}`, body(product))
      : Effect.fail(new NotFound({ error: "Product not found" })),
  suggest: (query) => record(`suggest ${query.q}`, body({ suggestions: [{ type: "brand", text: "Lumo" }] })),
  updateProduct: (id, input) => record(`updateProduct ${id} ${input.price}`, { ...product, price: input.price ?? 0 }),
  deleteProduct: (id) => record(`deleteProduct ${id}`, undefined)
})

const HandlersTest = CatalogHandlers.pipe(Layer.provide(CatalogStub), Layer.provideMerge(AuthenticationTest))
const client = HttpApiTest.groups(Api, ["categories", "products"])

layer(HandlersTest)("catalog handlers, with the Catalog service swapped for a stub", (it) => {
  it.effect("reads need no token: the service's JSON text decodes as the API's schemas", () =>
    Effect.gen(function* () {
      calls.length = 0
      const { categories, products } = yield* client
      const flat = yield* categories.list({ query: {} })
      assert.deepStrictEqual(flat, [category])
      const detail = yield* categories.get({ params: { id: 4 } })
      assert.deepStrictEqual(detail.path, [{ id: 4, name: "Lamps" }])
      const page = yield* products.list({ query: { search: "lamp" } })
      assert.deepStrictEqual(page.products, [product])
      assert.deepStrictEqual(yield* products.get({ params: { id: 11 } }), product)
      const suggestions = yield* products.suggest({ query: { q: "lu" } })
      assert.deepStrictEqual(suggestions.suggestions, [{ type: "brand", text: "Lumo" }])
      assert.deepStrictEqual(calls, [
        "listCategories false",
        "getCategory 4",
        "listProducts lamp page 1",
        "getProduct 11",
        "suggest lu"
      ])
    }).pipe(Effect.provide(asCaller(undefined)))
  )

  it.effect("?tree=true asks the service for the tree", () =>
    Effect.gen(function* () {
      calls.length = 0
      const { categories } = yield* client
      yield* categories.list({ query: { tree: "true" } })
      assert.deepStrictEqual(calls, ["listCategories true"])
    }).pipe(Effect.provide(asCaller(undefined)))
  )

  it.effect("a missing product or category is the service's 404", () =>
    Effect.gen(function* () {
      const { categories, products } = yield* client
      assert.instanceOf(yield* Effect.flip(products.get({ params: { id: 12 } })), NotFound)
      assert.instanceOf(yield* Effect.flip(categories.get({ params: { id: 5 } })), NotFound)
    }).pipe(Effect.provide(asCaller(undefined)))
  )

  it.effect("an admin creates, updates and deletes, and each answer carries the service's value", () =>
    Effect.gen(function* () {
      calls.length = 0
      const { categories, products } = yield* client
      const created = yield* categories.create({ payload: { name: "Desk lamps" } })
      assert.strictEqual(created.message, "Category created successfully")
      assert.strictEqual(created.category.name, "Desk lamps")
      const updated = yield* products.update({ params: { id: 11 }, payload: { price: 1099 } })
      assert.strictEqual(updated.message, "Product updated successfully")
      assert.strictEqual(updated.product.price, 1099)
      const deleted = yield* products.delete({ params: { id: 11 } })
      assert.strictEqual(deleted.message, "Product deleted successfully")
      assert.deepStrictEqual(calls, ["createCategory Desk lamps", "updateProduct 11 1099", "deleteProduct 11"])
    }).pipe(Effect.provide(asCaller("admin-token")))
  )

  it.effect("the service's conflict reaches the admin as 409", () =>
    Effect.gen(function* () {
      const { categories } = yield* client
      const refused = yield* Effect.flip(categories.deactivate({ params: { id: 4 } }))
      assert.instanceOf(refused, Conflict)
    }).pipe(Effect.provide(asCaller("admin-token")))
  )

  it.effect("writes are for admins: a customer gets 403 before the service is asked", () =>
    Effect.gen(function* () {
      calls.length = 0
      const { products } = yield* client
      assert.instanceOf(yield* Effect.flip(products.delete({ params: { id: 11 } })), Forbidden)
      assert.deepStrictEqual(calls, [])
    }).pipe(Effect.provide(asCaller("user-token")))
  )

  it.effect("a write without a token is 401, before the service is asked", () =>
    Effect.gen(function* () {
      calls.length = 0
      const { categories } = yield* client
      assert.instanceOf(yield* Effect.flip(categories.create({ payload: { name: "Desk lamps" } })), Unauthorized)
      assert.deepStrictEqual(calls, [])
    }).pipe(Effect.provide(asCaller(undefined)))
  )
})
