import { render } from "preact"
import { ErrorBoundary, lazy, LocationProvider, Route, Router, useLocation } from "preact-iso"
import { useEffect } from "preact/hooks"
import { session, sessionExpired, signOut } from "./api.ts"
import { cartCount, refreshCartCount } from "./cart.ts"
import { Home } from "./pages/Home.tsx"
import { Listing } from "./pages/Listing.tsx"
import { ProductPage } from "./pages/Product.tsx"
import { SearchBox } from "./SearchBox.tsx"
import { useStore } from "./store.ts"
import "./styles.css"

// Pages a first visit rarely needs come in their own chunks.
const CartPage = lazy(() => import("./pages/Cart.tsx").then((m) => m.CartPage))
const SignIn = lazy(() => import("./pages/Auth.tsx").then((m) => m.SignIn))
const Register = lazy(() => import("./pages/Auth.tsx").then((m) => m.Register))
const Addresses = lazy(() => import("./pages/Addresses.tsx").then((m) => m.Addresses))
const Checkout = lazy(() => import("./pages/Checkout.tsx").then((m) => m.Checkout))
const OrderList = lazy(() => import("./pages/Orders.tsx").then((m) => m.OrderList))
const OrderPage = lazy(() => import("./pages/Orders.tsx").then((m) => m.OrderPage))
const Admin = lazy(() => import("./admin/Admin.tsx").then((m) => m.Admin))

const Header = () => {
  const user = useStore(session)?.user
  const count = useStore(cartCount)
  const { route } = useLocation()
  return (
    <header class="top">
      <div class="top-inner">
        <a href="/" class="logo">
          Flipkart<span>-like</span>
        </a>
        <SearchBox />
        <nav class="top-nav" aria-label="Account">
          {user ? (
            <>
              <a href="/orders">Orders</a>
              <a href="/account/addresses">Addresses</a>
              {user.is_admin && <a href="/admin">Admin</a>}
              <button
                type="button"
                class="link"
                onClick={async () => {
                  await signOut()
                  await refreshCartCount()
                  route("/")
                }}
              >
                Sign out
              </button>
            </>
          ) : (
            <a href="/signin">Sign in</a>
          )}
          <a href="/cart" class="cart-link">
            Cart{count > 0 && <span class="count">{count}</span>}
            <span class="visually-hidden"> ({count} items)</span>
          </a>
        </nav>
      </div>
    </header>
  )
}

/** A session that ended while browsing sends the shopper to sign in, back to this page afterwards. */
const SessionWatch = () => {
  const expired = useStore(sessionExpired)
  const { url, route, path } = useLocation()
  useEffect(() => {
    if (expired && path !== "/signin") route(`/signin?next=${encodeURIComponent(url)}`)
  }, [expired])
  return null
}

const NotFound = () => (
  <main id="main" class="page">
    <h1>Page not found</h1>
    <p>
      <a href="/">Back to the shop</a>
    </p>
  </main>
)

const App = () => {
  useEffect(() => {
    void refreshCartCount()
  }, [])
  return (
    <LocationProvider>
      <a href="#main" class="skip">
        Skip to content
      </a>
      <Header />
      <SessionWatch />
      <ErrorBoundary>
        <Router>
          <Route path="/" component={Home} />
          <Route path="/products" component={Listing} />
          <Route path="/products/:id" component={ProductPage} />
          <Route path="/cart" component={CartPage} />
          <Route path="/signin" component={SignIn} />
          <Route path="/register" component={Register} />
          <Route path="/account/addresses" component={Addresses} />
          <Route path="/checkout" component={Checkout} />
          <Route path="/orders" component={OrderList} />
          <Route path="/orders/:id" component={OrderPage} />
          <Route path="/admin/*" component={Admin} />
          <Route path="/admin" component={Admin} />
          <Route default component={NotFound} />
        </Router>
      </ErrorBoundary>
      <footer class="foot">
        <p>
          Flipkart-like shop · <a href="/docs">API docs</a>
        </p>
      </footer>
    </LocationProvider>
  )
}

render(<App />, document.getElementById("app")!)
