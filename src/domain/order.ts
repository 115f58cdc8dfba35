import { Schema } from "effect"
import { Product } from "./catalog.ts"
import { Id } from "./ids.ts"
import { pageQuery, Pagination } from "./pagination.ts"
import { OrderStatus, PaymentStatus } from "./orderStatus.ts"
import { Amount, Count, EntityId, MessageText, Timestamp } from "./values.ts"

export const PAYMENT_METHODS = ["COD", "CARD", "UPI", "NETBANKING", "WALLET"] as const
export const PaymentMethod = Schema.Literals(PAYMENT_METHODS).annotate({
  description: "How the buyer pays: COD (cash on delivery), CARD, UPI, NETBANKING or WALLET (upper case)."
})
export type PaymentMethod = typeof PaymentMethod.Type

export const PlaceOrder = Schema.Struct({
  address_id: Id,
  payment_method: Schema.optionalKey(PaymentMethod.annotate({ default: "COD" }))
}).annotate({ identifier: "PlaceOrder", examples: [{ address_id: 1, payment_method: "UPI" }] })
export type PlaceOrder = typeof PlaceOrder.Type

export const OrderItem = Schema.Struct({
  id: EntityId,
  product: Product,
  quantity: Count,
  /** Unit final_price when the order was placed. */
  price: Amount.annotate({ description: "The unit final_price when the order was placed, in rupees (2 decimals)." }),
  subtotal: Amount
}).annotate({ identifier: "OrderItem" })

export const Order = Schema.Struct({
  id: EntityId,
  order_number: Schema.String.annotate({ description: "ORD-YYYYMMDDHHMMSS-XXXXXXXX (UTC, 8 upper-case hex digits)." }),
  status: OrderStatus,
  payment_status: PaymentStatus,
  payment_method: PaymentMethod,
  total_amount: Amount,
  shipping_address: Schema.String.annotate({
    description: "The address as text when the order was placed: `{street}, {city}, {state} - {pincode}, {country}`."
  }),
  tracking_number: Schema.NullOr(Schema.String),
  created_at: Timestamp,
  items: Schema.Array(OrderItem)
}).annotate({ identifier: "Order" })
export type Order = typeof Order.Type

export const OrderResponse = Schema.Struct({ message: MessageText, order: Order }).annotate({
  identifier: "OrderResponse"
})
export const OrderPage = Schema.Struct({ orders: Schema.Array(Order), pagination: Pagination }).annotate({
  identifier: "OrderPage"
})
export type OrderPage = typeof OrderPage.Type

export const Tracking = Schema.Struct({
  order_number: Schema.String,
  status: OrderStatus,
  tracking_number: Schema.NullOr(Schema.String),
  history: Schema.Array(
    Schema.Struct({ status: OrderStatus, at: Timestamp, note: Schema.NullOr(Schema.String) }).annotate({
      identifier: "TrackingEvent"
    })
  )
}).annotate({ identifier: "Tracking" })
export type Tracking = typeof Tracking.Type

export const AdminStatusUpdate = Schema.Struct({
  status: Schema.optionalKey(OrderStatus),
  payment_status: Schema.optionalKey(PaymentStatus),
  tracking_number: Schema.optionalKey(
    Schema.String.check(
      Schema.isPattern(/^[A-Za-z0-9-]{1,100}$/u, { message: "tracking_number must be 1-100 letters, digits or '-'" })
    )
  )
}).annotate({
  identifier: "OrderStatusUpdate",
  examples: [{ status: "shipped", payment_status: "completed", tracking_number: "TRK-123456" }]
})
export type AdminStatusUpdate = typeof AdminStatusUpdate.Type

export const OrderListQuery = Schema.Struct(pageQuery(10))
export const AdminOrderListQuery = Schema.Struct({
  ...pageQuery(20),
  status: Schema.optionalKey(OrderStatus)
})

/** An Idempotency-Key: 1-255 visible ASCII characters. */
export const IdempotencyKey = Schema.String.check(
  Schema.isPattern(/^[\x21-\x7e]{1,255}$/u, { message: "Idempotency-Key must be 1-255 visible ASCII characters" })
)

/** `ORD-YYYYMMDDHHMMSS-XXXXXXXX` in UTC with 8 uppercase hex digits. */
export const makeOrderNumber = (now: Date, random: Uint8Array) => {
  const stamp = now.toISOString().replace(/[-:T]/g, "").slice(0, 14)
  const hex = Array.from(random.slice(0, 4), (b) => b.toString(16).padStart(2, "0"))
    .join("")
    .toUpperCase()
  return `ORD-${stamp}-${hex}`
}

/** `"{street}, {city}, {state} - {pincode}, {country}"`, captured when the order is placed. */
export const shippingAddressText = (a: {
  readonly street: string
  readonly city: string
  readonly state: string
  readonly pincode: string
  readonly country: string
}) => `${a.street}, ${a.city}, ${a.state} - ${a.pincode}, ${a.country}`

/** Exact money arithmetic on numeric(12,2) strings, in integer paise. */
export const toPaise = (amount: string) => {
  const [whole, fraction = ""] = amount.split(".")
  const sign = whole!.startsWith("-") ? -1 : 1
  return sign * (Math.abs(Number(whole)) * 100 + Number(fraction.padEnd(2, "0").slice(0, 2)))
}
export const fromPaise = (paise: number) => {
  const sign = paise < 0 ? "-" : ""
  const abs = Math.abs(paise)
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`
}
