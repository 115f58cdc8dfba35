import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { HttpApiTest } from "effect/http-api"
import { Forbidden, NotFound, Unauthorized } from "../../src/domain/errors.ts"
import type { Order, OrderPage } from "../../src/domain/order.ts"
import { Api } from "../../src/http/Api.ts"
import { OrdersHandlers } from "../../src/http/OrdersHandlers.ts"
import { Orders } from "../../src/services/Orders.ts"
import { asCaller, AuthenticationTest } from "../support/handlerTest.ts"
import { recorder, stub } from "../support/stub.ts"

const order: Order = {
  id: 42,
  order_number: "ORD-20261130120000-0000ABCD",
  status: "pending",
  payment_status: "pending",
  payment_method: "UPI",
  total_amount: 2099.3,
  shipping_address: "1 MG Road, Bengaluru, Karnataka 560001, India",
  tracking_number: null,
  created_at: "2026-11-30T12:00:00.000Z",
  items: []
}
const page = (orders: ReadonlyArray<Order>): OrderPage => ({
  orders: [...orders],
  pagination: { page: 1, per_page: 10, total: orders.length, pages: 1 }
})

// Who asked for what: the stub records the calls the handlers run.
const { calls, record } = recorder()
const OrdersStub = stub(Orders, {
  place: (request) =>
    record(`place ${request.userId} ${request.input.address_id}`, {
      order,
      replayed: request.idempotencyKey._tag === "Some"
    }),
  listForUser: (userId) => record(`listForUser ${userId}`, page([order])),
  listAll: (_page, _perPage, status) => record(`listAll ${status ?? "any"}`, page([])),
  get: (userId, orderId) =>
    orderId === order.id
      ? record(`get ${userId} ${orderId}`, order)
      : Effect.fail(new NotFound({ error: "Order not found" }))
})

const HandlersTest = OrdersHandlers.pipe(Layer.provide(OrdersStub), Layer.provideMerge(AuthenticationTest))
const client = HttpApiTest.groups(Api, ["orders"])

layer(HandlersTest)("orders handlers, with the Orders service swapped for a stub", (it) => {
  it.effect("a customer places an order and lists their own orders", () =>
    Effect.gen(function* () {
      calls.length = 0
      const { orders } = yield* client
      const placed = yield* orders.placeOrder({ payload: { address_id: 3, payment_method: "UPI" }, headers: {} })
      assert.strictEqual(placed.message, "Order placed successfully")
      assert.strictEqual(placed.order.id, 42)
      const mine = yield* orders.listOrders({ query: {} })
      assert.strictEqual(mine.orders.length, 1)
      assert.deepStrictEqual(calls, ["place 7 3", "listForUser 7"])
    }).pipe(Effect.provide(asCaller("user-token")))
  )

  it.effect("the all-orders list is for admins only: a customer gets 403 before the service is asked", () =>
    Effect.gen(function* () {
      calls.length = 0
      const { orders } = yield* client
      const refused = yield* orders.listAllOrders({ query: {} }).pipe(Effect.flip)
      assert.instanceOf(refused, Forbidden)
      assert.deepStrictEqual(calls, [])
    }).pipe(Effect.provide(asCaller("user-token")))
  )

  it.effect("an admin lists every order by status", () =>
    Effect.gen(function* () {
      calls.length = 0
      const { orders } = yield* client
      yield* orders.listAllOrders({ query: { status: "shipped" } })
      assert.deepStrictEqual(calls, ["listAll shipped"])
    }).pipe(Effect.provide(asCaller("admin-token")))
  )

  it.effect("no token is 401", () =>
    Effect.gen(function* () {
      const { orders } = yield* client
      assert.instanceOf(yield* Effect.flip(orders.getOrder({ params: { id: 42 } })), Unauthorized)
    }).pipe(Effect.provide(asCaller(undefined)))
  )

  it.effect("a missing order is the service's 404", () =>
    Effect.gen(function* () {
      const { orders } = yield* client
      assert.instanceOf(yield* Effect.flip(orders.getOrder({ params: { id: 9 } })), NotFound)
    }).pipe(Effect.provide(asCaller("user-token")))
  )
})
