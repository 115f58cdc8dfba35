import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Cart } from "../services/Cart.ts"
import { Api } from "./Api.ts"
import { CurrentUser } from "./Authentication.ts"

export const CartHandlers = HttpApiBuilder.group(
  Api,
  "cart",
  Effect.fn(function* (handlers) {
    const cart = yield* Cart
    return handlers.handleAll({
      getCart: () => Effect.flatMap(Effect.service(CurrentUser), ({ id }) => cart.get(id)),
      addToCart: ({ payload }) =>
        Effect.gen(function* () {
          const { id } = yield* CurrentUser
          return { message: "Item added to cart", item: yield* cart.add(id, payload) }
        }),
      updateCartItem: ({ params, payload }) =>
        Effect.gen(function* () {
          const { id } = yield* CurrentUser
          return { message: "Cart updated", item: yield* cart.update(id, params.item_id, payload.quantity) }
        }),
      removeCartItem: ({ params }) =>
        Effect.gen(function* () {
          const { id } = yield* CurrentUser
          yield* cart.remove(id, params.item_id)
          return { message: "Item removed from cart" }
        }),
      clearCart: () =>
        Effect.gen(function* () {
          const { id } = yield* CurrentUser
          yield* cart.clear(id)
          return { message: "Cart cleared" }
        })
    })
  })
)
