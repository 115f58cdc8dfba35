import { Context, Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import { Conflict, NotFound } from "../domain/errors.ts"
import type { ProfileUpdatePayload, RegisterPayload, User } from "../domain/user.ts"
import { PasswordHasher } from "../infra/PasswordHasher.ts"
import { sentFields } from "./sqlFragments.ts"
import { dieOnSqlError, refuseUniqueViolation } from "./sqlErrors.ts"

interface UserRow {
  readonly id: bigint
  readonly email: string
  readonly username: string
  readonly first_name: string | null
  readonly last_name: string | null
  readonly phone: string | null
  readonly is_active: boolean
  readonly is_admin: boolean
  readonly created_at: Date
}

const toUser = (row: UserRow): User => ({
  id: Number(row.id),
  email: row.email,
  username: row.username,
  first_name: row.first_name,
  last_name: row.last_name,
  phone: row.phone,
  is_active: row.is_active,
  is_admin: row.is_admin,
  created_at: row.created_at.toISOString()
})

/** What the authentication middleware needs on every request. */
export interface Principal {
  readonly id: number
  readonly email: string
  readonly username: string
  readonly isActive: boolean
  readonly isAdmin: boolean
}

/** The unique indexes of `users` as the 409 a client can act on; other SQL failures are defects. */
const conflictOrDie = refuseUniqueViolation((constraint) =>
  constraint === "users_email_key"
    ? new Conflict({ error: "Email already registered" })
    : constraint === "users_username_key"
      ? new Conflict({ error: "Username already taken" })
      : undefined
)

export class Users extends Context.Service<
  Users,
  {
    readonly create: (input: RegisterPayload) => Effect.Effect<User, Conflict>
    readonly findById: (id: number) => Effect.Effect<Option.Option<User>>
    /** The user and password hash behind an email, compared case-insensitively. */
    readonly findCredentials: (
      email: string
    ) => Effect.Effect<Option.Option<{ readonly user: User; readonly passwordHash: string }>>
    readonly findPrincipal: (id: number) => Effect.Effect<Option.Option<Principal>>
    readonly updateProfile: (id: number, patch: ProfileUpdatePayload) => Effect.Effect<User, NotFound>
  }
>()("shop/services/Users") {
  static readonly layerNoDeps = Layer.effect(
    Users,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const hasher = yield* PasswordHasher
      const columns = sql`id, email, username, first_name, last_name, phone, is_active, is_admin, created_at`

      const create = Effect.fn("Users.create")(function* (input: RegisterPayload) {
        const passwordHash = yield* hasher.hash(input.password)
        const rows = yield* sql<UserRow>`
          INSERT INTO users ${sql.insert({
            email: input.email,
            username: input.username,
            password_hash: passwordHash,
            first_name: input.first_name ?? null,
            last_name: input.last_name ?? null,
            phone: input.phone ?? null
          })}
          RETURNING ${columns}`.pipe(conflictOrDie)
        return toUser(rows[0]!)
      })

      const findById = Effect.fn("Users.findById")(function* (id: number) {
        const rows = yield* sql<UserRow>`SELECT ${columns} FROM users WHERE id = ${id}`.pipe(dieOnSqlError)
        return Option.map(Option.fromNullishOr(rows[0]), toUser)
      })

      const findCredentials = Effect.fn("Users.findCredentials")(function* (email: string) {
        const rows = yield* sql<UserRow & { readonly password_hash: string }>`
          SELECT ${columns}, password_hash FROM users WHERE lower(email) = lower(${email})`.pipe(dieOnSqlError)
        return Option.map(Option.fromNullishOr(rows[0]), (row) => ({
          user: toUser(row),
          passwordHash: row.password_hash
        }))
      })

      const findPrincipal = Effect.fn("Users.findPrincipal")(function* (id: number) {
        const rows = yield* sql<Pick<UserRow, "id" | "email" | "username" | "is_active" | "is_admin">>`
          SELECT id, email, username, is_active, is_admin FROM users WHERE id = ${id}`.pipe(dieOnSqlError)
        return Option.map(Option.fromNullishOr(rows[0]), (row) => ({
          id: Number(row.id),
          email: row.email,
          username: row.username,
          isActive: row.is_active,
          isAdmin: row.is_admin
        }))
      })

      const updateProfile = Effect.fn("Users.updateProfile")(function* (id: number, patch: ProfileUpdatePayload) {
        // Only the keys the client sent; an explicit null clears the field.
        const changes = sentFields(patch, ["first_name", "last_name", "phone"])
        const rows =
          Object.keys(changes).length === 0
            ? yield* sql<UserRow>`SELECT ${columns} FROM users WHERE id = ${id}`.pipe(dieOnSqlError)
            : yield* sql<UserRow>`
                UPDATE users SET ${sql.update(changes)}, updated_at = now() WHERE id = ${id}
                RETURNING ${columns}`.pipe(dieOnSqlError)
        const row = rows[0]
        if (row === undefined) return yield* new NotFound({ error: "User not found" })
        return toUser(row)
      })

      return Users.of({ create, findById, findCredentials, findPrincipal, updateProfile })
    })
  )

  static readonly layer = Users.layerNoDeps.pipe(Layer.provide(PasswordHasher.layer))
}
