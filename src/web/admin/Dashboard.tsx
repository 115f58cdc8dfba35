import { api, type Order, type Product } from "../api.ts"
import { rupees } from "../format.ts"
import { ErrorBox, Loading, useLoad } from "../ui.tsx"

const LOW_STOCK = 10
const isToday = (iso: string) => new Date(iso).toDateString() === new Date().toDateString()

/** Today's orders (newest first, so paging stops at yesterday's) and low stock among recently ordered products. */
const load = async () => {
  const today: Array<Order> = []
  const recent = new Set<number>()
  for (let page = 1; page <= 20; page++) {
    const r = await api((c) => c.orders.listAllOrders({ query: { page, per_page: 100 } }))
    for (const o of r.orders) {
      if (isToday(o.created_at)) today.push(o)
      for (const i of o.items) recent.add(i.product.id)
    }
    const last = r.orders[r.orders.length - 1]
    if (!last || !isToday(last.created_at) || page >= r.pagination.pages) break
  }
  const products = await Promise.all(
    [...recent].slice(0, 60).map((id) => api((c) => c.products.get({ params: { id } })).catch(() => undefined))
  )
  const low = products
    .filter((p): p is Product => p !== undefined && p.stock_quantity <= LOW_STOCK)
    .sort((a, b) => a.stock_quantity - b.stock_quantity)
  const counted = today.filter((o) => o.status !== "cancelled")
  const revenue = Math.round(counted.reduce((t, o) => t + o.total_amount * 100, 0)) / 100
  return { today, counted, revenue, low }
}

export const Dashboard = () => {
  const data = useLoad(load, [])
  return (
    <>
      <h1>Dashboard</h1>
      {data.error !== undefined && <ErrorBox error={data.error} retry={data.reload} />}
      {data.loading && !data.data && <Loading />}
      {data.data && (
        <>
          <div class="stats">
            <div class="stat">
              <span class="stat-label">Orders today</span>
              <strong class="stat-value">{data.data.today.length}</strong>
            </div>
            <div class="stat">
              <span class="stat-label">Revenue today (not cancelled)</span>
              <strong class="stat-value">{rupees(data.data.revenue)}</strong>
            </div>
          </div>
          <h2>Low stock among recently ordered products</h2>
          {data.data.low.length === 0 ? (
            <p class="muted">Nothing recently ordered is at {LOW_STOCK} units or fewer.</p>
          ) : (
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">SKU</th>
                  <th scope="col">In stock</th>
                </tr>
              </thead>
              <tbody>
                {data.data.low.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <a href={`/admin/products/${p.id}`}>{p.name}</a>
                    </td>
                    <td>{p.sku}</td>
                    <td class={p.stock_quantity === 0 ? "warn" : undefined}>{p.stock_quantity}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p>
            <a href="/admin/orders?status=pending">Pending orders</a>
          </p>
        </>
      )}
    </>
  )
}
