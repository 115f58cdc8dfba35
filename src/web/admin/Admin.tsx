import { useLocation } from "preact-iso"
import { session } from "../api.ts"
import { useStore } from "../store.ts"
import { SignInFirst } from "../ui.tsx"
import { AdminCategories } from "./Categories.tsx"
import { Dashboard } from "./Dashboard.tsx"
import { AdminOrder, AdminOrders } from "./Orders.tsx"
import { AdminProducts, ProductEditor } from "./Products.tsx"

const SECTIONS = [
  ["/admin", "Dashboard"],
  ["/admin/products", "Products"],
  ["/admin/categories", "Categories"],
  ["/admin/orders", "Orders"]
] as const

const page = (path: string) => {
  const m = /^\/admin\/(products|orders)\/(new|[1-9][0-9]{0,9})$/.exec(path)
  if (m?.[1] === "products") return <ProductEditor id={m[2] === "new" ? undefined : Number(m[2])} />
  if (m?.[1] === "orders" && m[2] !== "new") return <AdminOrder id={Number(m[2])} />
  if (path === "/admin/products") return <AdminProducts />
  if (path === "/admin/categories") return <AdminCategories />
  if (path === "/admin/orders") return <AdminOrders />
  if (path === "/admin" || path === "/admin/") return <Dashboard />
  return <p>No such admin page.</p>
}

/** The admin console: admins only (the API refuses others anyway). */
export const Admin = () => {
  const user = useStore(session)?.user
  const { path } = useLocation()
  if (!user) return <SignInFirst what="the admin console" />
  if (!user.is_admin)
    return (
      <main id="main" class="page narrow">
        <h1>Admins only</h1>
        <p class="error" role="alert">
          You are signed in as {user.username}, which is not an admin account, so the admin console is not available.
        </p>
        <a href="/">Back to the shop</a>
      </main>
    )
  return (
    <div class="admin">
      <nav class="admin-nav" aria-label="Admin">
        {SECTIONS.map(([href, label]) => (
          <a
            key={href}
            href={href}
            aria-current={path === href || (href !== "/admin" && path.startsWith(href)) ? "page" : undefined}
          >
            {label}
          </a>
        ))}
      </nav>
      <main id="main" class="page admin-main">
        {page(path)}
      </main>
    </div>
  )
}
