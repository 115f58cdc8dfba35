import { useLocation } from "preact-iso"
import { useRef, useState } from "preact/hooks"
import { api, ApiError, errorText, session } from "../api.ts"
import { refreshCartCount } from "../cart.ts"
import { rupees } from "../format.ts"
import { useStore } from "../store.ts"
import { Empty, ErrorBox, Loading, SignInFirst, useLoad } from "../ui.tsx"
import { AddressForm, addressLine } from "./Addresses.tsx"

const METHODS = [
  ["COD", "Cash on delivery"],
  ["UPI", "UPI"],
  ["CARD", "Credit or debit card"],
  ["NETBANKING", "Net banking"],
  ["WALLET", "Wallet"]
] as const
type Method = (typeof METHODS)[number][0]

const newKey = () =>
  typeof crypto.randomUUID === "function"
    ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("")

/**
 * Checkout. One Idempotency-Key per choice of address and payment method, kept
 * across retries: a second click, or a retry after the connection dropped,
 * replays the first order instead of placing another.
 */
export const Checkout = () => {
  const signed = useStore(session) !== undefined
  const { route } = useLocation()
  const data = useLoad(
    () =>
      signed
        ? Promise.all([api((c) => c.cart.getCart()), api((c) => c.users.listAddresses())])
        : Promise.resolve(undefined),
    [signed]
  )
  const [addressId, setAddressId] = useState<number | undefined>()
  const [method, setMethod] = useState<Method>("COD")
  const [placing, setPlacing] = useState(false)
  const [error, setError] = useState<string | undefined>()
  const keys = useRef(new Map<string, string>())
  const inFlight = useRef(false)
  if (!signed) return <SignInFirst what="checkout" />
  if (data.loading && !data.data)
    return (
      <main id="main" class="page">
        <Loading label="Loading checkout" />
      </main>
    )
  if (data.error !== undefined || !data.data)
    return (
      <main id="main" class="page">
        <h1>Checkout</h1>
        <ErrorBox error={data.error} retry={data.reload} />
      </main>
    )
  const [cart, addresses] = data.data
  const chosen = addressId ?? addresses.find((a) => a.is_default)?.id ?? addresses[0]?.id

  const place = async () => {
    if (inFlight.current || chosen === undefined) return
    inFlight.current = true
    setPlacing(true)
    setError(undefined)
    const choice = `${chosen}/${method}`
    const key = keys.current.get(choice) ?? newKey()
    keys.current.set(choice, key)
    try {
      const r = await api((c) =>
        c.orders.placeOrder({
          payload: { address_id: chosen, payment_method: method },
          headers: { "idempotency-key": key }
        })
      )
      void refreshCartCount()
      route(`/orders/${r.order.id}?placed=1`)
    } catch (e) {
      const err = e instanceof ApiError ? e : undefined
      setError(
        err?.status === 0 || (err && err.status >= 500)
          ? `${errorText(e)} Your order may or may not have gone through: press Place order again to check. It will not be placed twice.`
          : err?.code === "IDEMPOTENCY_KEY_IN_FLIGHT"
            ? "Your order is still being placed. Wait a moment, then press Place order again."
            : errorText(e)
      )
      if (err?.code === "INSUFFICIENT_STOCK" || err?.code === "CART_EMPTY") data.reload()
    } finally {
      inFlight.current = false
      setPlacing(false)
    }
  }

  return (
    <main id="main" class="page checkout">
      <h1>Checkout</h1>
      {cart.items.length === 0 ? (
        <Empty>
          <p>Your cart is empty.</p>
          <a href="/orders">See your orders</a>
        </Empty>
      ) : (
        <div class="checkout-grid">
          <div>
            <fieldset class="choices">
              <legend>Deliver to</legend>
              {addresses.length === 0 && <p>Add an address to deliver to.</p>}
              {addresses.map((a) => (
                <div class="check" key={a.id}>
                  <input
                    type="radio"
                    id={`addr-${a.id}`}
                    name="address"
                    checked={chosen === a.id}
                    onChange={() => setAddressId(a.id)}
                  />
                  <label for={`addr-${a.id}`}>
                    <strong>{a.address_type}</strong> {addressLine(a)}
                  </label>
                </div>
              ))}
            </fieldset>
            <details open={addresses.length === 0}>
              <summary>Add a new address</summary>
              <AddressForm
                onSaved={(a) => {
                  setAddressId(a.id)
                  data.reload()
                }}
              />
            </details>
            <fieldset class="choices">
              <legend>Payment method</legend>
              {METHODS.map(([value, label]) => (
                <div class="check" key={value}>
                  <input
                    type="radio"
                    id={`pay-${value}`}
                    name="payment"
                    checked={method === value}
                    onChange={() => setMethod(value)}
                  />
                  <label for={`pay-${value}`}>{label}</label>
                </div>
              ))}
            </fieldset>
          </div>
          <aside class="summary" aria-label="Order summary">
            <h2>Order summary</h2>
            <ul class="plain">
              {cart.items.map((i) => (
                <li key={i.id}>
                  {i.product.name} × {i.quantity} <span class="right">{rupees(i.subtotal)}</span>
                </li>
              ))}
            </ul>
            <p>
              Total <strong class="total">{rupees(cart.total)}</strong>
            </p>
            {error && (
              <p class="error" role="alert">
                {error}
              </p>
            )}
            <button type="button" class="btn buy-btn" disabled={placing || chosen === undefined} onClick={place}>
              {placing ? "Placing order…" : "Place order"}
            </button>
          </aside>
        </div>
      )}
    </main>
  )
}
