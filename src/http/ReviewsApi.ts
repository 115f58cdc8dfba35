import { Message } from "../domain/values.ts"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { IdParams, PathId } from "../domain/ids.ts"
import { Conflict, NotFound, ValidationError } from "../domain/errors.ts"
import { CreateReview, ReviewListQuery, ReviewMessage, ReviewPage, UpdateReview } from "../domain/review.ts"
import { Authentication } from "./Authentication.ts"

// `:id` as in the products group: find-my-way needs one parameter name per position under /api/products.
const ReviewParams = { ...IdParams, review_id: PathId }

export class ReviewsApi extends HttpApiGroup.make("reviews")
  .add(
    HttpApiEndpoint.get("list", "/:id/reviews", {
      params: IdParams,
      query: ReviewListQuery,
      success: ReviewPage,
      error: NotFound
    }).annotate(
      OpenApi.Description,
      "Newest first by default; `?verified=true` keeps verified purchases only; `sort_by=created_at|rating` with `sort_order`."
    ),
    HttpApiEndpoint.post("create", "/:id/reviews", {
      params: IdParams,
      payload: CreateReview,
      success: ReviewMessage.pipe(HttpApiSchema.status(201)),
      error: [NotFound, Conflict]
    }).middleware(Authentication),
    HttpApiEndpoint.put("update", "/:id/reviews/:review_id", {
      params: ReviewParams,
      payload: UpdateReview,
      success: ReviewMessage,
      error: [NotFound, ValidationError]
    }).middleware(Authentication),
    HttpApiEndpoint.delete("delete", "/:id/reviews/:review_id", {
      params: ReviewParams,
      success: Message,
      error: NotFound
    }).middleware(Authentication)
  )
  .prefix("/api/products")
  .annotateMerge(
    OpenApi.annotations({
      title: "Reviews",
      description:
        "One review per user and product (409 on a second). The author edits; the author or an admin deletes; anyone else's review id is a 404. The product's rating and review_count are recomputed in the same transaction."
    })
  ) {}
