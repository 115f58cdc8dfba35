import { api, session } from "./api.ts"
import { makeStore, storage } from "./store.ts"

/**
 * The cart lives on the server for a signed-in shopper. A shopper who is not
 * signed in (or whose session ended) keeps lines here, and they join the
 * server cart at the next sign-in, so nothing is lost on the way.
 */
export interface GuestLine {
  readonly product_id: number
  readonly quantity: number
}
const GUEST_KEY = "shop.guestCart"
const isLines = (u: unknown): u is Array<GuestLine> =>
  Array.isArray(u) &&
  u.every(
    (l) =>
      typeof l === "object" &&
      l !== null &&
      Number.isInteger(l.product_id) &&
      l.product_id > 0 &&
      Number.isInteger(l.quantity) &&
      l.quantity > 0
  )

export const guestCart = makeStore<ReadonlyArray<GuestLine>>(storage.read(GUEST_KEY, isLines) ?? [])
guestCart.subscribe((lines) => storage.write(GUEST_KEY, lines.length > 0 ? lines : undefined))

/** Units in the cart, for the header. */
export const cartCount = makeStore(0)

export const refreshCartCount = async () => {
  if (session.get() === undefined) {
    cartCount.set(guestCart.get().reduce((n, l) => n + l.quantity, 0))
    return
  }
  try {
    const cart = await api((c) => c.cart.getCart())
    cartCount.set(cart.items.reduce((n, i) => n + i.quantity, 0))
  } catch {
    cartCount.set(guestCart.get().reduce((n, l) => n + l.quantity, 0))
  }
}

export const addToCart = async (product_id: number, quantity: number): Promise<void> => {
  if (session.get() === undefined) {
    const lines = guestCart.get()
    const existing = lines.find((l) => l.product_id === product_id)
    guestCart.set(
      existing
        ? lines.map((l) => (l.product_id === product_id ? { ...l, quantity: l.quantity + quantity } : l))
        : [...lines, { product_id, quantity }]
    )
  } else {
    try {
      await api((c) => c.cart.addToCart({ payload: { product_id, quantity } }))
    } catch (e) {
      // The session ended on the way: keep the line here rather than lose it.
      if (session.get() !== undefined) throw e
      return addToCart(product_id, quantity)
    }
  }
  await refreshCartCount()
}

/** After sign-in: the lines kept here join the server cart; those the server refuses stay here, with why. */
export const mergeGuestCart = async (): Promise<ReadonlyArray<string>> => {
  const problems: Array<string> = []
  const kept: Array<GuestLine> = []
  for (const line of guestCart.get()) {
    try {
      await api((c) => c.cart.addToCart({ payload: line }))
    } catch (e) {
      kept.push(line)
      problems.push(e instanceof Error ? e.message : String(e))
    }
  }
  guestCart.set(kept)
  await refreshCartCount()
  return problems
}
