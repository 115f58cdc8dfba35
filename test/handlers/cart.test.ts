import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { HttpApiTest } from "effect/http-api"
import { InsufficientStock, Unauthorized } from "../../src/domain/errors.ts"
import { Api } from "../../src/http/Api.ts"
import { CartHandlers } from "../../src/http/CartHandlers.ts"
import { Cart } from "../../src/services/Cart.ts"
import { asCaller, AuthenticationTest } from "../support/handlerTest.ts"
import { stub } from "../support/stub.ts"

// Every cart route acts on the caller's own cart: the stub records whose.
const calls: Array<string> = []
const CartStub = stub(Cart, {
  clear: (userId) => Effect.sync(() => void calls.push(`clear ${userId}`)),
  add: (_userId, input) =>
    (input.quantity ?? 1) > 5
      ? Effect.fail(
          new InsufficientStock({
            error: "Insufficient stock for Lamp: 5 available, 6 requested",
            details: [{ field: "quantity", message: "at most 5 available" }]
          })
        )
      : Effect.die(new Error("not used"))
})

const HandlersTest = CartHandlers.pipe(Layer.provide(CartStub), Layer.provideMerge(AuthenticationTest))
const client = HttpApiTest.groups(Api, ["cart"])

layer(HandlersTest)("cart handlers, with the Cart service swapped for a stub", (it) => {
  it.effect("clearing the cart clears the caller's own", () =>
    Effect.gen(function* () {
      const { cart } = yield* client
      const answer = yield* cart.clearCart()
      assert.strictEqual(answer.message, "Cart cleared")
      assert.deepStrictEqual(calls, ["clear 7"])
    }).pipe(Effect.provide(asCaller("user-token")))
  )

  it.effect("the service's stock refusal reaches the client with its details", () =>
    Effect.gen(function* () {
      const { cart } = yield* client
      const refused = yield* Effect.flip(cart.addToCart({ payload: { product_id: 1, quantity: 6 } }))
      assert.instanceOf(refused, InsufficientStock)
      assert.deepStrictEqual((refused as InsufficientStock).details, [
        { field: "quantity", message: "at most 5 available" }
      ])
    }).pipe(Effect.provide(asCaller("user-token")))
  )

  it.effect("without a token no cart is touched", () =>
    Effect.gen(function* () {
      const { cart } = yield* client
      const before = calls.length
      assert.instanceOf(yield* Effect.flip(cart.clearCart()), Unauthorized)
      assert.strictEqual(calls.length, before)
    }).pipe(Effect.provide(asCaller(undefined)))
  )
})
