import { useLocation } from "preact-iso"
import { useState } from "preact/hooks"
import { api, errorText, session, type Tracking } from "../api.ts"
import { formatDateTime, rupees, titleCase } from "../format.ts"
import { useStore } from "../store.ts"
import { Empty, ErrorBox, Loading, Pager, SignInFirst, useLoad } from "../ui.tsx"

export const StatusTag = ({ status }: { status: string }) => (
  <span class={`tag status-${status}`}>{titleCase(status)}</span>
)

/** An order's status changes, oldest first (the shopper's order page and the admin's). */
export const Timeline = ({ history }: { history: Tracking["history"] }) => (
  <ol class="timeline">
    {history.map((h, i) => (
      <li key={i}>
        <strong>{titleCase(h.status)}</strong> <span class="muted">{formatDateTime(h.at)}</span>
        {h.note && <span> · {h.note}</span>}
      </li>
    ))}
  </ol>
)

/** The shopper's orders, newest first; the page is in the URL. */
export const OrderList = () => {
  const signed = useStore(session) !== undefined
  const { query } = useLocation()
  const page = /^[1-9][0-9]{0,5}$/.test(query.page ?? "") ? Number(query.page) : 1
  const list = useLoad(
    () => (signed ? api((c) => c.orders.listOrders({ query: { page, per_page: 10 } })) : Promise.resolve(undefined)),
    [signed, page]
  )
  if (!signed) return <SignInFirst what="your orders" />
  return (
    <main id="main" class="page narrow">
      <h1>Your orders</h1>
      {list.error !== undefined && <ErrorBox error={list.error} retry={list.reload} />}
      {list.loading && !list.data && <Loading label="Loading orders" />}
      {list.data &&
        (list.data.orders.length === 0 ? (
          <Empty>
            <p>No orders yet.</p>
            <a href="/products">Start shopping</a>
          </Empty>
        ) : (
          <ul class="orders">
            {list.data.orders.map((o) => (
              <li key={o.id} class="order-row">
                <a href={`/orders/${o.id}`}>{o.order_number}</a>
                <span>{formatDateTime(o.created_at)}</span>
                <StatusTag status={o.status} />
                <strong>{rupees(o.total_amount)}</strong>
              </li>
            ))}
          </ul>
        ))}
      {list.data && (
        <Pager page={list.data.pagination.page} pages={list.data.pagination.pages} href={(n) => `/orders?page=${n}`} />
      )}
    </main>
  )
}

/** One order: items, address, payment, the tracking timeline, and cancelling while that is allowed. */
export const OrderPage = ({ id }: { id: string }) => {
  const signed = useStore(session) !== undefined
  const { query } = useLocation()
  const orderId = /^[1-9][0-9]{0,9}$/.test(id) ? Number(id) : 0
  const data = useLoad(
    () =>
      signed
        ? Promise.all([
            api((c) => c.orders.getOrder({ params: { id: orderId } })),
            api((c) => c.orders.trackOrder({ params: { id: orderId } }))
          ])
        : Promise.resolve(undefined),
    [signed, orderId]
  )
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>()
  if (!signed) return <SignInFirst what="this order" />
  if (data.loading && !data.data)
    return (
      <main id="main" class="page">
        <Loading label="Loading order" />
      </main>
    )
  if (data.error !== undefined || !data.data)
    return (
      <main id="main" class="page">
        <h1>Order</h1>
        <ErrorBox error={data.error} retry={data.reload} />
        <a href="/orders">Your orders</a>
      </main>
    )
  const [order, tracking] = data.data
  const cancellable = order.status === "pending" || order.status === "confirmed"
  return (
    <main id="main" class="page narrow">
      {query.placed === "1" && (
        <p class="notice" role="status">
          Thank you! Your order has been placed.
        </p>
      )}
      <h1>Order {order.order_number}</h1>
      <p>
        <StatusTag status={order.status} /> · placed {formatDateTime(order.created_at)} · payment {order.payment_method}{" "}
        ({order.payment_status})
      </p>
      <ul class="plain order-items">
        {order.items.map((i) => (
          <li key={i.id}>
            <a href={`/products/${i.product.id}`}>{i.product.name}</a> × {i.quantity} at {rupees(i.price)}
            <span class="right">{rupees(i.subtotal)}</span>
          </li>
        ))}
      </ul>
      <p>
        Total <strong class="total">{rupees(order.total_amount)}</strong>
      </p>
      <p>Delivering to: {order.shipping_address}</p>
      <h2>Tracking</h2>
      {tracking.tracking_number && <p>Tracking number: {tracking.tracking_number}</p>}
      <Timeline history={tracking.history} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {cancellable &&
        (confirming ? (
          <p class="row">
            Cancel this order?{" "}
            <button
              type="button"
              class="btn danger"
              disabled={busy}
              onClick={async () => {
                setBusy(true)
                try {
                  await api((c) => c.orders.cancelOrder({ params: { id: order.id } }))
                  setError(undefined)
                  setConfirming(false)
                } catch (e) {
                  setError(errorText(e))
                } finally {
                  setBusy(false)
                  data.reload()
                }
              }}
            >
              Yes, cancel order
            </button>
            <button type="button" class="btn secondary" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </p>
        ) : (
          <button type="button" class="btn secondary" onClick={() => setConfirming(true)}>
            Cancel order
          </button>
        ))}
    </main>
  )
}
