import { Schema } from "effect"

/**
 * Every error the API can answer with. Each encodes to the body of API.md,
 * `{"error": "<message>", "code": "<STABLE_CODE>", "details"?: [...]}`, and
 * carries its HTTP status so the OpenAPI document lists it.
 */
export const FieldError = Schema.Struct({ field: Schema.String, message: Schema.String })
export type FieldError = typeof FieldError.Type

const body = <const C extends string>(code: C) => ({
  error: Schema.String,
  code: Schema.tag(code),
  details: Schema.optionalKey(Schema.Array(FieldError))
})

export class ValidationError extends Schema.Error<ValidationError>("ValidationError")(body("VALIDATION_ERROR"), {
  httpApiStatus: 400,
  description: "A field is missing or malformed; `details` names each field."
}) {
  static readonly field = (field: string, message: string) =>
    new ValidationError({ error: `Invalid ${field}: ${message}`, details: [{ field, message }] })
}
export class BadRequest extends Schema.Error<BadRequest>("BadRequest")(body("BAD_REQUEST"), { httpApiStatus: 400 }) {}
export class InsufficientStock extends Schema.Error<InsufficientStock>("InsufficientStock")(
  body("INSUFFICIENT_STOCK"),
  {
    httpApiStatus: 400
  }
) {}
export class CartEmpty extends Schema.Error<CartEmpty>("CartEmpty")(body("CART_EMPTY"), { httpApiStatus: 400 }) {}
export class OrderNotCancellable extends Schema.Error<OrderNotCancellable>("OrderNotCancellable")(
  body("ORDER_NOT_CANCELLABLE"),
  { httpApiStatus: 400 }
) {}
export class InvalidTransition extends Schema.Error<InvalidTransition>("InvalidTransition")(
  body("INVALID_TRANSITION"),
  {
    httpApiStatus: 400
  }
) {}
export class Unauthorized extends Schema.Error<Unauthorized>("Unauthorized")(body("UNAUTHORIZED"), {
  httpApiStatus: 401
}) {}
export class Forbidden extends Schema.Error<Forbidden>("Forbidden")(body("FORBIDDEN"), { httpApiStatus: 403 }) {}
export class AccountDisabled extends Schema.Error<AccountDisabled>("AccountDisabled")(body("ACCOUNT_DISABLED"), {
  httpApiStatus: 403
}) {}
export class NotFound extends Schema.Error<NotFound>("NotFound")(body("NOT_FOUND"), { httpApiStatus: 404 }) {}
export class Conflict extends Schema.Error<Conflict>("Conflict")(body("CONFLICT"), { httpApiStatus: 409 }) {}
export class IdempotencyInFlight extends Schema.Error<IdempotencyInFlight>("IdempotencyInFlight")(
  body("IDEMPOTENCY_KEY_IN_FLIGHT"),
  { httpApiStatus: 409 }
) {}
export class IdempotencyMismatch extends Schema.Error<IdempotencyMismatch>("IdempotencyMismatch")(
  body("IDEMPOTENCY_KEY_REUSED"),
  { httpApiStatus: 422 }
) {}

/** Errors the HTTP layer itself produces, listed here so the API document shows them. */
export class MethodNotAllowed extends Schema.Error<MethodNotAllowed>("MethodNotAllowed")(body("METHOD_NOT_ALLOWED"), {
  httpApiStatus: 405
}) {}
export class PayloadTooLarge extends Schema.Error<PayloadTooLarge>("PayloadTooLarge")(body("PAYLOAD_TOO_LARGE"), {
  httpApiStatus: 413
}) {}
export class UnsupportedMediaType extends Schema.Error<UnsupportedMediaType>("UnsupportedMediaType")(
  body("UNSUPPORTED_MEDIA_TYPE"),
  { httpApiStatus: 415 }
) {}
export class RateLimited extends Schema.Error<RateLimited>("RateLimited")(body("RATE_LIMITED"), {
  httpApiStatus: 429
}) {}
export class InternalError extends Schema.Error<InternalError>("InternalError")(body("INTERNAL_ERROR"), {
  httpApiStatus: 500
}) {}
export class ServiceUnavailable extends Schema.Error<ServiceUnavailable>("ServiceUnavailable")(
  body("SERVICE_UNAVAILABLE"),
  { httpApiStatus: 503 }
) {}
export class Timeout extends Schema.Error<Timeout>("Timeout")(body("TIMEOUT"), { httpApiStatus: 504 }) {}
