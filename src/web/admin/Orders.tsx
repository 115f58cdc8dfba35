import { useLocation } from "preact-iso"
import { useState } from "preact/hooks"
import { api, errorText, type Order } from "../api.ts"
import { formatDateTime, rupees, titleCase } from "../format.ts"
import { StatusTag, Timeline } from "../pages/Orders.tsx"
import { Empty, ErrorBox, Loading, Pager, useLoad } from "../ui.tsx"

type Status = Order["status"]
type Payment = Order["payment_status"]
const STATUSES: ReadonlyArray<Status> = ["pending", "confirmed", "shipped", "delivered", "cancelled"]
// The API's state machines (API.md), so only allowed changes are offered; the API checks them anyway.
const NEXT_STATUS: Record<Status, ReadonlyArray<Status>> = {
  pending: ["confirmed", "cancelled"],
  confirmed: ["shipped", "cancelled"],
  shipped: ["delivered"],
  delivered: [],
  cancelled: []
}
const NEXT_PAYMENT: Record<Payment, ReadonlyArray<Payment>> = {
  pending: ["completed", "failed"],
  completed: ["refunded"],
  failed: [],
  refunded: []
}

/** All orders, by status, newest first. */
export const AdminOrders = () => {
  const { query, route } = useLocation()
  const status = STATUSES.find((s) => s === query.status)
  const page = /^[1-9][0-9]{0,5}$/.test(query.page ?? "") ? Number(query.page) : 1
  const list = useLoad(
    () => api((c) => c.orders.listAllOrders({ query: { page, per_page: 20, ...(status ? { status } : {}) } })),
    [status, page]
  )
  return (
    <>
      <div class="results-head">
        <h1>Orders</h1>
        <div class="field inline">
          <label for="o-status">Status</label>
          <select
            id="o-status"
            value={status ?? ""}
            onChange={(e) =>
              route(e.currentTarget.value ? `/admin/orders?status=${e.currentTarget.value}` : "/admin/orders")
            }
          >
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {titleCase(s)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {list.error !== undefined && <ErrorBox error={list.error} retry={list.reload} />}
      {list.loading && !list.data && <Loading />}
      {list.data &&
        (list.data.orders.length === 0 ? (
          <Empty>No orders{status ? ` with status ${status}` : ""}.</Empty>
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Placed</th>
                <th scope="col">Status</th>
                <th scope="col">Payment</th>
                <th scope="col">Total</th>
              </tr>
            </thead>
            <tbody>
              {list.data.orders.map((o) => (
                <tr key={o.id}>
                  <td>
                    <a href={`/admin/orders/${o.id}`}>{o.order_number}</a>
                  </td>
                  <td>{formatDateTime(o.created_at)}</td>
                  <td>
                    <StatusTag status={o.status} />
                  </td>
                  <td>
                    {o.payment_method} · {o.payment_status}
                  </td>
                  <td>{rupees(o.total_amount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      {list.data && (
        <Pager
          page={list.data.pagination.page}
          pages={list.data.pagination.pages}
          href={(n) => `/admin/orders?${status ? `status=${status}&` : ""}page=${n}`}
        />
      )}
    </>
  )
}

/** One order: items, its status history, and the changes its state allows (status, payment, tracking number). */
export const AdminOrder = ({ id }: { id: number }) => {
  const data = useLoad(
    () =>
      Promise.all([
        api((c) => c.orders.getAnyOrder({ params: { id } })),
        api((c) => c.orders.trackAnyOrder({ params: { id } }))
      ]),
    [id]
  )
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>()
  const [busy, setBusy] = useState(false)
  if (data.loading && !data.data) return <Loading />
  if (data.error !== undefined || !data.data) return <ErrorBox error={data.error} retry={data.reload} />
  const [order, tracking] = data.data
  const update = async (payload: { status?: Status; payment_status?: Payment; tracking_number?: string }) => {
    setBusy(true)
    try {
      const r = await api((c) => c.orders.updateOrderStatus({ params: { id }, payload }))
      setMessage({ ok: true, text: r.message })
    } catch (e) {
      setMessage({ ok: false, text: errorText(e) })
    } finally {
      setBusy(false)
      data.reload()
    }
  }
  return (
    <>
      <h1>Order {order.order_number}</h1>
      <p>
        <StatusTag status={order.status} /> · {order.payment_method} · payment {order.payment_status} · placed{" "}
        {formatDateTime(order.created_at)}
      </p>
      <p>Ship to: {order.shipping_address}</p>
      <ul class="plain order-items">
        {order.items.map((i) => (
          <li key={i.id}>
            {i.product.name} × {i.quantity} at {rupees(i.price)} <span class="right">{rupees(i.subtotal)}</span>
          </li>
        ))}
      </ul>
      <p>
        Total <strong>{rupees(order.total_amount)}</strong>
      </p>
      <h2>Status history</h2>
      {order.tracking_number && <p>Tracking number: {order.tracking_number}</p>}
      <Timeline history={tracking.history} />
      {message && (
        <p class={message.ok ? "ok" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      )}
      <div class="row">
        {NEXT_STATUS[order.status].map((s) => (
          <button
            key={s}
            type="button"
            class={s === "cancelled" ? "btn danger" : "btn"}
            disabled={busy}
            onClick={() => update({ status: s })}
          >
            Mark {s}
          </button>
        ))}
        {NEXT_PAYMENT[order.payment_status].map((s) => (
          <button
            key={s}
            type="button"
            class="btn secondary"
            disabled={busy}
            onClick={() => update({ payment_status: s })}
          >
            Payment {s}
          </button>
        ))}
        {NEXT_STATUS[order.status].length === 0 && <span class="muted">No further status changes.</span>}
      </div>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault()
          const v = new FormData(e.currentTarget).get("tracking_number")
          void update({ tracking_number: String(v ?? "").trim() })
        }}
      >
        <label for="t-number">Tracking number</label>
        <input
          id="t-number"
          name="tracking_number"
          defaultValue={order.tracking_number ?? ""}
          key={order.tracking_number ?? ""}
        />
        <button type="submit" class="btn secondary" disabled={busy}>
          Save tracking number
        </button>
      </form>
      <p>
        <a href="/admin/orders">Back to orders</a>
      </p>
    </>
  )
}
