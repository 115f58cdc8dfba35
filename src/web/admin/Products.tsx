import { useLocation } from "preact-iso"
import { useState } from "preact/hooks"
import { api, ApiError, type Client, errorText, type Product } from "../api.ts"
import { rupees } from "../format.ts"
import { Empty, ErrorBox, Field, formValues, Loading, Pager, useLoad } from "../ui.tsx"

const hrefWith = (q: Record<string, string>, changes: Record<string, string | undefined>) => {
  const next = new URLSearchParams()
  for (const [k, v] of Object.entries({ ...q, ...changes })) if (v) next.set(k, v)
  if (!("page" in changes)) next.delete("page")
  return `/admin/products${next.size > 0 ? "?" + next.toString() : ""}`
}

type AdminQuery = NonNullable<Parameters<Client["products"]["listAll"]>[0]>["query"]
const SORTS = {
  newest: ["created_at", "desc", "Newest first"],
  stock_asc: ["stock_quantity", "asc", "Stock, lowest first"],
  name_asc: ["name", "asc", "Name, A to Z"],
  price_asc: ["final_price", "asc", "Price, low to high"],
  price_desc: ["final_price", "desc", "Price, high to low"]
} as const
const SHOW = { active: "Active", deactivated: "Deactivated", all: "Active and deactivated" } as const
const whole = (v: string | undefined, max: number) =>
  v && /^[0-9]{1,9}$/.test(v) && Number(v) <= max ? Number(v) : undefined

/** The URL's filters as the admin list's query (GET /api/products/all); unknown values fall back to the defaults. */
export const adminQuery = (q: Record<string, string>): AdminQuery => {
  const sort = SORTS[(q.sort ?? "newest") as keyof typeof SORTS] ?? SORTS.newest
  const show = q.show === "deactivated" || q.show === "all" ? q.show : "active"
  const page = whole(q.page, 1_000_000)
  const category = whole(q.category_id, 2_147_483_647)
  const maxStock = whole(q.max_stock, 2_147_483_647)
  return {
    per_page: 20,
    sort_by: sort[0],
    sort_order: sort[1],
    ...(show === "all" ? {} : { is_active: show === "active" ? "true" : "false" }),
    ...(page ? { page } : {}),
    ...(category ? { category_id: category } : {}),
    ...(maxStock !== undefined ? { max_stock: maxStock } : {}),
    ...(q.search?.trim() ? { search: q.search.trim() } : {}),
    ...(q.brand?.trim() ? { brand: q.brand.trim() } : {})
  }
}

