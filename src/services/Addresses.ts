import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import {
  type Address,
  type AddressCreatePayload,
  type AddressUpdatePayload,
  DEFAULT_ADDRESS_TYPE,
  DEFAULT_COUNTRY,
  INDIAN_PINCODE_MESSAGE,
  pincodeFits
} from "../domain/address.ts"
import { NotFound, ValidationError } from "../domain/errors.ts"
import { dieOnSqlError } from "./sqlErrors.ts"

interface AddressRow {
  readonly id: bigint
  readonly address_type: string
  readonly street: string
  readonly city: string
  readonly state: string
  readonly pincode: string
  readonly country: string
  readonly is_default: boolean
}

const toAddress = (row: AddressRow): Address => ({
  id: Number(row.id),
  address_type: row.address_type,
  street: row.street,
  city: row.city,
  state: row.state,
  pincode: row.pincode,
  country: row.country,
  is_default: row.is_default
})

const notFound = () => new NotFound({ error: "Address not found" })

/**
 * A user's addresses. Invariant: exactly one default once the user has any.
 * Every change runs in a transaction that first locks the owner's `users` row,
 * so concurrent changes for one user take turns (no two defaults, no none);
 * the partial unique index is the database's own guard against two.
 * Every query is scoped by user id: another user's address is a 404.
 */
export class Addresses extends Context.Service<
  Addresses,
  {
    readonly list: (userId: number) => Effect.Effect<ReadonlyArray<Address>>
    readonly create: (userId: number, input: AddressCreatePayload) => Effect.Effect<Address>
    readonly update: (
      userId: number,
      id: number,
      patch: AddressUpdatePayload
    ) => Effect.Effect<Address, NotFound | ValidationError>
    readonly remove: (userId: number, id: number) => Effect.Effect<void, NotFound>
  }
>()("shop/services/Addresses") {
  static readonly layerNoDeps = Layer.effect(
    Addresses,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const columns = sql`id, address_type, street, city, state, pincode, country, is_default`

      const lockOwner = (userId: number) => sql`SELECT id FROM users WHERE id = ${userId} FOR UPDATE`
      const clearDefault = (userId: number) =>
        sql`UPDATE addresses SET is_default = false, updated_at = now() WHERE user_id = ${userId} AND is_default`
      const promoteNewest = (userId: number) => sql`
        UPDATE addresses SET is_default = true, updated_at = now()
        WHERE id = (SELECT id FROM addresses WHERE user_id = ${userId} ORDER BY created_at DESC, id DESC LIMIT 1)`

      const list = Effect.fn("Addresses.list")(function* (userId: number) {
        const rows = yield* sql<AddressRow>`
          SELECT ${columns} FROM addresses WHERE user_id = ${userId}
          ORDER BY is_default DESC, created_at DESC, id DESC`.pipe(dieOnSqlError)
        return rows.map(toAddress)
      })

      const create = Effect.fn("Addresses.create")(function* (userId: number, input: AddressCreatePayload) {
        const row = yield* sql
          .withTransaction(
            Effect.gen(function* () {
              yield* lockOwner(userId)
              const existing = yield* sql<{ readonly n: number }>`
                SELECT count(*)::int AS n FROM addresses WHERE user_id = ${userId}`
              const isDefault = existing[0]!.n === 0 || input.is_default === true
              if (isDefault) yield* clearDefault(userId)
              const rows = yield* sql<AddressRow>`
                INSERT INTO addresses ${sql.insert({
                  user_id: userId,
                  address_type: input.address_type ?? DEFAULT_ADDRESS_TYPE,
                  street: input.street,
                  city: input.city,
                  state: input.state,
                  pincode: input.pincode,
                  country: input.country ?? DEFAULT_COUNTRY,
                  is_default: isDefault
                })}
                RETURNING ${columns}`
              return rows[0]!
            })
          )
          .pipe(dieOnSqlError)
        return toAddress(row)
      })

      const update = Effect.fn("Addresses.update")(function* (userId: number, id: number, patch: AddressUpdatePayload) {
        return yield* sql
          .withTransaction(
            Effect.gen(function* () {
              yield* lockOwner(userId)
              const rows = yield* sql<AddressRow>`
                SELECT ${columns} FROM addresses WHERE id = ${id} AND user_id = ${userId}`
              const current = rows[0]
              if (current === undefined) return yield* notFound()
              const country = patch.country ?? current.country
              const pincode = patch.pincode ?? current.pincode
              if (!pincodeFits(country, pincode)) return yield* ValidationError.field("pincode", INDIAN_PINCODE_MESSAGE)

              const { is_default: wantsDefault, ...fields } = patch
              const changes = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined))
              let isDefault = current.is_default
              let successor: bigint | undefined
              if (wantsDefault === true && !current.is_default) {
                yield* clearDefault(userId)
                isDefault = true
              } else if (wantsDefault === false && current.is_default) {
                // Giving up the default hands it to the newest other address; a lone address stays default.
                const others = yield* sql<{ readonly id: bigint }>`
                  SELECT id FROM addresses WHERE user_id = ${userId} AND id <> ${id}
                  ORDER BY created_at DESC, id DESC LIMIT 1`
                successor = others[0]?.id
                isDefault = successor === undefined
              }
              const updated = yield* sql<AddressRow>`
                UPDATE addresses SET ${sql.update({ ...changes, is_default: isDefault })}, updated_at = now()
                WHERE id = ${id} RETURNING ${columns}`
              if (successor !== undefined) {
                yield* sql`UPDATE addresses SET is_default = true, updated_at = now() WHERE id = ${successor}`
              }
              return toAddress(updated[0]!)
            })
          )
          .pipe(dieOnSqlError)
      })

      const remove = Effect.fn("Addresses.remove")(function* (userId: number, id: number) {
        yield* sql
          .withTransaction(
            Effect.gen(function* () {
              yield* lockOwner(userId)
              const deleted = yield* sql<{ readonly is_default: boolean }>`
                DELETE FROM addresses WHERE id = ${id} AND user_id = ${userId} RETURNING is_default`
              if (deleted.length === 0) return yield* notFound()
              if (deleted[0]!.is_default) yield* promoteNewest(userId)
            })
          )
          .pipe(dieOnSqlError)
      })

      return Addresses.of({ list, create, update, remove })
    })
  )

  static readonly layer = Addresses.layerNoDeps
}
