import { useLocation } from "preact-iso"
import { api, type Client } from "../api.ts"
import { Empty, ErrorBox, Loading, Pager, ProductCard, useLoad } from "../ui.tsx"

type ListQuery = NonNullable<Parameters<Client["products"]["list"]>[0]>["query"]

const SORTS = {
  relevance: { label: "Relevance", sort_by: "relevance", sort_order: "desc" },
  popular: { label: "Popularity", sort_by: "review_count", sort_order: "desc" },
  price_asc: { label: "Price: low to high", sort_by: "final_price", sort_order: "asc" },
  price_desc: { label: "Price: high to low", sort_by: "final_price", sort_order: "desc" },
  rating: { label: "Customer rating", sort_by: "rating", sort_order: "desc" },
  newest: { label: "Newest first", sort_by: "created_at", sort_order: "desc" }
} as const
type SortKey = keyof typeof SORTS

const PER_PAGE = 24
const positiveInt = (s: string | undefined) => (s && /^[1-9][0-9]{0,8}$/.test(s) ? Number(s) : undefined)
const amount = (s: string | undefined) => (s && /^[0-9]{1,9}(\.[0-9]{1,2})?$/.test(s) ? Number(s) : undefined)

/** The URL's query as the API's: unknown or malformed values are dropped, never sent. */
export const toApiQuery = (q: Record<string, string>) => {
  const search = q.search?.trim() || undefined
  const sortKey: SortKey = q.sort && q.sort in SORTS ? (q.sort as SortKey) : search ? "relevance" : "popular"
  const sort = SORTS[sortKey === "relevance" && !search ? "popular" : sortKey]
  const query: Record<string, unknown> = {
    page: positiveInt(q.page) ?? 1,
    per_page: PER_PAGE,
    search,
    category_id: positiveInt(q.category_id),
    brand: q.brand?.trim() || undefined,
    min_price: amount(q.min_price),
    max_price: amount(q.max_price),
    in_stock: q.in_stock === "true" ? "true" : undefined,
    sort_by: sort.sort_by,
    sort_order: sort.sort_order
  }
  for (const k of Object.keys(query)) if (query[k] === undefined) delete query[k]
  return { query: query as ListQuery, sortKey }
}

const hrefWith = (q: Record<string, string>, changes: Record<string, string | undefined>) => {
  const next = new URLSearchParams()
  for (const [k, v] of Object.entries({ ...q, ...changes })) if (v !== undefined && v !== "") next.set(k, v)
  if (!("page" in changes)) next.delete("page")
  const s = next.toString()
  return s ? `/products?${s}` : "/products"
}

/** The listing: filters, sort and page all live in the URL, so reload and back keep them. */
export const Listing = () => {
  const { query: q, route } = useLocation()
  const { query, sortKey } = toApiQuery(q)
  const key = JSON.stringify(query)
  const categories = useLoad(() => api((c) => c.categories.list({ query: {} })), [])
  const list = useLoad(() => api((c) => c.products.list({ query })), [key])
  const categoryName = categories.data?.find((c) => c.id === query?.category_id)?.name
  const heading = query?.search ? `Results for “${query.search}”` : (categoryName ?? "All products")
  const set = (changes: Record<string, string | undefined>) => route(hrefWith(q, changes))

  return (
    <main id="main" class="page listing">
      <aside class="filters" aria-label="Filters">
        <h2>Filters</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault()
            const f = new FormData(e.currentTarget)
            set({
              brand: String(f.get("brand") ?? "").trim() || undefined,
              min_price: String(f.get("min_price") ?? "") || undefined,
              max_price: String(f.get("max_price") ?? "") || undefined
            })
          }}
        >
          <div class="field">
            <label for="f-category">Category</label>
            <select
              id="f-category"
              value={q.category_id ?? ""}
              onChange={(e) => set({ category_id: e.currentTarget.value || undefined })}
            >
              <option value="">All categories</option>
              {(categories.data ?? []).map((c) => (
                <option key={c.id} value={String(c.id)}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="f-brand">Brand</label>
            <input id="f-brand" name="brand" defaultValue={q.brand ?? ""} key={`b${q.brand}`} />
          </div>
          <fieldset class="price-range">
            <legend>Price (₹)</legend>
            <label for="f-min" class="visually-hidden">
              Minimum price
            </label>
            <input
              id="f-min"
              name="min_price"
              inputMode="decimal"
              placeholder="Min"
              defaultValue={q.min_price ?? ""}
              key={`m${q.min_price}`}
            />
            <span aria-hidden="true">to</span>
            <label for="f-max" class="visually-hidden">
              Maximum price
            </label>
            <input
              id="f-max"
              name="max_price"
              inputMode="decimal"
              placeholder="Max"
              defaultValue={q.max_price ?? ""}
              key={`x${q.max_price}`}
            />
          </fieldset>
          <button type="submit" class="btn secondary">
            Apply
          </button>
          <div class="check">
            <input
              id="f-stock"
              type="checkbox"
              checked={q.in_stock === "true"}
              onChange={(e) => set({ in_stock: e.currentTarget.checked ? "true" : undefined })}
            />
            <label for="f-stock">In stock only</label>
          </div>
          <p>
            <a href="/products">Clear all filters</a>
          </p>
        </form>
      </aside>
      <section class="results" aria-labelledby="results-h">
        <div class="results-head">
          <h1 id="results-h">{heading}</h1>
          <div class="field inline">
            <label for="f-sort">Sort by</label>
            <select id="f-sort" value={sortKey} onChange={(e) => set({ sort: e.currentTarget.value })}>
              {Object.entries(SORTS)
                .filter(([k]) => k !== "relevance" || query?.search)
                .map(([k, s]) => (
                  <option key={k} value={k}>
                    {s.label}
                  </option>
                ))}
            </select>
          </div>
        </div>
        {list.error !== undefined && <ErrorBox error={list.error} retry={list.reload} />}
        {list.loading && !list.data && <Loading label="Loading products" />}
        {list.data && (
          <>
            <p class="muted" role="status">
              {list.data.pagination.total.toLocaleString("en-IN")} products
              {list.loading ? " · updating…" : ""}
            </p>
            {list.data.products.length === 0 ? (
              <Empty>
                <p>No products match these filters.</p>
                <a href="/products">Clear all filters</a>
              </Empty>
            ) : (
              <ul class="grid">
                {list.data.products.map((p) => (
                  <ProductCard key={p.id} product={p} />
                ))}
              </ul>
            )}
            <Pager
              page={list.data.pagination.page}
              pages={list.data.pagination.pages}
              href={(page) => hrefWith(q, { page: String(page) })}
            />
          </>
        )}
      </section>
    </main>
  )
}
