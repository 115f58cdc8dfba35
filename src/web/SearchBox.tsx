import { useLocation } from "preact-iso"
import { useEffect, useRef, useState } from "preact/hooks"
import { api } from "./api.ts"

export interface Suggestion {
  readonly type: "product" | "brand" | "category"
  readonly text: string
  readonly id?: number | undefined
}

const suggest = (q: string): Promise<ReadonlyArray<Suggestion>> =>
  api((c) => c.products.suggest({ query: { q, limit: 8 } })).then((r) => r.suggestions)

const hrefOf = (s: Suggestion) =>
  s.type === "product" && s.id !== undefined
    ? `/products/${s.id}`
    : s.type === "category" && s.id !== undefined
      ? `/products?category_id=${s.id}`
      : s.type === "brand"
        ? `/products?brand=${encodeURIComponent(s.text)}`
        : `/products?search=${encodeURIComponent(s.text)}`

/** The search field: suggestions as one types (arrow keys, Enter, Escape), Enter alone searches. */
export const SearchBox = () => {
  const { route, query, path } = useLocation()
  const [text, setText] = useState(path === "/products" ? (query.search ?? "") : "")
  const [items, setItems] = useState<ReadonlyArray<Suggestion>>([])
  const [active, setActive] = useState(-1)
  const [open, setOpen] = useState(false)
  const latest = useRef(0)

  useEffect(() => {
    if (path === "/products") setText(query.search ?? "")
  }, [path, query.search])

  useEffect(() => {
    const q = text.trim()
    if (!open || q === "") {
      setItems([])
      return
    }
    const id = ++latest.current
    const timer = setTimeout(() => {
      suggest(q).then(
        (s) => id === latest.current && (setItems(s), setActive(-1)),
        () => id === latest.current && setItems([])
      )
    }, 150)
    return () => clearTimeout(timer)
  }, [text, open])

  const go = (href: string) => {
    setOpen(false)
    setItems([])
    route(href)
  }
  const showList = open && items.length > 0
  return (
    <form
      class="search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault()
        const chosen = items[active]
        if (showList && chosen) go(hrefOf(chosen))
        else if (text.trim()) go(`/products?search=${encodeURIComponent(text.trim())}`)
      }}
    >
      <label for="q" class="visually-hidden">
        Search products
      </label>
      <input
        id="q"
        type="search"
        name="search"
        autocomplete="off"
        placeholder="Search for products, brands and more"
        role="combobox"
        list={undefined}
        aria-autocomplete="list"
        aria-expanded={showList}
        aria-controls="q-list"
        aria-activedescendant={showList && active >= 0 ? `q-opt-${active}` : undefined}
        value={text}
        onInput={(e) => {
          setText(e.currentTarget.value)
          setOpen(true)
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" && items.length > 0) {
            e.preventDefault()
            setOpen(true)
            setActive((a) => (a + 1) % items.length)
          } else if (e.key === "ArrowUp" && items.length > 0) {
            e.preventDefault()
            setActive((a) => (a <= 0 ? items.length - 1 : a - 1))
          } else if (e.key === "Escape" && showList) {
            // Close the list first; a second Escape clears the field as usual.
            e.preventDefault()
            setOpen(false)
          }
        }}
      />
      <button type="submit" class="btn">
        Search
      </button>
      {showList && (
        <ul id="q-list" role="listbox" class="suggestions" aria-label="Suggestions">
          {items.map((s, i) => (
            <li
              key={`${s.type}-${s.text}-${s.id ?? ""}`}
              id={`q-opt-${i}`}
              role="option"
              aria-selected={i === active}
              class={i === active ? "active" : undefined}
              onMouseDown={(e) => {
                e.preventDefault()
                go(hrefOf(s))
              }}
            >
              <span>{s.text}</span>
              <span class="muted small">
                {s.type === "product" ? "" : ` in ${s.type === "brand" ? "brands" : "categories"}`}
              </span>
            </li>
          ))}
        </ul>
      )}
    </form>
  )
}
