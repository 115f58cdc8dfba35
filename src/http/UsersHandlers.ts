import { Effect, Option } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { NotFound } from "../domain/errors.ts"
import { Addresses } from "../services/Addresses.ts"
import { Users } from "../services/Users.ts"
import { Api } from "./Api.ts"
import { CurrentUser } from "./Authentication.ts"

export const UsersHandlers = HttpApiBuilder.group(
  Api,
  "users",
  Effect.fn(function* (handlers) {
    const users = yield* Users
    const addresses = yield* Addresses
    return handlers.handleAll({
      getProfile: () =>
        Effect.gen(function* () {
          const { id } = yield* CurrentUser
          const user = yield* users.findById(id)
          // The middleware has just read this row; it can only be gone if deleted in between.
          return yield* Option.match(user, {
            onNone: () => Effect.fail(new NotFound({ error: "User not found" })),
            onSome: Effect.succeed
          })
        }),
      updateProfile: ({ payload }) =>
        Effect.gen(function* () {
          const { id } = yield* CurrentUser
          const user = yield* users.updateProfile(id, payload)
          return { message: "Profile updated successfully", user }
        }),
      listAddresses: () =>
        Effect.gen(function* () {
          const { id } = yield* CurrentUser
          return yield* addresses.list(id)
        }),
      createAddress: ({ payload }) =>
        Effect.gen(function* () {
          const { id } = yield* CurrentUser
          const address = yield* addresses.create(id, payload)
          return { message: "Address added successfully", address }
        }),
      updateAddress: ({ params, payload }) =>
        Effect.gen(function* () {
          const { id } = yield* CurrentUser
          const address = yield* addresses.update(id, params.id, payload)
          return { message: "Address updated successfully", address }
        }),
      deleteAddress: ({ params }) =>
        Effect.gen(function* () {
          const { id } = yield* CurrentUser
          yield* addresses.remove(id, params.id)
          return { message: "Address deleted successfully" }
        })
    })
  })
)
