import { Schema } from "effect"

/**
 * The order and payment state machines, as pure data and functions: every
 * status change of the shop goes through `transition`, so the rules live here
 * and nowhere else (the original shop allowed any jump).
 */
export const OrderStatus = Schema.Literals(["pending", "confirmed", "shipped", "delivered", "cancelled"])
export type OrderStatus = typeof OrderStatus.Type

export const PaymentStatus = Schema.Literals(["pending", "completed", "failed", "refunded"])
export type PaymentStatus = typeof PaymentStatus.Type

export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, ReadonlyArray<OrderStatus>>> = {
  pending: ["confirmed", "cancelled"],
  confirmed: ["shipped", "cancelled"],
  shipped: ["delivered"],
  delivered: [],
  cancelled: []
}

export const PAYMENT_TRANSITIONS: Readonly<Record<PaymentStatus, ReadonlyArray<PaymentStatus>>> = {
  pending: ["completed", "failed"],
  completed: ["refunded"],
  failed: [],
  refunded: []
}

export interface OrderState {
  readonly status: OrderStatus
  readonly paymentStatus: PaymentStatus
}

export interface StatusChange {
  readonly status?: OrderStatus | undefined
  readonly paymentStatus?: PaymentStatus | undefined
}

export type TransitionResult =
  | { readonly _tag: "Changed"; readonly state: OrderState; readonly restoresStock: boolean }
  | { readonly _tag: "Rejected"; readonly reason: string }

export const isCancellable = (status: OrderStatus) => ORDER_TRANSITIONS[status].includes("cancelled")

/**
 * Applies a requested change. A change to the status the order already has is
 * no transition of API.md's machine, so it is rejected like any other. Cancelling
 * restores stock (the caller does it, once) and turns a completed payment into `refunded`.
 */
export const transition = (from: OrderState, change: StatusChange): TransitionResult => {
  let status = from.status
  let paymentStatus = from.paymentStatus
  if (change.status !== undefined) {
    if (change.status === status) return { _tag: "Rejected", reason: `The order is already ${status}` }
    if (!ORDER_TRANSITIONS[status].includes(change.status)) {
      return { _tag: "Rejected", reason: `Order status cannot change from ${status} to ${change.status}` }
    }
    status = change.status
  }
  if (change.paymentStatus !== undefined) {
    if (change.paymentStatus === paymentStatus)
      return { _tag: "Rejected", reason: `The payment is already ${paymentStatus}` }
    if (!PAYMENT_TRANSITIONS[paymentStatus].includes(change.paymentStatus)) {
      return {
        _tag: "Rejected",
        reason: `Payment status cannot change from ${paymentStatus} to ${change.paymentStatus}`
      }
    }
    paymentStatus = change.paymentStatus
  }
  const cancelled = status === "cancelled" && from.status !== "cancelled"
  if (cancelled && paymentStatus === "completed") paymentStatus = "refunded"
  return { _tag: "Changed", state: { status, paymentStatus }, restoresStock: cancelled }
}
