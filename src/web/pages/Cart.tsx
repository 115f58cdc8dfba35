import { useState } from "preact/hooks"
import { api, errorText, session, type Product } from "../api.ts"
import { guestCart, refreshCartCount } from "../cart.ts"
import { rupees } from "../format.ts"
import { useStore } from "../store.ts"
import { Empty, ErrorBox, Loading, Price, ProductImage, useLoad } from "../ui.tsx"

interface Line {
  readonly key: string
  readonly product: Product
  readonly quantity: number
  readonly subtotal: number
  readonly update: (quantity: number) => Promise<unknown>
  readonly remove: () => Promise<unknown>
}

const QuantityControl = ({ line, onChange }: { line: Line; onChange: (q: number) => void }) => {
  const max = Math.max(line.quantity, Math.min(10, line.product.stock_quantity))
  const id = `qty-${line.key}`
  return (
    <span class="qty">
      <label for={id}>Quantity</label>
      <select id={id} value={String(line.quantity)} onChange={(e) => onChange(Number(e.currentTarget.value))}>
        {Array.from({ length: max }, (_, i) => i + 1).map((n) => (
          <option key={n} value={String(n)}>
            {n}
          </option>
        ))}
      </select>
    </span>
  )
}

/** The cart: quantities, removal, stock warnings, the total and the way to checkout. */
export const CartPage = () => {
  const signed = useStore(session) !== undefined
  const guest = useStore(guestCart)
  const [actionError, setActionError] = useState<string | undefined>()
  const data = useLoad(async (): Promise<{ lines: ReadonlyArray<Line>; total: number }> => {
    if (signed) {
      const cart = await api((c) => c.cart.getCart())
      return {
        total: cart.total,
        lines: cart.items.map((i) => ({
          key: `s${i.id}`,
          product: i.product,
          quantity: i.quantity,
          subtotal: i.subtotal,
          update: (quantity) => api((c) => c.cart.updateCartItem({ params: { item_id: i.id }, payload: { quantity } })),
          remove: () => api((c) => c.cart.removeCartItem({ params: { item_id: i.id } }))
        }))
      }
    }
    const products = await Promise.all(
      guest.map((l) => api((c) => c.products.get({ params: { id: l.product_id } })).catch(() => undefined))
    )
    const lines = guest.flatMap((l, i): Array<Line> => {
      const product = products[i]
      if (product === undefined) return []
      const set = (quantity: number) =>
        guestCart.set(guestCart.get().map((g) => (g.product_id === l.product_id ? { ...g, quantity } : g)))
      return [
        {
          key: `g${l.product_id}`,
          product,
          quantity: l.quantity,
          subtotal: Math.round(product.final_price * l.quantity * 100) / 100,
          update: async (quantity) => {
            if (quantity > product.stock_quantity) throw new Error(`Only ${product.stock_quantity} in stock`)
            set(quantity)
          },
          remove: async () => guestCart.set(guestCart.get().filter((g) => g.product_id !== l.product_id))
        }
      ]
    })
    return { lines, total: Math.round(lines.reduce((t, l) => t + l.subtotal * 100, 0)) / 100 }
  }, [signed, guest])

  const act = async (f: () => Promise<unknown>) => {
    try {
      await f()
      setActionError(undefined)
    } catch (e) {
      setActionError(errorText(e))
    }
    data.reload()
    void refreshCartCount()
  }
  const lines = data.data?.lines ?? []
  const short = lines.filter((l) => l.quantity > l.product.stock_quantity)
  return (
    <main id="main" class="page">
      <h1>Your cart</h1>
      {data.error !== undefined && <ErrorBox error={data.error} retry={data.reload} />}
      {data.loading && !data.data && <Loading label="Loading your cart" />}
      {actionError && (
        <p class="error" role="alert">
          {actionError}
        </p>
      )}
      {data.data &&
        (lines.length === 0 ? (
          <Empty>
            <p>Your cart is empty.</p>
            <a href="/products" class="btn">
              Shop now
            </a>
          </Empty>
        ) : (
          <div class="cart">
            <ul class="cart-lines">
              {lines.map((l) => (
                <li key={l.key} class="cart-line">
                  <ProductImage product={l.product} size={96} />
                  <div class="cart-line-info">
                    <a href={`/products/${l.product.id}`}>{l.product.name}</a>
                    <Price product={l.product} />
                    {l.product.stock_quantity === 0 ? (
                      <p class="warn">Out of stock: remove it to check out</p>
                    ) : l.quantity > l.product.stock_quantity ? (
                      <p class="warn">Only {l.product.stock_quantity} in stock: lower the quantity</p>
                    ) : l.product.stock_quantity <= 5 ? (
                      <p class="warn small">Only {l.product.stock_quantity} left</p>
                    ) : null}
                    <div class="cart-line-actions">
                      <QuantityControl line={l} onChange={(q) => act(() => l.update(q))} />
                      <button type="button" class="link" onClick={() => act(l.remove)}>
                        Remove<span class="visually-hidden"> {l.product.name}</span>
                      </button>
                    </div>
                  </div>
                  <p class="subtotal">{rupees(l.subtotal)}</p>
                </li>
              ))}
            </ul>
            <aside class="summary" aria-label="Order summary">
              <p>
                Total <strong class="total">{rupees(data.data.total)}</strong>
              </p>
              {short.length > 0 ? (
                <p class="warn">Some items are short of stock.</p>
              ) : (
                <a href={signed ? "/checkout" : "/signin?next=%2Fcheckout"} class="btn buy-btn">
                  {signed ? "Checkout" : "Sign in to checkout"}
                </a>
              )}
            </aside>
          </div>
        ))}
    </main>
  )
}
