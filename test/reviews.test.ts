import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { makeAdmin, registerUser } from "./support/auth.ts"
import { addToCart, type Buyer, createBuyers, createProduct, placeOrder } from "./support/shop.ts"
import { request, TestServer, TestServerLive } from "./support/TestServer.ts"

const Server = TestServerLive({ rateLimitEnabled: false })

const reviewsPath = (productId: number | string) => `/api/products/${productId}/reviews`

const postReview = (url: string, token: string, productId: number | string, json: unknown) =>
  request(url, reviewsPath(productId), { method: "POST", token, json })

const putReview = (url: string, token: string, productId: number | string, reviewId: number | string, json: unknown) =>
  request(url, `${reviewsPath(productId)}/${reviewId}`, { method: "PUT", token, json })

const deleteReview = (url: string, token: string, productId: number | string, reviewId: number | string) =>
  request(url, `${reviewsPath(productId)}/${reviewId}`, { method: "DELETE", token })

/** rating and review_count as the public product detail shows them (through the catalog cache). */
const shownAggregates = (url: string, productId: number) =>
  Effect.map(request(url, `/api/products/${productId}`), (res) => ({
    rating: res.body.rating as number,
    review_count: res.body.review_count as number
  }))

/** rating and review_count as stored, and what the reviews table says they must be. */
const storedAggregates = (productId: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ rating: number; review_count: number; mean: number; n: number }>`
      SELECT p.rating::float8 AS rating, p.review_count,
             coalesce(round(avg(r.rating), 2), 0)::float8 AS mean, count(r.id)::int AS n
      FROM products p LEFT JOIN reviews r ON r.product_id = p.id
      WHERE p.id = ${productId} GROUP BY p.id`
    return row!
  }).pipe(Effect.orDie)

