import type { ComponentChildren, InputHTMLAttributes } from "preact"
import { useCallback, useLayoutEffect, useRef, useState } from "preact/hooks"
import { errorText, type Product } from "./api.ts"
import { rupees } from "./format.ts"

/** Loads data for a page; `reload` fetches again. The latest request wins. */
export const useLoad = <A,>(load: () => Promise<A>, deps: ReadonlyArray<unknown>) => {
  const [state, setState] = useState<{ data?: A; error?: unknown; loading: boolean }>({ loading: true })
  const latest = useRef(0)
  const reload = useCallback(() => {
    const id = ++latest.current
    setState((s) => ({ ...s, loading: true, error: undefined }))
    load().then(
      (data) => id === latest.current && setState({ data, loading: false }),
      (error) => id === latest.current && setState({ error, loading: false })
    )
  }, deps)
  // A layout effect runs right after the render, before the browser paints: the request starts a frame or
  // more sooner than with useEffect, which waits for the next animation frame.
  useLayoutEffect(reload, [reload])
  return { ...state, reload }
}

export const Loading = ({ label = "Loading" }: { label?: string }) => (
  <p class="loading" role="status">
    {label}…
  </p>
)

export const ErrorBox = ({ error, retry }: { error: unknown; retry?: () => void }) => (
  <div class="error" role="alert">
    <p>{errorText(error)}</p>
    {retry && (
      <button type="button" class="btn secondary" onClick={retry}>
        Try again
      </button>
    )}
  </div>
)

export const Empty = ({ children }: { children: ComponentChildren }) => <div class="empty">{children}</div>

export const Price = ({ product, large }: { product: Product; large?: boolean }) => (
  <span class={large ? "price large" : "price"}>
    <span class="final">{rupees(product.final_price)}</span>
    {product.discount_percentage > 0 && (
      <>
        {" "}
        <s class="mrp" aria-label={`was ${rupees(product.price)}`}>
          {rupees(product.price)}
        </s>{" "}
        <span class="off">{Math.round(product.discount_percentage)}% off</span>
      </>
    )}
  </span>
)

export const Stars = ({ rating, count }: { rating: number; count?: number }) =>
  count === 0 ? (
    <span class="muted">No ratings yet</span>
  ) : (
    <span class="rating">
      <span class="badge-rating">{rating.toFixed(1)} ★</span>
      {count !== undefined && <span class="muted"> ({count.toLocaleString("en-IN")})</span>}
    </span>
  )

const PALETTE = ["#e0ecff", "#fde7d9", "#e3f5e1", "#f3e5f5", "#fff4cc", "#e0f2f1"]

/** The product's image, or a tidy placeholder with its initials when it has none (or it fails to load). */
export const ProductImage = ({ product, size }: { product: Product; size: number }) => {
  const [failed, setFailed] = useState(false)
  if (product.image_url && !failed)
    return (
      <img
        class="product-img"
        src={product.image_url}
        alt={product.name}
        width={size}
        height={size}
        loading="lazy"
        decoding="async"
        onError={() => setFailed(true)}
      />
    )
  const initials = product.name
    .split(/\s+/)
    .filter((w) => /^[\p{L}\p{N}]/u.test(w))
    .slice(0, 2)
    .map((w) => w.charAt(0).toUpperCase())
    .join("")
  return (
    <div
      class="product-img placeholder"
      style={{ width: `${size}px`, height: `${size}px`, background: PALETTE[product.id % PALETTE.length] }}
      role="img"
      aria-label={`No image for ${product.name}`}
    >
      <span aria-hidden="true">{initials || "?"}</span>
    </div>
  )
}

export const ProductCard = ({ product }: { product: Product }) => (
  <li class="card">
    <a href={`/products/${product.id}`} class="card-link">
      <ProductImage product={product} size={160} />
      <span class="card-name">{product.name}</span>
    </a>
    {product.brand && <span class="muted small">{product.brand}</span>}
    <Stars rating={product.rating} count={product.review_count} />
    <Price product={product} />
    {product.stock_quantity === 0 ? (
      <span class="warn small">Out of stock</span>
    ) : product.stock_quantity <= 5 ? (
      <span class="warn small">Only {product.stock_quantity} left</span>
    ) : null}
  </li>
)

type InputProps = InputHTMLAttributes<HTMLInputElement> & { label: string; name: string; error?: string | undefined }

/** A labelled input with the server's message for it underneath. */
export const Field = ({ label, name, error, ...rest }: InputProps) => {
  const id = `f-${name}`
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? `${id}-err` : undefined}
        {...rest}
      />
      {error && (
        <span class="field-error" id={`${id}-err`}>
          {error}
        </span>
      )}
    </div>
  )
}

export const Pager = ({ page, pages, href }: { page: number; pages: number; href: (page: number) => string }) =>
  pages <= 1 ? null : (
    <nav class="pager" aria-label="Pages">
      {page > 1 ? <a href={href(page - 1)}>← Previous</a> : <span />}
      <span>
        Page {page} of {pages.toLocaleString("en-IN")}
      </span>
      {page < pages ? <a href={href(page + 1)}>Next →</a> : <span />}
    </nav>
  )

/** A form's values as strings, by input name. */
export const formValues = (form: HTMLFormElement) => {
  const out: Record<string, string> = {}
  new FormData(form).forEach((v, k) => {
    if (typeof v === "string") out[k] = v
  })
  return out
}

/** For pages that need an account: a way to sign in that comes back here. */
export const SignInFirst = ({ what }: { what: string }) => (
  <main id="main" class="page narrow">
    <h1>Sign in</h1>
    <p>
      <a href={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`}>Sign in</a> to see {what}.
    </p>
  </main>
)
