import { Effect, Option, Schema } from "effect"
import { HttpEffect, HttpServerResponse } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { ValidationError } from "../domain/errors.ts"
import { IdempotencyKey } from "../domain/order.ts"
import { perPageOf } from "../domain/pagination.ts"
import { Orders, PLACED_MESSAGE } from "../services/Orders.ts"
import { Api } from "./Api.ts"
import { CurrentUser, requireAdmin } from "./Authentication.ts"

const validKey = Schema.is(IdempotencyKey)

const markReplayed = (_request: unknown, response: HttpServerResponse.HttpServerResponse) =>
  Effect.succeed(HttpServerResponse.setHeader(response, "idempotent-replayed", "true"))

export const OrdersHandlers = HttpApiBuilder.group(
  Api,
  "orders",
  Effect.fn(function* (handlers) {
    const orders = yield* Orders
    return handlers.handleAll({
      placeOrder: ({ payload, headers }) =>
        Effect.gen(function* () {
          const { id } = yield* CurrentUser
          const key = headers["idempotency-key"]
          if (key !== undefined && !validKey(key)) {
            return yield* ValidationError.field("Idempotency-Key", "must be 1-255 visible ASCII characters")
          }
          const { order, replayed } = yield* orders.place({
            userId: id,
            input: payload,
            idempotencyKey: Option.fromUndefinedOr(key)
          })
          if (replayed) yield* HttpEffect.appendPreResponseHandler(markReplayed)
          return { message: PLACED_MESSAGE, order }
        }),
      listOrders: ({ query }) =>
        Effect.flatMap(Effect.service(CurrentUser), ({ id }) =>
          orders.listForUser(id, query.page ?? 1, perPageOf(query.per_page, 10))
        ),
      listAllOrders: ({ query }) =>
        Effect.andThen(requireAdmin, orders.listAll(query.page ?? 1, perPageOf(query.per_page, 20), query.status)),
      getAnyOrder: ({ params }) => Effect.andThen(requireAdmin, orders.adminGet(params.id)),
      trackAnyOrder: ({ params }) => Effect.andThen(requireAdmin, orders.adminTracking(params.id)),
      getOrder: ({ params }) => Effect.flatMap(Effect.service(CurrentUser), ({ id }) => orders.get(id, params.id)),
      cancelOrder: ({ params }) =>
        Effect.gen(function* () {
          const { id } = yield* CurrentUser
          return { message: "Order cancelled successfully", order: yield* orders.cancel(id, params.id) }
        }),
      trackOrder: ({ params }) =>
        Effect.flatMap(Effect.service(CurrentUser), ({ id }) => orders.tracking(id, params.id)),
      updateOrderStatus: ({ params, payload }) =>
        Effect.gen(function* () {
          yield* requireAdmin
          return { message: "Order updated successfully", order: yield* orders.adminUpdate(params.id, payload) }
        })
    })
  })
)
