import { Schema, SchemaTransformation } from "effect"

/** The largest PostgreSQL `integer` (int4); every id the API takes fits it. */
export const MAX_INT4 = 2_147_483_647

const ID_MESSAGE = "id must be a positive whole number"

/**
 * The one schema of an id in a path (`/api/products/:id`, `/api/cart/update/:item_id`, ...): the
 * segment must be the canonical spelling `[1-9][0-9]*` within int4, so `01`, `1.0`, `+1`, `1e0`,
 * ` 1` or `0.99999999999999999` are refused (400 VALIDATION_ERROR naming the parameter) on every
 * route alike, instead of being read by `Number` as another id.
 */
export const PathId = Schema.String.annotate({ expected: "a positive integer id" })
  .check(Schema.isPattern(/^[1-9][0-9]{0,9}$/, { message: ID_MESSAGE }))
  .pipe(
    Schema.decodeTo(
      Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: MAX_INT4 }, { message: ID_MESSAGE })),
      SchemaTransformation.numberFromString
    )
  )

/** An id in a request body or query (`product_id`, `category_id`, `parent_id`, `address_id`). */
export const Id = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1), Schema.isLessThanOrEqualTo(MAX_INT4))

/** Path parameters of a route with one `:id`. */
export const IdParams = { id: PathId }
