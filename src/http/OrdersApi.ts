import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { IdParams } from "../domain/ids.ts"
import {
  BadRequest,
  CartEmpty,
  Forbidden,
  IdempotencyInFlight,
  IdempotencyMismatch,
  InsufficientStock,
  InvalidTransition,
  NotFound,
  OrderNotCancellable,
  ValidationError
} from "../domain/errors.ts"
import {
  AdminOrderListQuery,
  AdminStatusUpdate,
  IdempotencyKey,
  OrderListQuery,
  Order,
  OrderPage,
  OrderResponse,
  PlaceOrder,
  Tracking
} from "../domain/order.ts"
import { Authentication } from "./Authentication.ts"

export class OrdersApi extends HttpApiGroup.make("orders")
  .add(
    HttpApiEndpoint.post("placeOrder", "/", {
      payload: PlaceOrder,
      headers: {
        "idempotency-key": Schema.optionalKey(
          IdempotencyKey.annotate({
            description:
              "Makes a retry safe: a retry with the same key and body gets the first response again (kept for IDEMPOTENCY_KEY_TTL, 24 hours by default)."
          })
        )
      },
      success: OrderResponse.pipe(HttpApiSchema.status(201)),
      error: [CartEmpty, InsufficientStock, BadRequest, IdempotencyInFlight, IdempotencyMismatch]
    }),
    HttpApiEndpoint.get("listOrders", "/", { query: OrderListQuery, success: OrderPage }),
    HttpApiEndpoint.get("listAllOrders", "/all", { query: AdminOrderListQuery, success: OrderPage, error: Forbidden }),
    HttpApiEndpoint.get("getAnyOrder", "/all/:id", { params: IdParams, success: Order, error: [NotFound, Forbidden] }),
    HttpApiEndpoint.get("trackAnyOrder", "/all/:id/tracking", {
      params: IdParams,
      success: Tracking,
      error: [NotFound, Forbidden]
    }),
    HttpApiEndpoint.get("getOrder", "/:id", { params: IdParams, success: Order, error: NotFound }),
    HttpApiEndpoint.post("cancelOrder", "/:id/cancel", {
      params: IdParams,
      success: OrderResponse,
      error: [NotFound, OrderNotCancellable]
    }),
    HttpApiEndpoint.get("trackOrder", "/:id/tracking", { params: IdParams, success: Tracking, error: NotFound }),
    HttpApiEndpoint.put("updateOrderStatus", "/:id/status", {
      params: IdParams,
      payload: AdminStatusUpdate,
      success: OrderResponse,
      error: [NotFound, InvalidTransition, Forbidden, ValidationError]
    })
  )
  .middleware(Authentication)
  .prefix("/api/orders")
  .annotateMerge(
    OpenApi.annotations({
      title: "Orders",
      description:
        "Checkout (one transaction: no oversell; `Idempotency-Key` replays the first response with `Idempotent-Replayed: true`), history, cancellation, tracking; `/all`, `/all/{id}`, `/all/{id}/tracking` and `/{id}/status` are for admins."
    })
  ) {}