/** Every product, deactivated ones too (state in the URL), each with edit and deactivate or reactivate. */
export const AdminProducts = () => {
  const { query: q, route } = useLocation()
  const query = adminQuery(q)
  const categories = useLoad(() => api((c) => c.categories.list({ query: {} })), [])
  const list = useLoad(() => api((c) => c.products.listAll({ query })), [JSON.stringify(query)])
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>()
  const act = async (p: Product) => {
    try {
      if (p.is_active) {
        const r = await api((c) => c.products.delete({ params: { id: p.id } }))
        setMessage({ ok: true, text: `${r.message}: ${p.name}` })
      } else {
        const r = await api((c) => c.products.update({ params: { id: p.id }, payload: { is_active: true } }))
        setMessage({ ok: true, text: `Reactivated: ${r.product.name}` })
      }
    } catch (e) {
      setMessage({ ok: false, text: errorText(e) })
    }
    list.reload()
  }
  return (
    <>
      <div class="results-head">
        <h1>Products</h1>
        <a href="/admin/products/new" class="btn">
          New product
        </a>
      </div>
      <form
        class="toolbar"
        role="search"
        key={JSON.stringify(q)}
        onSubmit={(e) => {
          e.preventDefault()
          const v = formValues(e.currentTarget)
          route(
            hrefWith(q, {
              search: v.search,
              category_id: v.category_id,
              brand: v.brand,
              max_stock: v.max_stock?.trim(),
              show: v.show === "active" ? undefined : v.show,
              sort: v.sort === "newest" ? undefined : v.sort
            })
          )
        }}
      >
        <Field label="Search" name="search" type="search" defaultValue={q.search ?? ""} />
        <div class="field">
          <label for="a-cat">Category</label>
          <select id="a-cat" name="category_id" defaultValue={q.category_id ?? ""}>
            <option value="">All</option>
            {(categories.data ?? []).map((c) => (
              <option key={c.id} value={String(c.id)} selected={q.category_id === String(c.id)}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <Field label="Brand" name="brand" defaultValue={q.brand ?? ""} />
        <Field label="Stock at most" name="max_stock" inputMode="numeric" defaultValue={q.max_stock ?? ""} />
        <div class="field">
          <label for="a-show">Show</label>
          <select id="a-show" name="show" defaultValue={q.show ?? "active"}>
            {Object.entries(SHOW).map(([value, label]) => (
              <option key={value} value={value} selected={(q.show ?? "active") === value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="a-sort">Sort</label>
          <select id="a-sort" name="sort" defaultValue={q.sort ?? "newest"}>
            {Object.entries(SORTS).map(([value, [, , label]]) => (
              <option key={value} value={value} selected={(q.sort ?? "newest") === value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="btn secondary">
          Filter
        </button>
      </form>
      {message && (
        <p class={message.ok ? "ok" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      )}
      {list.error !== undefined && <ErrorBox error={list.error} retry={list.reload} />}
      {list.loading && !list.data && <Loading />}
      {list.data &&
        (list.data.products.length === 0 ? (
          <Empty>No products match.</Empty>
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">SKU</th>
                <th scope="col">Price</th>
                <th scope="col">Stock</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.products.map((p) => (
                <tr key={p.id}>
                  <td>{p.is_active ? <a href={`/admin/products/${p.id}`}>{p.name}</a> : p.name}</td>
                  <td>{p.sku}</td>
                  <td>{rupees(p.final_price)}</td>
                  <td class={p.stock_quantity === 0 ? "warn" : undefined}>{p.stock_quantity}</td>
                  <td>{p.is_active ? "Active" : "Deactivated"}</td>
                  <td>
                    <button type="button" class={p.is_active ? "link danger" : "link"} onClick={() => act(p)}>
                      {p.is_active ? "Deactivate" : "Reactivate"}
                      <span class="visually-hidden"> {p.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      {list.data && (
        <Pager
          page={list.data.pagination.page}
          pages={list.data.pagination.pages}
          href={(n) => hrefWith(q, { page: String(n) })}
        />
      )}
    </>
  )
}

const numberOr = (field: string, v: string | undefined, fields: Record<string, string>) => {
  const s = (v ?? "").trim()
  if (s === "") return undefined
  const n = Number(s)
  if (!Number.isFinite(n)) fields[field] = `${field} must be a number`
  return n
}

/** Create (id undefined) or edit a product; the API's refusals show beside the fields. */
export const ProductEditor = ({ id }: { id: number | undefined }) => {
  const { route } = useLocation()
  const categories = useLoad(() => api((c) => c.categories.list({ query: {} })), [])
  const product = useLoad(
    () => (id === undefined ? Promise.resolve(undefined) : api((c) => c.products.get({ params: { id } }))),
    [id]
  )
  const [error, setError] = useState<ApiError | undefined>()
  const [saved, setSaved] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)
  if (product.loading && !product.data && id !== undefined) return <Loading />
  if (product.error !== undefined) return <ErrorBox error={product.error} retry={product.reload} />
  const p = product.data
  const e = error?.fields ?? {}
  return (
    <>
      <h1>{p ? `Edit ${p.name}` : "New product"}</h1>
      <form
        class="stack"
        noValidate
        key={p?.id ?? "new"}
        onSubmit={async (ev) => {
          ev.preventDefault()
          const v = formValues(ev.currentTarget)
          const fields: Record<string, string> = {}
          const price = numberOr("price", v.price, fields)
          const discount = numberOr("discount_percentage", v.discount_percentage, fields)
          const stock = numberOr("stock_quantity", v.stock_quantity, fields)
          const category = numberOr("category_id", v.category_id, fields)
          if (id === undefined && price === undefined) fields.price = "price is required"
          if (id === undefined && category === undefined) fields.category_id = "choose a category"
          if (Object.keys(fields).length > 0) {
            setError(new ApiError(400, "VALIDATION_ERROR", "Please correct the highlighted fields.", fields))
            return
          }
          const text = (k: string) => (v[k]?.trim() ? v[k].trim() : null)
          const payload = {
            name: v.name ?? "",
            sku: v.sku ?? "",
            description: text("description"),
            brand: text("brand"),
            image_url: text("image_url"),
            ...(price !== undefined ? { price } : {}),
            ...(discount !== undefined ? { discount_percentage: discount } : {}),
            ...(stock !== undefined ? { stock_quantity: stock } : {}),
            ...(category !== undefined ? { category_id: category } : {})
          }
          setBusy(true)
          try {
            if (id === undefined) {
              const r = await api((c) =>
                c.products.create({ payload: { ...payload, price: price ?? 0, category_id: category ?? 0 } })
              )
              route(`/admin/products/${r.product.id}`)
              setSaved(`${r.message}.`)
            } else {
              const r = await api((c) => c.products.update({ params: { id }, payload }))
              setSaved(`${r.message}.`)
              product.reload()
            }
            setError(undefined)
          } catch (err) {
            setSaved(undefined)
            setError(err instanceof ApiError ? err : new ApiError(0, "UNKNOWN", errorText(err)))
          } finally {
            setBusy(false)
          }
        }}
      >
        <Field label="Name" name="name" required defaultValue={p?.name ?? ""} error={e.name} />
        <Field label="SKU" name="sku" required defaultValue={p?.sku ?? ""} error={e.sku} />
        <Field
          label="Price (₹)"
          name="price"
          inputMode="decimal"
          required
          defaultValue={p ? String(p.price) : ""}
          error={e.price}
        />
        <Field
          label="Discount (%)"
          name="discount_percentage"
          inputMode="decimal"
          defaultValue={p ? String(p.discount_percentage) : "0"}
          error={e.discount_percentage}
        />
        <Field
          label="Stock"
          name="stock_quantity"
          inputMode="numeric"
          defaultValue={p ? String(p.stock_quantity) : "0"}
          error={e.stock_quantity}
        />
        <div class="field">
          <label for="f-category_id">Category</label>
          <select
            id="f-category_id"
            name="category_id"
            aria-invalid={e.category_id ? "true" : undefined}
            aria-describedby={e.category_id ? "f-category_id-err" : undefined}
          >
            <option value="">Choose a category</option>
            {(categories.data ?? []).map((c) => (
              <option key={c.id} value={String(c.id)} selected={p?.category_id === c.id}>
                {c.name}
              </option>
            ))}
          </select>
          {e.category_id && (
            <span class="field-error" id="f-category_id-err">
              {e.category_id}
            </span>
          )}
        </div>
        <Field label="Brand" name="brand" defaultValue={p?.brand ?? ""} error={e.brand} />
        <Field label="Image URL" name="image_url" type="url" defaultValue={p?.image_url ?? ""} error={e.image_url} />
        <div class="field">
          <label for="f-description">Description</label>
          <textarea id="f-description" name="description" rows={5}>
            {p?.description ?? ""}
          </textarea>
          {e.description && <span class="field-error">{e.description}</span>}
        </div>
        {error && (
          <p class="error" role="alert">
            {error.message}
          </p>
        )}
        {saved && (
          <p class="ok" role="status">
            {saved}
          </p>
        )}
        <button type="submit" class="btn" disabled={busy}>
          {busy ? "Saving…" : id === undefined ? "Create product" : "Save changes"}
        </button>
      </form>
      <p>
        <a href="/admin/products">Back to products</a>
      </p>
    </>
  )
}
