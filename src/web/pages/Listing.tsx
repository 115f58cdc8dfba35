import { useLocation } from "preact-iso"
import { api, type Client } from "../api.ts"
import { rupees } from "../format.ts"
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

const brandsOf = (q: Record<string, string>) =>
  (q.brand ?? "")
    .split(",")
    .map((b) => b.trim())
    .filter((b) => b !== "")
    .slice(0, 20)

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
    brand: brandsOf(q).join(",") || undefined,
    min_rating: q.min_rating && /^[1-4]$/.test(q.min_rating) ? Number(q.min_rating) : undefined,
    min_price: amount(q.min_price),
    max_price: amount(q.max_price),
    in_stock: q.in_stock === "true" ? "true" : undefined,
    sort_by: sort.sort_by,
    sort_order: sort.sort_order,
    facets: "brand,category,price,rating,in_stock"
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

const count = (n: number) => n.toLocaleString("en-IN")
// On a phone the filters start folded, above the results, so they neither push the results down nor shift them as counts arrive.
const wide = typeof matchMedia === "function" && matchMedia("(min-width: 860px)").matches

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
  const facets = list.data?.facets
  const brands = brandsOf(q)
  const brandOptions = [
    ...(facets?.brand ?? []),
    ...brands.filter((b) => !facets?.brand?.some((f) => f.value === b)).map((value) => ({ value, count: 0 }))
  ]
  const toggleBrand = (brand: string, on: boolean) => {
    const next = on ? [...brands, brand] : brands.filter((b) => b !== brand)
    set({ brand: next.join(",") || undefined })
  }

  return (
    <main id="main" class="page listing">
      <details class="filters" open={wide}>
        <summary>
          <h2>Filters</h2>
        </summary>
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
        {facets?.category && facets.category.length > 0 && (
          <ul class="facet-list" aria-label="Narrow the category">
            {facets.category.map((c) => (
              <li key={c.id}>
                <a href={hrefWith(q, { category_id: String(c.id) })}>
                  {c.name} <span class="muted">({count(c.count)})</span>
                </a>
              </li>
            ))}
          </ul>
        )}
        {brandOptions.length > 0 && (
          <fieldset>
            <legend>Brand</legend>
            <ul class="facet-list">
              {brandOptions.map((b, i) => (
                <li key={b.value} class="check">
                  <input
                    id={`brand-${i}`}
                    type="checkbox"
                    checked={brands.includes(b.value)}
                    onChange={(e) => toggleBrand(b.value, e.currentTarget.checked)}
                  />
                  <label for={`brand-${i}`}>
                    {b.value} <span class="muted">({count(b.count)})</span>
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
        )}
        <fieldset>
          <legend>Price (₹)</legend>
          {facets?.price && facets.price.length > 0 && (
            <ul class="facet-list">
              {facets.price.map((p) => (
                <li key={p.min}>
                  <a href={hrefWith(q, { min_price: String(p.min), max_price: String(p.max) })}>
                    {rupees(p.min)} – {rupees(p.max)} <span class="muted">({count(p.count)})</span>
                  </a>
                </li>
              ))}
            </ul>
          )}
          <form
            class="price-range"
            onSubmit={(e) => {
              e.preventDefault()
              const f = new FormData(e.currentTarget)
              set({
                min_price: String(f.get("min_price") ?? "").trim() || undefined,
                max_price: String(f.get("max_price") ?? "").trim() || undefined
              })
            }}
          >
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
            <button type="submit" class="btn secondary small">
              Apply
            </button>
          </form>
        </fieldset>
        <fieldset>
          <legend>Customer rating</legend>
          {[4, 3, 2, 1].map((min) => {
            const n = facets?.rating?.find((r) => r.min === min)?.count
            return (
              <div class="check" key={min}>
                <input
                  id={`rating-${min}`}
                  type="radio"
                  name="min_rating"
                  checked={q.min_rating === String(min)}
                  onChange={() => set({ min_rating: String(min) })}
                />
                <label for={`rating-${min}`}>
                  {min}★ & above {n !== undefined && <span class="muted">({count(n)})</span>}
                </label>
              </div>
            )
          })}
        </fieldset>
        <div class="check">
          <input
            id="f-stock"
            type="checkbox"
            checked={q.in_stock === "true"}
            onChange={(e) => set({ in_stock: e.currentTarget.checked ? "true" : undefined })}
          />
          <label for="f-stock">
            In stock only {facets?.in_stock && <span class="muted">({count(facets.in_stock.count)})</span>}
          </label>
        </div>
        <p>
          <a href={query?.search ? `/products?search=${encodeURIComponent(query.search)}` : "/products"}>
            Clear all filters
          </a>
        </p>
      </details>
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
              {count(list.data.pagination.total)} products
              {list.loading ? " · updating…" : ""}
            </p>
            {list.data.suggestion && (
              <p class="did-you-mean">
                Did you mean{" "}
                <a href={hrefWith(q, { search: list.data.suggestion, sort: undefined })}>
                  <strong>{list.data.suggestion}</strong>
                </a>
                ?
              </p>
            )}
            {list.data.products.length === 0 ? (
              <Empty>
                <p>No products match{query?.search ? ` “${query.search}”` : " these filters"}.</p>
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
