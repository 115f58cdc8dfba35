import { api } from "../api.ts"
import { Empty, ErrorBox, Loading, ProductCard, useLoad } from "../ui.tsx"

/** Home: the top-level categories and two rows of featured products. */
export const Home = () => {
  const data = useLoad(
    () =>
      Promise.all([
        api((c) => c.categories.list({ query: {} })),
        api((c) =>
          c.products.list({ query: { sort_by: "rating", sort_order: "desc", per_page: 8, in_stock: "true" } })
        ),
        api((c) => c.products.list({ query: { sort_by: "created_at", sort_order: "desc", per_page: 8 } }))
      ]),
    []
  )
  return (
    <main id="main" class="page">
      <h1 class="visually-hidden">Flipkart-like shop</h1>
      {data.loading && !data.data && <Loading />}
      {data.error !== undefined && <ErrorBox error={data.error} retry={data.reload} />}
      {data.data && (
        <>
          <section aria-labelledby="cat-h">
            <h2 id="cat-h">Shop by category</h2>
            <ul class="categories">
              {data.data[0]
                .filter((c) => c.parent_id === null)
                .map((c) => (
                  <li key={c.id}>
                    <a href={`/products?category_id=${c.id}`}>{c.name}</a>
                  </li>
                ))}
            </ul>
          </section>
          <section aria-labelledby="top-h">
            <h2 id="top-h">Top rated</h2>
            {data.data[1].products.length === 0 ? (
              <Empty>No products yet.</Empty>
            ) : (
              <ul class="grid">
                {data.data[1].products.map((p) => (
                  <ProductCard key={p.id} product={p} />
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="new-h">
            <h2 id="new-h">New arrivals</h2>
            <ul class="grid">
              {data.data[2].products.map((p) => (
                <ProductCard key={p.id} product={p} />
              ))}
            </ul>
            <p>
              <a href="/products" class="btn secondary">
                See all products
              </a>
            </p>
          </section>
        </>
      )}
    </main>
  )
}
