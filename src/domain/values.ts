import { Schema } from "effect"

/**
 * The scalar kinds of the API's bodies, each saying in the OpenAPI document
 * what it is (unit, precision, format), so generated clients get exact types.
 */

/** An id the server assigned: a positive integer. */
export const EntityId = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)).annotate({
  description: "A positive integer id."
})

/** A number of things: 0 or more. */
export const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/** Money in responses: rupees, stored exactly as numeric(12,2). */
export const Amount = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0)).annotate({
  description: "Rupees (INR) as a JSON number with at most 2 decimal places, e.g. 116910 or 2099.3."
})

export const Percent = Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 100 })).annotate({
  description: "A percentage from 0 to 100 with at most 2 decimal places."
})

/** The mean of a product's review ratings. */
export const AverageRating = Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 5 })).annotate({
  description: "The mean of the reviews' ratings, 2 decimal places; 0 while the product has none."
})

export const Timestamp = Schema.String.annotate({
  format: "date-time",
  description: "ISO 8601 in UTC with a Z, e.g. 2026-11-30T15:43:09.401Z."
})

export const MessageText = Schema.String.annotate({ description: "What happened, written for a person." })

/** `{message}`: the answer of a route that has nothing else to say. */
export const Message = Schema.Struct({ message: MessageText }).annotate({ identifier: "Message" })
