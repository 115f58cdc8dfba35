import { Schema } from "effect"
import { isMaxChars, isMinChars } from "./text.ts"
import { EntityId, MessageText, Timestamp } from "./values.ts"

/**
 * Users as the API shows them, and the bodies of the auth and profile routes.
 * Limits here match the CHECKs of migrations/0001_identity.sql, so bad input is
 * a 400 naming the field before anything reaches the database.
 */

const text = (field: string, max: number) =>
  Schema.String.check(
    isMinChars(1, `${field} must not be empty`),
    isMaxChars(max, `${field} must be at most ${max} characters`)
  )

export const Email = Schema.String.annotate({ format: "email" }).check(
  isMaxChars(254, "email must be at most 254 characters"),
  // Syntax only: one @, no spaces, a dot in the domain. Deliverability is not our business.
  Schema.isPattern(/^[^\s@]+@[^\s@]+\.[^\s@.]+$/u, { message: "email must be a valid email address" })
)

// The upper bound caps the work one log-in attempt can make argon2 do.
export const Password = Schema.String.check(
  isMinChars(8, "password must be at least 8 characters"),
  isMaxChars(128, "password must be at most 128 characters")
)

export const Username = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9_.-]{3,80}$/u, {
    message: "username must be 3-80 characters of letters, digits, '_', '.' or '-'"
  })
)

export const Phone = Schema.String.check(
  Schema.isPattern(/^\+?[0-9]{10,15}$/u, { message: "phone must be 10-15 digits, optionally starting with +" })
)

export const FirstName = text("first_name", 100)
export const LastName = text("last_name", 100)

/** `user` of API.md: never a password or hash. */
export const User = Schema.Struct({
  id: EntityId,
  email: Schema.String.annotate({ format: "email" }),
  username: Schema.String,
  first_name: Schema.NullOr(Schema.String),
  last_name: Schema.NullOr(Schema.String),
  phone: Schema.NullOr(Schema.String),
  is_active: Schema.Boolean,
  is_admin: Schema.Boolean,
  created_at: Timestamp
}).annotate({ identifier: "User" })
export type User = typeof User.Type

// Structs drop keys they do not declare, so `is_admin` or `is_active` in a body never reach a service.
export const RegisterPayload = Schema.Struct({
  email: Email,
  username: Username,
  password: Password,
  first_name: Schema.optionalKey(Schema.NullOr(FirstName)),
  last_name: Schema.optionalKey(Schema.NullOr(LastName)),
  phone: Schema.optionalKey(Schema.NullOr(Phone))
}).annotate({
  identifier: "RegisterRequest",
  examples: [{ email: "asha@example.com", username: "asha_k", password: "correct-horse-42", first_name: "Asha" }]
})
export type RegisterPayload = typeof RegisterPayload.Type

// Log-in checks presence and bounds only: a malformed email simply matches no account.
export const LoginPayload = Schema.Struct({
  email: text("email", 254),
  password: text("password", 128)
}).annotate({
  identifier: "LoginRequest",
  examples: [{ email: "john@example.com", password: "password123" }]
})
export type LoginPayload = typeof LoginPayload.Type

/** `null` clears a field; an absent key leaves it as it is. */
export const ProfileUpdatePayload = Schema.Struct({
  first_name: Schema.optionalKey(Schema.NullOr(FirstName)),
  last_name: Schema.optionalKey(Schema.NullOr(LastName)),
  phone: Schema.optionalKey(Schema.NullOr(Phone))
}).annotate({ identifier: "ProfileUpdate", examples: [{ first_name: "John", phone: "+919876543210" }] })
export type ProfileUpdatePayload = typeof ProfileUpdatePayload.Type

export const RefreshPayload = Schema.Struct({
  refresh_token: Schema.optionalKey(
    Schema.String.check(isMaxChars(4096, "refresh_token must be at most 4096 characters"))
  )
}).annotate({
  identifier: "RefreshRequest",
  examples: [{ refresh_token: "eyJhbGciOiJIUzI1NiJ9.<payload>.<signature>" }]
})

const AccessToken = Schema.String.annotate({ description: "A JWT to send as `Authorization: Bearer <token>`." })
const RefreshToken = Schema.String.annotate({ description: "A JWT for /api/auth/refresh and /api/auth/logout." })

export const TokenPair = Schema.Struct({
  access_token: AccessToken,
  refresh_token: RefreshToken
}).annotate({ identifier: "TokenPair" })
export type TokenPair = typeof TokenPair.Type

export const AuthResponse = Schema.Struct({
  message: MessageText,
  user: User,
  access_token: AccessToken,
  refresh_token: RefreshToken
}).annotate({ identifier: "AuthResponse" })

export const ProfileResponse = Schema.Struct({ message: MessageText, user: User }).annotate({
  identifier: "ProfileResponse"
})
