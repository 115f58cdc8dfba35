import { useState } from "preact/hooks"
import { api, ApiError, errorText, session } from "../api.ts"
import { addToCart } from "../cart.ts"
import { formatDate } from "../format.ts"
import { useStore } from "../store.ts"
import { Empty, ErrorBox, Loading, Pager, Price, ProductImage, Stars, useLoad } from "../ui.tsx"
import { useLocation } from "preact-iso"

const ReviewForm = ({ productId, onDone }: { productId: number; onDone: () => void }) => {
  const [error, setError] = useState<ApiError | undefined>()
  const [busy, setBusy] = useState(false)
  const [rating, setRating] = useState(5)
  return (
    <form
      class="review-form"
      aria-labelledby="write-h"
      onSubmit={async (e) => {
        e.preventDefault()
        const f = new FormData(e.currentTarget)
        const title = String(f.get("title") ?? "").trim()
        const comment = String(f.get("comment") ?? "").trim()
        setBusy(true)
        try {
          await api((c) =>
            c.reviews.create({
              params: { id: productId },
              payload: { rating, ...(title ? { title } : {}), ...(comment ? { comment } : {}) }
            })
          )
          setError(undefined)
          onDone()
        } catch (err) {
          setError(err instanceof ApiError ? err : new ApiError(0, "UNKNOWN", errorText(err)))
        } finally {
          setBusy(false)
        }
      }}
    >
      <h3 id="write-h">Write a review</h3>
      <fieldset class="stars-input">
        <legend>Your rating</legend>
        {[1, 2, 3, 4, 5].map((n) => (
          <label key={n}>
            <input type="radio" name="rating" value={n} checked={rating === n} onChange={() => setRating(n)} />
            {n} ★
          </label>
        ))}
      </fieldset>
      <div class="field">
        <label for="r-title">Title</label>
        <input id="r-title" name="title" maxLength={200} />
        {error?.fields.title && <span class="field-error">{error.fields.title}</span>}
      </div>
      <div class="field">
        <label for="r-comment">Review</label>
        <textarea id="r-comment" name="comment" rows={4} maxLength={5000} />
        {error?.fields.comment && <span class="field-error">{error.fields.comment}</span>}
      </div>
      {error && (
        <p class="error" role="alert">
          {error.message}
        </p>
      )}
      <button type="submit" class="btn" disabled={busy}>
        {busy ? "Posting…" : "Post review"}
      </button>
    </form>
  )
}

/** Product page: price and discount, stock, description, rating, reviews and writing one. */
export const ProductPage = ({ id }: { id: string }) => {
  const productId = /^[1-9][0-9]{0,9}$/.test(id) ? Number(id) : 0
  const { query, url } = useLocation()
  const reviewPage = Number(query.reviews_page) > 0 ? Math.floor(Number(query.reviews_page)) : 1
  const user = useStore(session)?.user
  const product = useLoad(() => api((c) => c.products.get({ params: { id: productId } })), [productId])
  const reviews = useLoad(
    () => api((c) => c.reviews.list({ params: { id: productId }, query: { page: reviewPage, per_page: 10 } })),
    [productId, reviewPage]
  )
  const [quantity, setQuantity] = useState(1)
  const [cartMsg, setCartMsg] = useState<{ ok: boolean; text: string } | undefined>()
  const [adding, setAdding] = useState(false)

  if (product.loading && !product.data)
    return (
      <main id="main" class="page">
        <Loading label="Loading product" />
      </main>
    )
  if (product.error !== undefined || !product.data)
    return (
      <main id="main" class="page">
        <h1>Product</h1>
        <ErrorBox error={product.error} retry={product.reload} />
        <a href="/products">Browse products</a>
      </main>
    )
  const p = product.data
  const mine = reviews.data?.reviews.some((r) => r.user.id === user?.id)
  return (
    <main id="main" class="page product">
      <div class="product-top">
        <ProductImage product={p} size={320} />
        <div class="product-info">
          <h1>{p.name}</h1>
          {p.brand && <p class="muted">{p.brand}</p>}
          <Stars rating={p.rating} count={p.review_count} />
          <p>
            <Price product={p} large />
          </p>
          {p.stock_quantity === 0 ? (
            <p class="warn">Out of stock</p>
          ) : p.stock_quantity <= 5 ? (
            <p class="warn">Hurry, only {p.stock_quantity} left</p>
          ) : (
            <p class="ok">In stock</p>
          )}
          {p.stock_quantity > 0 && (
            <form
              class="buy"
              onSubmit={async (e) => {
                e.preventDefault()
                setAdding(true)
                try {
                  await addToCart(p.id, quantity)
                  setCartMsg({ ok: true, text: `Added ${quantity} to your cart.` })
                } catch (err) {
                  setCartMsg({ ok: false, text: errorText(err) })
                } finally {
                  setAdding(false)
                }
              }}
            >
              <label for="qty">Quantity</label>
              <select id="qty" value={String(quantity)} onChange={(e) => setQuantity(Number(e.currentTarget.value))}>
                {Array.from({ length: Math.min(10, p.stock_quantity) }, (_, i) => i + 1).map((n) => (
                  <option key={n} value={String(n)}>
                    {n}
                  </option>
                ))}
              </select>
              <button type="submit" class="btn buy-btn" disabled={adding}>
                Add to cart
              </button>
            </form>
          )}
          {cartMsg && (
            <p class={cartMsg.ok ? "ok" : "error"} role={cartMsg.ok ? "status" : "alert"}>
              {cartMsg.text} {cartMsg.ok && <a href="/cart">Go to cart</a>}
            </p>
          )}
          <h2>Description</h2>
          <p class="description">{p.description || "No description."}</p>
          <p class="muted small">SKU {p.sku}</p>
        </div>
      </div>
      <section class="reviews" aria-labelledby="reviews-h">
        <h2 id="reviews-h">Ratings and reviews</h2>
        {reviews.error !== undefined && <ErrorBox error={reviews.error} retry={reviews.reload} />}
        {reviews.loading && !reviews.data && <Loading label="Loading reviews" />}
        {reviews.data &&
          (reviews.data.reviews.length === 0 ? (
            <Empty>No reviews yet.</Empty>
          ) : (
            <ul class="review-list">
              {reviews.data.reviews.map((r) => (
                <li key={r.id} class="review">
                  <p>
                    <span class="badge-rating">{r.rating} ★</span> <strong>{r.title}</strong>
                  </p>
                  {r.comment && <p class="comment">{r.comment}</p>}
                  <p class="muted small">
                    {r.user.username} · {formatDate(r.created_at)}
                    {r.verified_purchase && <span class="verified"> ✔ Verified purchase</span>}
                  </p>
                </li>
              ))}
            </ul>
          ))}
        {reviews.data && (
          <Pager
            page={reviews.data.pagination.page}
            pages={reviews.data.pagination.pages}
            href={(n) => `/products/${p.id}?reviews_page=${n}`}
          />
        )}
        {user ? (
          mine ? (
            <p class="muted">You have reviewed this product.</p>
          ) : (
            <ReviewForm
              productId={p.id}
              onDone={() => {
                reviews.reload()
                product.reload()
              }}
            />
          )
        ) : (
          <p>
            <a href={`/signin?next=${encodeURIComponent(url)}`}>Sign in</a> to write a review.
          </p>
        )}
      </section>
    </main>
  )
}
