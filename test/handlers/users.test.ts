import { assert, layer } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { HttpApiTest } from "effect/http-api"
import type { Address } from "../../src/domain/address.ts"
import { NotFound, Unauthorized } from "../../src/domain/errors.ts"
import type { User } from "../../src/domain/user.ts"
import { Api } from "../../src/http/Api.ts"
import { UsersHandlers } from "../../src/http/UsersHandlers.ts"
import { Addresses } from "../../src/services/Addresses.ts"
import { Users } from "../../src/services/Users.ts"
import { asCaller, AuthenticationTest } from "../support/handlerTest.ts"
import { recorder, stub } from "../support/stub.ts"

const user: User = {
  id: 7,
  email: "user@example.com",
  username: "user",
  first_name: null,
  last_name: null,
  phone: null,
  is_active: true,
  is_admin: false,
  created_at: "2026-11-30T12:00:00.000Z"
}
const address: Address = {
  id: 3,
  address_type: "home",
  street: "1 MG Road",
  city: "Bengaluru",
  state: "Karnataka",
  pincode: "560001",
  country: "India",
  is_default: true
}

// Every route acts on the caller's own profile and addresses: the stubs record whose.
const { calls, record } = recorder()
const UsersStub = stub(Users, {
  findById: (id) => record(`findById ${id}`, id === user.id ? Option.some(user) : Option.none()),
  updateProfile: (id, patch) => record(`updateProfile ${id}`, { ...user, ...patch })
})
const AddressesStub = stub(Addresses, {
  list: (userId) => record(`list ${userId}`, [address]),
  create: (userId, input) => record(`create ${userId} ${input.city}`, { ...address, city: input.city }),
  update: (userId, id) =>
    id === address.id
      ? record(`update ${userId} ${id}`, address)
      : Effect.fail(new NotFound({ error: "Address not found" })),
  remove: (userId, id) => record(`remove ${userId} ${id}`, undefined)
})

const HandlersTest = UsersHandlers.pipe(
  Layer.provide([UsersStub, AddressesStub]),
  Layer.provideMerge(AuthenticationTest)
)
const client = HttpApiTest.groups(Api, ["users"])

layer(HandlersTest)("users handlers, with the Users and Addresses services swapped for stubs", (it) => {
  it.effect("the profile is the caller's own, read and updated", () =>
    Effect.gen(function* () {
      calls.length = 0
      const { users } = yield* client
      assert.deepStrictEqual(yield* users.getProfile(), user)
      const updated = yield* users.updateProfile({ payload: { first_name: "Asha" } })
      assert.strictEqual(updated.message, "Profile updated successfully")
      assert.strictEqual(updated.user.first_name, "Asha")
      assert.deepStrictEqual(calls, ["findById 7", "updateProfile 7"])
    }).pipe(Effect.provide(asCaller("user-token")))
  )

  it.effect("a caller whose row is gone gets 404, not a 500", () =>
    Effect.gen(function* () {
      const { users } = yield* client
      // The admin caller (id 1) has no row in the stub: deleted between authentication and the read.
      assert.instanceOf(yield* Effect.flip(users.getProfile()), NotFound)
    }).pipe(Effect.provide(asCaller("admin-token")))
  )

  it.effect("addresses are listed, added, changed and removed for the caller only", () =>
    Effect.gen(function* () {
      calls.length = 0
      const { users } = yield* client
      assert.deepStrictEqual(yield* users.listAddresses(), [address])
      const created = yield* users.createAddress({
        payload: { street: "2 Park Street", city: "Kolkata", state: "West Bengal", pincode: "700016" }
      })
      assert.strictEqual(created.message, "Address added successfully")
      assert.strictEqual(created.address.city, "Kolkata")
      const updated = yield* users.updateAddress({ params: { id: 3 }, payload: { is_default: true } })
      assert.strictEqual(updated.message, "Address updated successfully")
      const removed = yield* users.deleteAddress({ params: { id: 3 } })
      assert.strictEqual(removed.message, "Address deleted successfully")
      assert.deepStrictEqual(calls, ["list 7", "create 7 Kolkata", "update 7 3", "remove 7 3"])
    }).pipe(Effect.provide(asCaller("user-token")))
  )

  it.effect("another user's address is the service's 404", () =>
    Effect.gen(function* () {
      const { users } = yield* client
      const refused = yield* Effect.flip(users.updateAddress({ params: { id: 99 }, payload: { city: "Pune" } }))
      assert.instanceOf(refused, NotFound)
    }).pipe(Effect.provide(asCaller("user-token")))
  )

  it.effect("without a token nothing is read", () =>
    Effect.gen(function* () {
      calls.length = 0
      const { users } = yield* client
      assert.instanceOf(yield* Effect.flip(users.getProfile()), Unauthorized)
      assert.instanceOf(yield* Effect.flip(users.listAddresses()), Unauthorized)
      assert.deepStrictEqual(calls, [])
    }).pipe(Effect.provide(asCaller(undefined)))
  )
})
