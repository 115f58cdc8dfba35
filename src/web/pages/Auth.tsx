import { useLocation } from "preact-iso"
import { useState } from "preact/hooks"
import { api, ApiError, errorText, sessionExpired, signedIn } from "../api.ts"
import { guestCart, mergeGuestCart } from "../cart.ts"
import { useStore } from "../store.ts"
import { Field, formValues } from "../ui.tsx"

/** Only paths of this site, so a crafted `next` can't send the shopper elsewhere. */
const safeNext = (next: string | undefined) =>
  next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/"

const useAuthForm = () => {
  const { query, route } = useLocation()
  const [error, setError] = useState<ApiError | undefined>()
  const [busy, setBusy] = useState(false)
  const [notes, setNotes] = useState<ReadonlyArray<string>>([])
  const submit = async (call: () => Promise<Parameters<typeof signedIn>[0]>) => {
    setBusy(true)
    try {
      const s = await call()
      signedIn({ access_token: s.access_token, refresh_token: s.refresh_token, user: s.user })
      setError(undefined)
      const problems = await mergeGuestCart()
      if (problems.length > 0) {
        setNotes(problems.map((p) => `A cart item could not be added: ${p}`))
        setTimeout(() => route(safeNext(query.next)), 2500)
      } else route(safeNext(query.next))
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, "UNKNOWN", errorText(e)))
    } finally {
      setBusy(false)
    }
  }
  return { error, busy, notes, submit, next: query.next }
}

export const SignIn = () => {
  const expired = useStore(sessionExpired)
  const lines = useStore(guestCart).length
  const { error, busy, notes, submit, next } = useAuthForm()
  return (
    <main id="main" class="page narrow">
      <h1>Sign in</h1>
      {expired && (
        <p class="notice" role="status">
          Your session has ended. Please sign in again{lines > 0 ? "; your cart is kept." : "."}
        </p>
      )}
      <form
        class="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault()
          const v = formValues(e.currentTarget)
          void submit(() => api((c) => c.auth.login({ payload: { email: v.email ?? "", password: v.password ?? "" } })))
        }}
      >
        <Field label="Email" name="email" type="email" autocomplete="email" required error={error?.fields.email} />
        <Field
          label="Password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          error={error?.fields.password}
        />
        {error && (
          <p class="error" role="alert">
            {error.message}
          </p>
        )}
        {notes.map((n) => (
          <p class="warn" role="status" key={n}>
            {n}
          </p>
        ))}
        <button type="submit" class="btn" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p>
        New here? <a href={next ? `/register?next=${encodeURIComponent(next)}` : "/register"}>Create an account</a>
      </p>
    </main>
  )
}

export const Register = () => {
  const { error, busy, notes, submit, next } = useAuthForm()
  const e = error?.fields ?? {}
  return (
    <main id="main" class="page narrow">
      <h1>Create an account</h1>
      <form
        class="stack"
        noValidate
        onSubmit={(ev) => {
          ev.preventDefault()
          const v = formValues(ev.currentTarget)
          const optional = (k: "first_name" | "last_name" | "phone") => (v[k]?.trim() ? { [k]: v[k].trim() } : {})
          void submit(() =>
            api((c) =>
              c.auth.register({
                payload: {
                  email: v.email ?? "",
                  username: v.username ?? "",
                  password: v.password ?? "",
                  ...optional("first_name"),
                  ...optional("last_name"),
                  ...optional("phone")
                }
              })
            )
          )
        }}
      >
        <Field label="Email" name="email" type="email" autocomplete="email" required error={e.email} />
        <Field label="Username" name="username" autocomplete="username" required error={e.username} />
        <Field
          label="Password (8 or more characters)"
          name="password"
          type="password"
          autocomplete="new-password"
          required
          error={e.password}
        />
        <Field label="First name" name="first_name" autocomplete="given-name" error={e.first_name} />
        <Field label="Last name" name="last_name" autocomplete="family-name" error={e.last_name} />
        <Field label="Phone" name="phone" type="tel" autocomplete="tel" error={e.phone} />
        {error && (
          <p class="error" role="alert">
            {error.message}
          </p>
        )}
        {notes.map((n) => (
          <p class="warn" role="status" key={n}>
            {n}
          </p>
        ))}
        <button type="submit" class="btn" disabled={busy}>
          {busy ? "Creating…" : "Create account"}
        </button>
      </form>
      <p>
        Have an account? <a href={next ? `/signin?next=${encodeURIComponent(next)}` : "/signin"}>Sign in</a>
      </p>
    </main>
  )
}
