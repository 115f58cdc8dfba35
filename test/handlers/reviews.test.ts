import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { HttpApiTest } from "effect/http-api"
import { NotFound, Unauthorized } from "../../src/domain/errors.ts"
import { Api } from "../../src/http/Api.ts"
import { ReviewsHandlers } from "../../src/http/ReviewsHandlers.ts"
import { Reviews } from "../../src/services/Reviews.ts"
import { asCaller, AuthenticationTest } from "../support/handlerTest.ts"
import { stub } from "../support/stub.ts"

// The actor the handler passes to Reviews.remove decides who may delete: the stub records it.
const removals: Array<string> = []
const ReviewsStub = stub(Reviews, {
  remove: (productId, reviewId, actor) =>
    reviewId === 404
      ? Effect.fail(new NotFound({ error: "Review not found" }))
      : Effect.sync(() => {
          removals.push(`${productId}/${reviewId} by ${actor.id}${actor.isAdmin ? " (admin)" : ""}`)
        })
})

const HandlersTest = ReviewsHandlers.pipe(Layer.provide(ReviewsStub), Layer.provideMerge(AuthenticationTest))
const client = HttpApiTest.groups(Api, ["reviews"])

layer(HandlersTest)("reviews handlers, with the Reviews service swapped for a stub", (it) => {
  it.effect("a customer's delete reaches the service as that customer, not as an admin", () =>
    Effect.gen(function* () {
      const { reviews } = yield* client
      const answer = yield* reviews.delete({ params: { id: 3, review_id: 9 } })
      assert.strictEqual(answer.message, "Review deleted successfully")
      assert.strictEqual(removals.at(-1), "3/9 by 7")
    }).pipe(Effect.provide(asCaller("user-token")))
  )

  it.effect("an admin's delete carries the admin flag", () =>
    Effect.gen(function* () {
      const { reviews } = yield* client
      yield* reviews.delete({ params: { id: 3, review_id: 10 } })
      assert.strictEqual(removals.at(-1), "3/10 by 1 (admin)")
    }).pipe(Effect.provide(asCaller("admin-token")))
  )

  it.effect("the service's 404 is the answer; without a token the service is never asked", () =>
    Effect.gen(function* () {
      const { reviews } = yield* client
      const before = removals.length
      assert.instanceOf(yield* Effect.flip(reviews.delete({ params: { id: 3, review_id: 11 } })), Unauthorized)
      assert.strictEqual(removals.length, before)
    }).pipe(Effect.provide(asCaller(undefined)))
  )

  it.effect("a review the service cannot find is a 404", () =>
    Effect.gen(function* () {
      const { reviews } = yield* client
      assert.instanceOf(yield* Effect.flip(reviews.delete({ params: { id: 3, review_id: 404 } })), NotFound)
    }).pipe(Effect.provide(asCaller("user-token")))
  )
})
