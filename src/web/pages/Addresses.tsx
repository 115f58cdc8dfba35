import { useState } from "preact/hooks"
import { api, ApiError, errorText, session, type Address } from "../api.ts"
import { useStore } from "../store.ts"
import { Empty, ErrorBox, Field, formValues, Loading, SignInFirst, useLoad } from "../ui.tsx"

export const addressLine = (a: Address) => `${a.street}, ${a.city}, ${a.state} - ${a.pincode}, ${a.country}`

/** A new address; the server's message for each field shows beside it. */
export const AddressForm = ({ onSaved }: { onSaved: (a: Address) => void }) => {
  const [error, setError] = useState<ApiError | undefined>()
  const [busy, setBusy] = useState(false)
  const e = error?.fields ?? {}
  return (
    <form
      class="stack address-form"
      noValidate
      onSubmit={async (ev) => {
        ev.preventDefault()
        const form = ev.currentTarget
        const v = formValues(form)
        setBusy(true)
        try {
          const r = await api((c) =>
            c.users.createAddress({
              payload: {
                street: v.street ?? "",
                city: v.city ?? "",
                state: v.state ?? "",
                pincode: (v.pincode ?? "").trim(),
                address_type: v.address_type || "home",
                is_default: v.is_default === "on"
              }
            })
          )
          setError(undefined)
          form.reset()
          onSaved(r.address)
        } catch (err) {
          setError(err instanceof ApiError ? err : new ApiError(0, "UNKNOWN", errorText(err)))
        } finally {
          setBusy(false)
        }
      }}
    >
      <Field label="Street and house number" name="street" autocomplete="street-address" required error={e.street} />
      <Field label="City" name="city" autocomplete="address-level2" required error={e.city} />
      <Field label="State" name="state" autocomplete="address-level1" required error={e.state} />
      <Field
        label="PIN code"
        name="pincode"
        inputMode="numeric"
        autocomplete="postal-code"
        required
        error={e.pincode}
      />
      <div class="field">
        <label for="f-address_type">Type</label>
        <select id="f-address_type" name="address_type">
          <option value="home">Home</option>
          <option value="work">Work</option>
          <option value="other">Other</option>
        </select>
      </div>
      <div class="check">
        <input id="f-is_default" type="checkbox" name="is_default" />
        <label for="f-is_default">Make this my default address</label>
      </div>
      {error && (
        <p class="error" role="alert">
          {error.message}
        </p>
      )}
      <button type="submit" class="btn" disabled={busy}>
        {busy ? "Saving…" : "Save address"}
      </button>
    </form>
  )
}

/** The address book: default first, make another the default, delete, add. */
export const Addresses = () => {
  const signed = useStore(session) !== undefined
  const list = useLoad(() => (signed ? api((c) => c.users.listAddresses()) : Promise.resolve([])), [signed])
  const [actionError, setActionError] = useState<string | undefined>()
  if (!signed) return <SignInFirst what="your addresses" />
  const act = async (f: () => Promise<unknown>) => {
    try {
      await f()
      setActionError(undefined)
    } catch (e) {
      setActionError(errorText(e))
    }
    list.reload()
  }
  return (
    <main id="main" class="page narrow">
      <h1>Your addresses</h1>
      {list.error !== undefined && <ErrorBox error={list.error} retry={list.reload} />}
      {list.loading && !list.data && <Loading label="Loading addresses" />}
      {actionError && (
        <p class="error" role="alert">
          {actionError}
        </p>
      )}
      {list.data &&
        (list.data.length === 0 ? (
          <Empty>No saved addresses yet.</Empty>
        ) : (
          <ul class="addresses">
            {list.data.map((a) => (
              <li key={a.id} class="address">
                <p>
                  <strong>{a.address_type}</strong> {a.is_default && <span class="tag">Default</span>}
                </p>
                <p>{addressLine(a)}</p>
                <p class="row">
                  {!a.is_default && (
                    <button
                      type="button"
                      class="link"
                      onClick={() =>
                        act(() =>
                          api((c) => c.users.updateAddress({ params: { id: a.id }, payload: { is_default: true } }))
                        )
                      }
                    >
                      Make default
                    </button>
                  )}
                  <button
                    type="button"
                    class="link danger"
                    onClick={() => act(() => api((c) => c.users.deleteAddress({ params: { id: a.id } })))}
                  >
                    Delete<span class="visually-hidden"> {addressLine(a)}</span>
                  </button>
                </p>
              </li>
            ))}
          </ul>
        ))}
      <h2>Add an address</h2>
      <AddressForm onSaved={() => list.reload()} />
    </main>
  )
}
