import { Schema } from "effect"

/**
 * Users as the API shows them, and the bodies of the auth and profile routes.
 * Limits here match the CHECKs of migrations/0001_identity.sql, so bad input is
 * a 400 naming the field before anything reaches the database.
 */

const text = (field: string, max: number) =>
  Schema.String.check(
    Schema.isMinLength(1, { message: `${field} must not be empty` }),
    Schema.isMaxLength(max, { message: `${field} must be at most ${max} characters` })
  )

export const Email = Schema.String.check(
  Schema.isMaxLength(254, { message: "email must be at most 254 characters" }),
  // Syntax only: one @, no spaces, a dot in the domain. Deliverability is not our business.
  Schema.isPattern(/^[^\s@]+@[^\s@]+\.[^\s@.]+$/, { message: "email must be a valid email address" })
)

// The upper bound caps the work one log-in attempt can make argon2 do.
export const Password = Schema.String.check(
  Schema.isMinLength(8, { message: "password must be at least 8 characters" }),
  Schema.isMaxLength(128, { message: "password must be at most 128 characters" })
)

export const Username = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9_.-]{3,80}$/, {
    message: "username must be 3-80 characters of letters, digits, '_', '.' or '-'"
  })
)

export const Phone = Schema.String.check(
  Schema.isPattern(/^\+?[0-9]{10,15}$/, { message: "phone must be 10-15 digits, optionally starting with +" })
)

export const FirstName = text("first_name", 100)
export const LastName = text("last_name", 100)

/** `user` of API.md: never a password or hash. */
export const User = Schema.Struct({
  id: Schema.Number,
  email: Schema.String,
  username: Schema.String,
  first_name: Schema.NullOr(Schema.String),
  last_name: Schema.NullOr(Schema.String),
  phone: Schema.NullOr(Schema.String),
  is_active: Schema.Boolean,
  is_admin: Schema.Boolean,
  created_at: Schema.String
})
export type User = typeof User.Type

// Structs drop keys they do not declare, so `is_admin` or `is_active` in a body never reach a service.
export const RegisterPayload = Schema.Struct({
  email: Email,
  username: Username,
  password: Password,
  first_name: Schema.optional(Schema.NullOr(FirstName)),
  last_name: Schema.optional(Schema.NullOr(LastName)),
  phone: Schema.optional(Schema.NullOr(Phone))
})
export type RegisterPayload = typeof RegisterPayload.Type

// Log-in checks presence and bounds only: a malformed email simply matches no account.
export const LoginPayload = Schema.Struct({
  email: text("email", 254),
  password: text("password", 128)
})
export type LoginPayload = typeof LoginPayload.Type

/** `null` clears a field; an absent key leaves it as it is. */
export const ProfileUpdatePayload = Schema.Struct({
  first_name: Schema.optional(Schema.NullOr(FirstName)),
  last_name: Schema.optional(Schema.NullOr(LastName)),
  phone: Schema.optional(Schema.NullOr(Phone))
})
export type ProfileUpdatePayload = typeof ProfileUpdatePayload.Type

export const RefreshPayload = Schema.Struct({
  refresh_token: Schema.optional(Schema.String.check(Schema.isMaxLength(4096)))
})

export const TokenPair = Schema.Struct({
  access_token: Schema.String,
  refresh_token: Schema.String
})
export type TokenPair = typeof TokenPair.Type

export const AuthResponse = Schema.Struct({
  message: Schema.String,
  user: User,
  access_token: Schema.String,
  refresh_token: Schema.String
})

export const ProfileResponse = Schema.Struct({ message: Schema.String, user: User })
