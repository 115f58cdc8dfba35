import { describe, expect, it } from "vitest"
import {
  isCancellable,
  ORDER_TRANSITIONS,
  type OrderStatus,
  PAYMENT_TRANSITIONS,
  type PaymentStatus,
  transition
} from "../../src/domain/orderStatus.ts"

const statuses: ReadonlyArray<OrderStatus> = ["pending", "confirmed", "shipped", "delivered", "cancelled"]
const payments: ReadonlyArray<PaymentStatus> = ["pending", "completed", "failed", "refunded"]

const allowedOrder = new Set([
  "pending>confirmed",
  "confirmed>shipped",
  "shipped>delivered",
  "pending>cancelled",
  "confirmed>cancelled"
])
const allowedPayment = new Set(["pending>completed", "pending>failed", "completed>refunded"])

describe("order state machine", () => {
  it("tables match API.md exactly", () => {
    const order = Object.entries(ORDER_TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => `${from}>${to}`))
    const payment = Object.entries(PAYMENT_TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => `${from}>${to}`))
    expect(new Set(order)).toEqual(allowedOrder)
    expect(new Set(payment)).toEqual(allowedPayment)
  })

  describe("every pair of order statuses, from every payment status", () => {
    for (const from of statuses)
      for (const to of statuses)
        for (const paymentStatus of payments) {
          it(`${from} -> ${to} (payment ${paymentStatus})`, () => {
            const result = transition({ status: from, paymentStatus }, { status: to })
            if (from === to) {
              expect(result).toEqual({ _tag: "Rejected", reason: `The order is already ${from}` })
            } else if (allowedOrder.has(`${from}>${to}`)) {
              const expectedPayment = to === "cancelled" && paymentStatus === "completed" ? "refunded" : paymentStatus
              expect(result).toEqual({
                _tag: "Changed",
                state: { status: to, paymentStatus: expectedPayment },
                restoresStock: to === "cancelled"
              })
            } else {
              expect(result._tag).toBe("Rejected")
            }
          })
        }
  })

  describe("every pair of payment statuses", () => {
    for (const from of payments)
      for (const to of payments) {
        it(`${from} -> ${to}`, () => {
          const result = transition({ status: "confirmed", paymentStatus: from }, { paymentStatus: to })
          if (allowedPayment.has(`${from}>${to}`)) {
            expect(result).toEqual({
              _tag: "Changed",
              state: { status: "confirmed", paymentStatus: to },
              restoresStock: false
            })
          } else {
            expect(result._tag).toBe("Rejected")
          }
        })
      }
  })

  it("a combined change is all or nothing", () => {
    expect(
      transition({ status: "pending", paymentStatus: "pending" }, { status: "shipped", paymentStatus: "completed" })
        ._tag
    ).toBe("Rejected")
    expect(
      transition({ status: "pending", paymentStatus: "pending" }, { status: "confirmed", paymentStatus: "completed" })
    ).toEqual({ _tag: "Changed", state: { status: "confirmed", paymentStatus: "completed" }, restoresStock: false })
  })

  it("only pending and confirmed orders can be cancelled", () => {
    expect(statuses.filter(isCancellable)).toEqual(["pending", "confirmed"])
  })
})