const reviewCount = (productId: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM reviews WHERE product_id = ${productId}`
    return row!.n
  }).pipe(Effect.orDie)

/** Places an order for the product and has the admin move it pending → confirmed → shipped → delivered. */
const deliver = (url: string, adminToken: string, buyer: Buyer, productId: number) =>
  Effect.gen(function* () {
    yield* addToCart(url, buyer.token, productId, 1)
    const order = (yield* placeOrder(url, buyer)).body.order
    for (const status of ["confirmed", "shipped", "delivered"]) {
      const res = yield* request(url, `/api/orders/${order.id}/status`, {
        method: "PUT",
        token: adminToken,
        json: { status }
      })
      assert.strictEqual(res.status, 200, status)
    }
    return order.id as number
  })

describe("reviews", () => {
  layer(Server, { excludeTestServices: true })("writing and reading", (it) => {
    it.effect("create, list, update and delete; rating and review_count follow at once in the product detail", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const john = yield* registerUser(url)
        const jane = yield* registerUser(url)
        const product = yield* createProduct({ stock: 10 })
        // fills the catalog cache: every later read must see the review changes anyway
        assert.deepStrictEqual(yield* shownAggregates(url, product), { rating: 0, review_count: 0 })

        const created = yield* postReview(url, john.accessToken, product, {
          rating: 4,
          title: "  Solid phone ",
          comment: "Battery lasts two days."
        })
        assert.strictEqual(created.status, 201)
        assert.strictEqual(created.body.message, "Review added successfully")
        const review = created.body.review
        assert.deepStrictEqual(Object.keys(review).sort(), [
          "comment",
          "created_at",
          "id",
          "rating",
          "title",
          "user",
          "verified_purchase"
        ])
        assert.deepStrictEqual(review.user, { id: john.id, username: john.username })
        assert.strictEqual(review.rating, 4)
        assert.strictEqual(review.title, "Solid phone")
        assert.strictEqual(review.comment, "Battery lasts two days.")
        assert.isFalse(review.verified_purchase)
        assert.match(review.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
        assert.deepStrictEqual(yield* shownAggregates(url, product), { rating: 4, review_count: 1 })

        const second = yield* postReview(url, jane.accessToken, product, { rating: 5 })
        assert.strictEqual(second.status, 201)
        assert.isNull(second.body.review.title)
        assert.isNull(second.body.review.comment)
        assert.deepStrictEqual(yield* shownAggregates(url, product), { rating: 4.5, review_count: 2 })

        const list = yield* request(url, reviewsPath(product))
        assert.strictEqual(list.status, 200)
        assert.deepStrictEqual(
          list.body.reviews.map((r: any) => r.id),
          [second.body.review.id, review.id]
        )
        assert.deepStrictEqual(list.body.reviews[1], review)
        assert.deepStrictEqual(list.body.pagination, { page: 1, per_page: 10, total: 2, pages: 1 })
        assert.deepStrictEqual((yield* request(url, `${reviewsPath(product)}/`)).body, list.body)

        const again = yield* postReview(url, john.accessToken, product, { rating: 1 })
        assert.strictEqual(again.status, 409)
        assert.strictEqual(again.body.code, "CONFLICT")
        assert.strictEqual(yield* reviewCount(product), 2)

        const edited = yield* putReview(url, john.accessToken, product, review.id, { rating: 1, title: null })
        assert.strictEqual(edited.status, 200)
        assert.strictEqual(edited.body.message, "Review updated successfully")
        assert.deepStrictEqual(edited.body.review, { ...review, rating: 1, title: null })
        assert.deepStrictEqual(yield* shownAggregates(url, product), { rating: 3, review_count: 2 })
        const commentOnly = yield* putReview(url, john.accessToken, product, review.id, { comment: "Changed my mind" })
        assert.strictEqual(commentOnly.body.review.comment, "Changed my mind")
        assert.strictEqual(commentOnly.body.review.rating, 1)
        const empty = yield* putReview(url, john.accessToken, product, review.id, {})
        assert.strictEqual(empty.status, 400)
        assert.strictEqual(empty.body.code, "VALIDATION_ERROR")

        const deleted = yield* deleteReview(url, john.accessToken, product, review.id)
        assert.strictEqual(deleted.status, 200)
        assert.deepStrictEqual(deleted.body, { message: "Review deleted successfully" })
        assert.deepStrictEqual(yield* shownAggregates(url, product), { rating: 5, review_count: 1 })
        assert.strictEqual((yield* deleteReview(url, john.accessToken, product, review.id)).status, 404)
        assert.strictEqual((yield* request(url, reviewsPath(product))).body.pagination.total, 1)

        // with its author gone from the table, john may review again
        assert.strictEqual((yield* postReview(url, john.accessToken, product, { rating: 3 })).status, 201)
        assert.deepStrictEqual(yield* shownAggregates(url, product), { rating: 4, review_count: 2 })
      })
    )

    it.effect("the mean is rounded to 2 decimals; listings sorted by rating see the new figures", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const buyers = yield* createBuyers(3)
        const product = yield* createProduct({ stock: 10, name: "Roundingtest Speaker" })
        const listing = () =>
          Effect.map(request(url, "/api/products?search=roundingtest&sort_by=rating"), (res) => res.body.products[0])
        assert.strictEqual((yield* listing()).rating, 0)
        for (const [i, rating] of [5, 4, 4].entries()) {
          assert.strictEqual((yield* postReview(url, buyers[i]!.token, product, { rating })).status, 201)
        }
        assert.deepStrictEqual(yield* shownAggregates(url, product), { rating: 4.33, review_count: 3 })
        assert.strictEqual((yield* listing()).rating, 4.33)
        assert.strictEqual((yield* listing()).review_count, 3)
        const mine = (yield* request(url, reviewsPath(product))).body.reviews.find(
          (r: any) => r.user.id === buyers[1]!.id
        )
        yield* putReview(url, buyers[1]!.token, product, mine.id, { rating: 5 })
        assert.deepStrictEqual(yield* shownAggregates(url, product), { rating: 4.67, review_count: 3 })
        assert.strictEqual((yield* listing()).rating, 4.67)
      })
    )

    it.effect("a seeded rating stands until the first real review replaces it; no review left means 0", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const sql = yield* SqlClient.SqlClient
        const [buyer] = yield* createBuyers(1)
        const product = yield* createProduct({ stock: 10 })
        yield* sql`UPDATE products SET rating = 4.7, review_count = 0 WHERE id = ${product}`
        assert.deepStrictEqual(yield* shownAggregates(url, product), { rating: 4.7, review_count: 0 })
        const created = yield* postReview(url, buyer!.token, product, { rating: 2 })
        assert.deepStrictEqual(yield* shownAggregates(url, product), { rating: 2, review_count: 1 })
        yield* deleteReview(url, buyer!.token, product, created.body.review.id)
        assert.deepStrictEqual(yield* shownAggregates(url, product), { rating: 0, review_count: 0 })
      })
    )

    it.effect("pagination, ?verified=, sort_by=rating with sort_order; ties broken by id", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const admin = yield* registerUser(url)
        yield* makeAdmin(admin.email)
        const buyers = yield* createBuyers(5)
        const product = yield* createProduct({ stock: 10 })
        yield* deliver(url, admin.accessToken, buyers[0]!, product)
        yield* deliver(url, admin.accessToken, buyers[3]!, product)
        const ids: Array<number> = []
        for (const [i, rating] of [3, 5, 3, 1, 5].entries()) {
          ids.push((yield* postReview(url, buyers[i]!.token, product, { rating })).body.review.id)
        }
        const list = (query: string) =>
          Effect.map(request(url, `${reviewsPath(product)}?${query}`), (res) => {
            assert.strictEqual(res.status, 200, query)
            return res.body
          })

        const newest = yield* list("")
        assert.deepStrictEqual(
          newest.reviews.map((r: any) => r.id),
          [...ids].reverse()
        )
        const oldest = yield* list("sort_order=asc")
        assert.deepStrictEqual(
          oldest.reviews.map((r: any) => r.id),
          ids
        )
        const byRating = yield* list("sort_by=rating")
        assert.deepStrictEqual(
          byRating.reviews.map((r: any) => r.id),
          [ids[4], ids[1], ids[2], ids[0], ids[3]]
        )
        const byRatingAsc = yield* list("sort_by=rating&sort_order=asc")
        assert.deepStrictEqual(
          byRatingAsc.reviews.map((r: any) => r.id),
          [ids[3], ids[0], ids[2], ids[1], ids[4]]
        )
        const pages = [
          ...(yield* list("sort_by=rating&per_page=2&page=1")).reviews,
          ...(yield* list("sort_by=rating&per_page=2&page=2")).reviews,
          ...(yield* list("sort_by=rating&per_page=2&page=3")).reviews
        ]
        assert.deepStrictEqual(
          pages.map((r: any) => r.id),
          byRating.reviews.map((r: any) => r.id)
        )
        assert.deepStrictEqual((yield* list("per_page=2&page=3")).pagination, {
          page: 3,
          per_page: 2,
          total: 5,
          pages: 3
        })
        assert.deepStrictEqual((yield* list("page=9")).reviews, [])

        const verified = yield* list("verified=true")
        assert.deepStrictEqual(
          verified.reviews.map((r: any) => r.id),
          [ids[3], ids[0]]
        )
        assert.isTrue(verified.reviews.every((r: any) => r.verified_purchase))
        assert.strictEqual(verified.pagination.total, 2)
        const unverified = yield* list("verified=false&sort_by=rating&sort_order=desc")
        assert.deepStrictEqual(
          unverified.reviews.map((r: any) => r.id),
          [ids[4], ids[1], ids[2]]
        )
        assert.strictEqual((yield* list("per_page=1000")).pagination.per_page, 100)
      })
    )
  })

  layer(Server, { excludeTestServices: true })("verified purchases", (it) => {
    it.effect("verified_purchase is true only once an order containing the product is delivered", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const sql = yield* SqlClient.SqlClient
        const admin = yield* registerUser(url)
        yield* makeAdmin(admin.email)
        const [buyer, browser, other] = yield* createBuyers(3)
        const product = yield* createProduct({ stock: 10 })
        const elsewhere = yield* createProduct({ stock: 10 })

        // an order that is placed but not delivered does not count
        yield* addToCart(url, buyer!.token, product, 1)
        const order = (yield* placeOrder(url, buyer!)).body.order
        const early = yield* postReview(url, buyer!.token, product, { rating: 4 })
        assert.isFalse(early.body.review.verified_purchase)
        yield* deleteReview(url, buyer!.token, product, early.body.review.id)
        for (const status of ["confirmed", "shipped"]) {
          yield* request(url, `/api/orders/${order.id}/status`, {
            method: "PUT",
            token: admin.accessToken,
            json: { status }
          })
        }
        const shipped = yield* postReview(url, buyer!.token, product, { rating: 4 })
        assert.isFalse(shipped.body.review.verified_purchase)
        yield* deleteReview(url, buyer!.token, product, shipped.body.review.id)
        yield* request(url, `/api/orders/${order.id}/status`, {
          method: "PUT",
          token: admin.accessToken,
          json: { status: "delivered" }
        })
        const delivered = yield* postReview(url, buyer!.token, product, { rating: 4 })
        assert.isTrue(delivered.body.review.verified_purchase)
        const [stored] = yield* sql<{ verified_purchase: boolean }>`
          SELECT verified_purchase FROM reviews WHERE id = ${delivered.body.review.id}`
        assert.isTrue(stored!.verified_purchase)

        // never bought it; bought only something else
        assert.isFalse((yield* postReview(url, browser!.token, product, { rating: 2 })).body.review.verified_purchase)
        yield* deliver(url, admin.accessToken, other!, elsewhere)
        const notThis = yield* postReview(url, other!.token, product, { rating: 3 })
        assert.isFalse(notThis.body.review.verified_purchase)

        // it is computed again whenever the review is written
        yield* deliver(url, admin.accessToken, other!, product)
        const edited = yield* putReview(url, other!.token, product, notThis.body.review.id, { rating: 5 })
        assert.isTrue(edited.body.review.verified_purchase)
      })
    )
  })

  layer(Server, { excludeTestServices: true })("bad input and access", (it) => {
    it.effect("bad ratings, long texts, bad ids and unknown or inactive products: 400/404, nothing written", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const sql = yield* SqlClient.SqlClient
        const [buyer] = yield* createBuyers(1)
        const product = yield* createProduct({ stock: 10 })
        const inactive = yield* createProduct({ stock: 10 })
        yield* sql`UPDATE products SET is_active = false WHERE id = ${inactive}`

        const cases: Array<[unknown, string]> = [
          [{ rating: 0 }, "rating"],
          [{ rating: 6 }, "rating"],
          [{ rating: 4.5 }, "rating"],
          [{ rating: "five" }, "rating"],
          [{ rating: null }, "rating"],
          [{}, "rating"],
          [{ rating: 5, title: "x".repeat(201) }, "title"],
          [{ rating: 5, comment: "x".repeat(5001) }, "comment"],
          [{ rating: 5, title: 42 }, "title"]
        ]
        for (const [json, field] of cases) {
          const res = yield* postReview(url, buyer!.token, product, json)
          assert.strictEqual(res.status, 400, JSON.stringify(json).slice(0, 60))
          assert.strictEqual(res.body.code, "VALIDATION_ERROR")
          assert.include(
            res.body.details.map((d: any) => d.field),
            field
          )
        }
        const notJson = yield* request(url, reviewsPath(product), {
          method: "POST",
          token: buyer!.token,
          headers: { "content-type": "application/json" },
          body: "{not json"
        })
        assert.strictEqual(notJson.status, 400)
        assert.isString(notJson.body.code)

        for (const target of [999999, inactive]) {
          const res = yield* postReview(url, buyer!.token, target, { rating: 5 })
          assert.strictEqual(res.status, 404)
          assert.strictEqual(res.body.code, "NOT_FOUND")
          assert.strictEqual((yield* request(url, reviewsPath(target))).status, 404)
        }
        for (const id of ["abc", "0", "1.5", "-1", "99999999999999999999"]) {
          for (const res of [
            yield* request(url, reviewsPath(id)),
            yield* postReview(url, buyer!.token, id, { rating: 5 }),
            yield* putReview(url, buyer!.token, product, id, { rating: 5 }),
            yield* deleteReview(url, buyer!.token, product, id)
          ]) {
            assert.oneOf(res.status, [400, 404], id)
            assert.isString(res.body.code)
          }
        }
        const [{ n }] = (yield* sql`SELECT count(*)::int AS n FROM reviews`) as unknown as [{ n: number }]
        assert.strictEqual(n, 0)
        assert.deepStrictEqual(yield* storedAggregates(product), { rating: 0, review_count: 0, mean: 0, n: 0 })

        // the limits themselves are accepted
        const longest = yield* postReview(url, buyer!.token, product, {
          rating: 1,
          title: "t".repeat(200),
          comment: "c".repeat(5000)
        })
        assert.strictEqual(longest.status, 201)
        const badEdit = yield* putReview(url, buyer!.token, product, longest.body.review.id, { rating: 6 })
        assert.strictEqual(badEdit.status, 400)
        assert.strictEqual(badEdit.body.details[0].field, "rating")
        assert.strictEqual((yield* storedAggregates(product)).rating, 1)

        for (const query of ["page=0", "per_page=0", "page=abc", "sort_by=helpful", "sort_order=up", "verified=yes"]) {
          const res = yield* request(url, `${reviewsPath(product)}?${query}`)
          assert.strictEqual(res.status, 400, query)
          assert.strictEqual(res.body.code, "VALIDATION_ERROR")
          assert.strictEqual(res.body.details[0].field, query.split("=")[0])
        }
      })
    )

    it.effect("writes need a user; reading is public", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const [buyer] = yield* createBuyers(1)
        const product = yield* createProduct({ stock: 10 })
        const created = yield* postReview(url, buyer!.token, product, { rating: 5 })
        for (const res of [
          yield* request(url, reviewsPath(product), { method: "POST", json: { rating: 5 } }),
          yield* request(url, `${reviewsPath(product)}/${created.body.review.id}`, {
            method: "PUT",
            json: { rating: 1 }
          }),
          yield* request(url, `${reviewsPath(product)}/${created.body.review.id}`, { method: "DELETE" }),
          yield* postReview(url, "not-a-token", product, { rating: 5 })
        ]) {
          assert.strictEqual(res.status, 401)
          assert.strictEqual(res.body.code, "UNAUTHORIZED")
        }
        const list = yield* request(url, reviewsPath(product))
        assert.strictEqual(list.status, 200)
        assert.strictEqual(list.body.reviews[0].rating, 5)
      })
    )

    it.effect("BOLA: john cannot edit or delete jane's review; an admin can delete it but not edit it", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const sql = yield* SqlClient.SqlClient
        const john = yield* registerUser(url)
        const jane = yield* registerUser(url)
        const admin = yield* registerUser(url)
        yield* makeAdmin(admin.email)
        const product = yield* createProduct({ stock: 10 })
        const other = yield* createProduct({ stock: 10 })
        const janes = (yield* postReview(url, jane.accessToken, product, { rating: 5, title: "Love it" })).body.review
        yield* postReview(url, john.accessToken, product, { rating: 1 })

        const edit = yield* putReview(url, john.accessToken, product, janes.id, { rating: 1, title: "Hacked" })
        assert.strictEqual(edit.status, 404)
        assert.strictEqual(edit.body.code, "NOT_FOUND")
        assert.notInclude(JSON.stringify(edit.body), "Love it")
        assert.strictEqual((yield* deleteReview(url, john.accessToken, product, janes.id)).status, 404)
        // a review id under another product's path is not that review
        assert.strictEqual((yield* putReview(url, jane.accessToken, other, janes.id, { rating: 1 })).status, 404)
        assert.strictEqual((yield* deleteReview(url, jane.accessToken, other, janes.id)).status, 404)
        assert.strictEqual((yield* deleteReview(url, admin.accessToken, other, janes.id)).status, 404)
        // admins moderate by deleting; they do not put words in a user's mouth
        assert.strictEqual((yield* putReview(url, admin.accessToken, product, janes.id, { rating: 1 })).status, 404)

        const [row] = yield* sql<{
          rating: number
          title: string
        }>`SELECT rating, title FROM reviews WHERE id = ${janes.id}`
        assert.deepStrictEqual(row, { rating: 5, title: "Love it" })
        assert.deepStrictEqual(yield* shownAggregates(url, product), { rating: 3, review_count: 2 })

        const moderated = yield* deleteReview(url, admin.accessToken, product, janes.id)
        assert.strictEqual(moderated.status, 200)
        assert.strictEqual(yield* reviewCount(product), 1)
        assert.deepStrictEqual(yield* shownAggregates(url, product), { rating: 1, review_count: 1 })
      })
    )

    it.effect(
      "on a deactivated product reviews can no longer be written or read, but their authors can delete them",
      () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const sql = yield* SqlClient.SqlClient
          const [buyer] = yield* createBuyers(1)
          const product = yield* createProduct({ stock: 10 })
          const review = (yield* postReview(url, buyer!.token, product, { rating: 4 })).body.review
          yield* sql`UPDATE products SET is_active = false WHERE id = ${product}`
          assert.strictEqual((yield* putReview(url, buyer!.token, product, review.id, { rating: 5 })).status, 404)
          assert.strictEqual((yield* request(url, reviewsPath(product))).status, 404)
          assert.strictEqual((yield* deleteReview(url, buyer!.token, product, review.id)).status, 200)
          assert.deepStrictEqual(yield* storedAggregates(product), { rating: 0, review_count: 0, mean: 0, n: 0 })
        })
    )
  })

  layer(Server, { excludeTestServices: true })("under concurrency", (it) => {
    it.effect("50 users review one product at once: review_count 50 and the exact mean, in SQL and in the API", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const buyers = yield* createBuyers(50)
        const product = yield* createProduct({ stock: 10 })
        assert.deepStrictEqual(yield* shownAggregates(url, product), { rating: 0, review_count: 0 })
        const ratings = buyers.map((_, i) => [5, 4, 4, 3, 5, 2, 4][i % 7]!)
        const results = yield* Effect.forEach(
          buyers,
          (b: Buyer, i) => postReview(url, b.token, product, { rating: ratings[i] }),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(
          results.map((r) => r.status),
          buyers.map(() => 201)
        )
        const mean = Math.round((ratings.reduce((a, b) => a + b, 0) / ratings.length) * 100) / 100
        assert.deepStrictEqual(yield* storedAggregates(product), { rating: mean, review_count: 50, mean, n: 50 })
        assert.deepStrictEqual(yield* shownAggregates(url, product), { rating: mean, review_count: 50 })

        // half of them change their minds while the other half delete, all at once
        yield* Effect.forEach(
          results,
          (r, i) =>
            i % 2 === 0
              ? putReview(url, buyers[i]!.token, product, r.body.review.id, { rating: 5 })
              : deleteReview(url, buyers[i]!.token, product, r.body.review.id),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(yield* storedAggregates(product), { rating: 5, review_count: 25, mean: 5, n: 25 })
        assert.deepStrictEqual(yield* shownAggregates(url, product), { rating: 5, review_count: 25 })
      })
    )

    it.effect("one user posting the same review 10 times at once gets one 201 and nine 409s", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const [buyer] = yield* createBuyers(1)
        const product = yield* createProduct({ stock: 10 })
        const results = yield* Effect.forEach(
          Array.from({ length: 10 }, (_, i) => (i % 5) + 1),
          (rating) => postReview(url, buyer!.token, product, { rating }),
          { concurrency: "unbounded" }
        )
        const statuses = results.map((r) => r.status).sort()
        assert.deepStrictEqual(statuses, [201, ...Array.from({ length: 9 }, () => 409)])
        const winner = results.find((r) => r.status === 201)!.body.review.rating
        assert.deepStrictEqual(yield* storedAggregates(product), {
          rating: winner,
          review_count: 1,
          mean: winner,
          n: 1
        })
      })
    )
  })
})
