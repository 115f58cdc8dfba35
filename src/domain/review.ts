import { Schema } from "effect"
import { pageQuery, Pagination } from "./pagination.ts"
import { isMaxChars } from "./text.ts"
import { EntityId, MessageText, Timestamp } from "./values.ts"

/**
 * Reviews as the API shows them, and the bodies and list parameters of the
 * review routes. Limits match the CHECKs of migrations/0004_reviews.sql, so bad
 * input is a 400 naming the field before anything reaches the database.
 */

export const Rating = Schema.Int.check(
  Schema.isBetween({ minimum: 1, maximum: 5 }, { message: "rating must be an integer from 1 to 5" })
)

const text = (field: string, max: number) =>
  Schema.NullOr(Schema.Trim.check(isMaxChars(max, `${field} must be at most ${max} characters`)))

export const Title = text("title", 200)
export const Comment = text("comment", 5000)

export const CreateReview = Schema.Struct({
  rating: Rating,
  title: Schema.optionalKey(Title),
  comment: Schema.optionalKey(Comment)
}).annotate({
  identifier: "CreateReview",
  examples: [{ rating: 5, title: "Worth it", comment: "Fast delivery, works as described." }]
})
export type CreateReview = typeof CreateReview.Type

/** Any of the fields; `null` clears a title or comment, an absent key leaves it as it is. */
export const UpdateReview = Schema.Struct({
  rating: Schema.optionalKey(Rating),
  title: Schema.optionalKey(Title),
  comment: Schema.optionalKey(Comment)
}).annotate({ identifier: "UpdateReview", examples: [{ rating: 4, comment: null }] })
export type UpdateReview = typeof UpdateReview.Type

/** `review` of API.md: of its author, only the id and username. */
export const Review = Schema.Struct({
  id: EntityId,
  user: Schema.Struct({ id: EntityId, username: Schema.String }).annotate({ identifier: "ReviewAuthor" }),
  rating: Rating,
  title: Schema.NullOr(Schema.String),
  comment: Schema.NullOr(Schema.String),
  verified_purchase: Schema.Boolean,
  created_at: Timestamp
}).annotate({ identifier: "Review" })
export type Review = typeof Review.Type

export const ReviewMessage = Schema.Struct({ message: MessageText, review: Review }).annotate({
  identifier: "ReviewResponse"
})
export const ReviewPage = Schema.Struct({ reviews: Schema.Array(Review), pagination: Pagination }).annotate({
  identifier: "ReviewPage"
})
export type ReviewPage = typeof ReviewPage.Type

export const REVIEW_SORT_FIELDS = ["created_at", "rating"] as const
export const DEFAULT_REVIEWS_PER_PAGE = 10

/** GET /api/products/{id}/reviews parameters; `per_page` above 100 is capped, not refused. */
export const ReviewListQuery = Schema.Struct({
  ...pageQuery(DEFAULT_REVIEWS_PER_PAGE),
  verified: Schema.optionalKey(
    Schema.Literals(["true", "false"]).annotate({
      description: "true: verified purchases only; false: the others only."
    })
  ),
  sort_by: Schema.optionalKey(Schema.Literals(REVIEW_SORT_FIELDS).annotate({ default: "created_at" })),
  sort_order: Schema.optionalKey(Schema.Literals(["asc", "desc"]).annotate({ default: "desc" }))
})
export type ReviewListQuery = typeof ReviewListQuery.Type
