import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Reviews } from "../services/Reviews.ts"
import { Api } from "./Api.ts"
import { CurrentUser } from "./Authentication.ts"

export const ReviewsHandlers = HttpApiBuilder.group(
  Api,
  "reviews",
  Effect.fn(function* (handlers) {
    const reviews = yield* Reviews
    return handlers.handleAll({
      list: ({ params, query }) => reviews.list(params.id, query),
      create: ({ params, payload }) =>
        Effect.gen(function* () {
          const { id } = yield* CurrentUser
          return { message: "Review added successfully", review: yield* reviews.create(params.id, id, payload) }
        }),
      update: ({ params, payload }) =>
        Effect.gen(function* () {
          const { id } = yield* CurrentUser
          const review = yield* reviews.update(params.id, params.review_id, id, payload)
          return { message: "Review updated successfully", review }
        }),
      delete: ({ params }) =>
        Effect.gen(function* () {
          const { id, isAdmin } = yield* CurrentUser
          yield* reviews.remove(params.id, params.review_id, { id, isAdmin })
          return { message: "Review deleted successfully" }
        })
    })
  })
)
