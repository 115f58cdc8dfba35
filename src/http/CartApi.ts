import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { AddToCart, Cart, CartItemResponse, UpdateCartItem } from "../domain/cart.ts"
import { InsufficientStock, NotFound } from "../domain/errors.ts"
import { PathId } from "../domain/ids.ts"
import { Message } from "../domain/values.ts"
import { Authentication } from "./Authentication.ts"

const ItemParams = { item_id: PathId }

export class CartApi extends HttpApiGroup.make("cart")
  .add(
    HttpApiEndpoint.get("getCart", "/", { success: Cart }),
    HttpApiEndpoint.post("addToCart", "/add", {
      payload: AddToCart,
      success: CartItemResponse.pipe(HttpApiSchema.status(201)),
      error: [NotFound, InsufficientStock]
    }),
    HttpApiEndpoint.put("updateCartItem", "/update/:item_id", {
      params: ItemParams,
      payload: UpdateCartItem,
      success: CartItemResponse,
      error: [NotFound, InsufficientStock]
    }),
    HttpApiEndpoint.delete("removeCartItem", "/remove/:item_id", {
      params: ItemParams,
      success: Message,
      error: NotFound
    }),
    HttpApiEndpoint.delete("clearCart", "/clear", { success: Message })
  )
  .middleware(Authentication)
  .prefix("/api/cart")
  .annotateMerge(
    OpenApi.annotations({
      title: "Cart",
      description: "The caller's cart. Quantities are checked against stock; another user's cart item id is a 404."
    })
  ) {}
