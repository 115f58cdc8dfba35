import { Schema } from "effect"
import { Product } from "./catalog.ts"
import { Id } from "./ids.ts"
import { Amount, Count, EntityId, MessageText } from "./values.ts"

/** Quantities are whole units; 10,000 bounds a line so totals stay far from numeric(12,2)'s limit. */
export const Quantity = Schema.Int.check(
  Schema.isBetween({ minimum: 1, maximum: 10_000 }, { message: "quantity must be an integer from 1 to 10000" })
)

export const AddToCart = Schema.Struct({
  product_id: Id,
  quantity: Schema.optionalKey(Quantity.annotate({ default: 1 }))
}).annotate({ identifier: "AddToCart", examples: [{ product_id: 1, quantity: 2 }] })
export type AddToCart = typeof AddToCart.Type

export const UpdateCartItem = Schema.Struct({ quantity: Quantity }).annotate({
  identifier: "UpdateCartItem",
  examples: [{ quantity: 3 }]
})

export const CartItem = Schema.Struct({
  id: EntityId,
  product: Product,
  quantity: Count,
  subtotal: Amount,
  /** False when the product was deactivated after it was added: shown, not orderable. */
  available: Schema.Boolean
}).annotate({ identifier: "CartItem" })
export type CartItem = typeof CartItem.Type

export const Cart = Schema.Struct({
  items: Schema.Array(CartItem),
  total: Amount,
  /** Number of lines, as the original shop counted. */
  item_count: Count.annotate({ description: "The number of lines." }),
  /** Number of units. */
  quantity_count: Count.annotate({ description: "The number of units over all lines." })
}).annotate({ identifier: "Cart" })
export type Cart = typeof Cart.Type

export const CartItemResponse = Schema.Struct({ message: MessageText, item: CartItem }).annotate({
  identifier: "CartItemResponse"
})
