import { api, type Order } from "../api.ts"
import { rupees } from "../format.ts"
import { ErrorBox, Loading, useLoad } from "../ui.tsx"

const LOW_STOCK = 10
const LOW_STOCK_SHOWN = 20
const isToday = (iso: string) => new Date(iso).toDateString() === new Date().toDateString()

/** Today's orders (newest first, so paging stops at yesterday's). */
const todaysOrders = async () => {
  const today: Array<Order> = []
  for (let page = 1; page <= 20; page++) {
    const r = await api((c) => c.orders.listAllOrders({ query: { page, per_page: 100 } }))
    for (const o of r.orders) if (isToday(o.created_at)) today.push(o)
    const last = r.orders[r.orders.length - 1]
    if (!last || !isToday(last.created_at) || page >= r.pagination.pages) break
  }
  return today
}

/** Today's orders and revenue, and the active products with the least stock (all of them at or under LOW_STOCK, counted). */
const load = async () => {
  const [today, low] = await Promise.all([
    todaysOrders(),
    api((c) =>
      c.products.listAll({
        query: {
          is_active: "true",
          max_stock: LOW_STOCK,
          sort_by: "stock_quantity",
          sort_order: "asc",
          per_page: LOW_STOCK_SHOWN
        }
      })
    )
  ])
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
          <h2>Low stock</h2>
          {data.data.low.products.length === 0 ? (
            <p class="muted">No active product is at {LOW_STOCK} units or fewer.</p>
          ) : (
            <>
              <p>
                {data.data.low.pagination.total.toLocaleString("en-IN")} active products at {LOW_STOCK} units or fewer
                {data.data.low.pagination.total > LOW_STOCK_SHOWN &&
                  `; the ${LOW_STOCK_SHOWN} with the least stock`}.{" "}
                <a href={`/admin/products?max_stock=${LOW_STOCK}&sort=stock_asc`}>All low-stock products</a>
              </p>
              <table class="table">
                <thead>
                  <tr>
                    <th scope="col">Product</th>
                    <th scope="col">SKU</th>
                    <th scope="col">In stock</th>
                  </tr>
                </thead>
                <tbody>
                  {data.data.low.products.map((p) => (
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
            </>
          )}
          <p>
            <a href="/admin/orders?status=pending">Pending orders</a>
          </p>
        </>
      )}
    </>
  )
}
