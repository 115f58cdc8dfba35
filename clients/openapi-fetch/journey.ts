/**
 * A shopper's whole journey through a client generated from /openapi.json
 * with openapi-typescript + openapi-fetch, as a third-party developer would
 * write it. .ci/contract.sh generates `shop-openapi` (the types), type-checks
 * this file against it (a renamed field or a wrong type fails CI) and runs it:
 *
 *   node clients/openapi-fetch/journey.ts http://127.0.0.1:5000
 */
import assert from "node:assert/strict"
import createClient from "openapi-fetch"
import type { components, paths } from "shop-openapi"

type Product = components["schemas"]["Product"]

const baseUrl = process.argv[2] ?? "http://127.0.0.1:5000"
const shop = createClient<paths>({ baseUrl })
let accessToken: string | undefined
shop.use({
  onRequest: ({ request }) => {
    if (accessToken !== undefined) request.headers.set("authorization", `Bearer ${accessToken}`)
    return request
  }
})

let passed = 0
const step = async <A>(name: string, run: () => Promise<A>): Promise<A> => {
  const result = await run()
  passed++
  console.log(`ok - ${name}`)
  return result
}

const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`

await step("register", async () => {
  const { data, response } = await shop.POST("/api/auth/register", {
    body: { email: `journey_${tag}@example.com`, username: `journey_${tag}`, password: "journey-password-1" }
  })
  assert.equal(response.status, 201)
  assert.ok(data)
  assert.equal(data.user.is_admin, false)
  accessToken = data.access_token
})

const product: Product = await step("browse categories and a page of products", async () => {
  const categories = await shop.GET("/api/categories", { params: { query: { tree: "true" } } })
  assert.ok(Array.isArray(categories.data))
  const { data } = await shop.GET("/api/products", {
    params: { query: { page: 1, per_page: 5, sort_by: "price", sort_order: "asc", in_stock: "true" } }
  })
  assert.ok(data)
  assert.equal(data.pagination.per_page, 5)
  assert.ok(data.products.length > 0, "the server has products in stock (seeded)")
  return data.products[0]!
})

await step("search", async () => {
  const { data } = await shop.GET("/api/products", { params: { query: { search: product.name.slice(0, 4) } } })
  assert.ok(data)
  assert.ok(data.products.some((p) => p.id === product.id))
  const detail = await shop.GET("/api/products/{id}", { params: { path: { id: product.id } } })
  assert.equal(detail.data?.final_price, product.final_price)
})

await step("add to cart", async () => {
  const { data, response } = await shop.POST("/api/cart/add", { body: { product_id: product.id, quantity: 1 } })
  assert.equal(response.status, 201)
  assert.equal(data?.item.quantity, 1)
  const cart = await shop.GET("/api/cart")
  assert.equal(cart.data?.item_count, 1)
  assert.equal(cart.data?.total, product.final_price)
})

const addressId: number = await step("add an address", async () => {
  const { data, response } = await shop.POST("/api/users/addresses", {
    body: { street: "1 Journey Road", city: "Pune", state: "Maharashtra", pincode: "411001" }
  })
  assert.equal(response.status, 201)
  assert.ok(data)
  assert.equal(data.address.is_default, true)
  return data.address.id
})

const orderId: number = await step("check out with an Idempotency-Key, and retry", async () => {
  const key = `journey-${tag}`
  const place = () =>
    shop.POST("/api/orders", {
      params: { header: { "idempotency-key": key } },
      body: { address_id: addressId, payment_method: "UPI" }
    })
  const first = await place()
  assert.equal(first.response.status, 201)
  assert.ok(first.data)
  assert.equal(first.data.order.status, "pending")
  assert.equal(first.data.order.total_amount, product.final_price)
  const retry = await place()
  assert.equal(retry.response.headers.get("idempotent-replayed"), "true")
  assert.equal(retry.data?.order.id, first.data.order.id)
  return first.data.order.id
})

await step("track the order", async () => {
  const { data } = await shop.GET("/api/orders/{id}/tracking", { params: { path: { id: orderId } } })
  assert.equal(data?.status, "pending")
  assert.equal(data?.history[0]?.status, "pending")
})

await step("cancel the order", async () => {
  const { data } = await shop.POST("/api/orders/{id}/cancel", { params: { path: { id: orderId } } })
  assert.equal(data?.order.status, "cancelled")
  const again = await shop.POST("/api/orders/{id}/cancel", { params: { path: { id: orderId } } })
  assert.equal(again.response.status, 400)
  assert.equal(again.error?.code, "ORDER_NOT_CANCELLABLE")
})

await step("review the product", async () => {
  const { data, response } = await shop.POST("/api/products/{id}/reviews", {
    params: { path: { id: product.id } },
    body: { rating: 4, title: "Good", comment: "Arrived quickly." }
  })
  assert.equal(response.status, 201)
  assert.equal(data?.review.verified_purchase, false)
  const list = await shop.GET("/api/products/{id}/reviews", {
    params: { path: { id: product.id }, query: { per_page: 50 } }
  })
  assert.ok(list.data?.reviews.some((r) => r.id === data?.review.id))
})

console.log(`journey: ${passed} passed, 0 failed`)
