import { useState } from "preact/hooks"
import { api, errorText, type Client, type Result } from "../api.ts"
import { ErrorBox, Field, formValues, Loading, useLoad } from "../ui.tsx"

type Category = Pick<Result<Client["categories"]["get"]>, "id" | "name" | "parent_id">
interface Row {
  readonly node: Category
  readonly depth: number
}

/** The tree in display order, built from the flat list's parent ids. */
const treeRows = (all: ReadonlyArray<Category>): Array<Row> => {
  const children = new Map<number | null, Array<Category>>()
  for (const c of all) children.set(c.parent_id, [...(children.get(c.parent_id) ?? []), c])
  const ids = new Set(all.map((c) => c.id))
  const walk = (parent: number | null, depth: number): Array<Row> =>
    (children.get(parent) ?? []).flatMap((node) => [{ node, depth }, ...walk(node.id, depth + 1)])
  // A category under an inactive parent still shows, at the top.
  const orphans = all.filter((c) => c.parent_id !== null && !ids.has(c.parent_id))
  return [...walk(null, 0), ...orphans.flatMap((node) => [{ node, depth: 0 }, ...walk(node.id, 1)])]
}

/** The category tree: add, move a subtree under another parent (cycles refused by the API), deactivate. */
export const AdminCategories = () => {
  const tree = useLoad(() => api((c) => c.categories.list({ query: {} })), [])
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>()
  const act = async (f: () => Promise<{ message: string }>) => {
    try {
      const r = await f()
      setMessage({ ok: true, text: r.message })
    } catch (e) {
      setMessage({ ok: false, text: errorText(e) })
    }
    tree.reload()
  }
  const rows = treeRows(tree.data ?? [])
  return (
    <>
      <h1>Categories</h1>
      {message && (
        <p class={message.ok ? "ok" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      )}
      {tree.error !== undefined && <ErrorBox error={tree.error} retry={tree.reload} />}
      {tree.loading && !tree.data && <Loading />}
      {tree.data && (
        <ul class="cat-tree">
          {rows.map(({ node, depth }) => (
            <li key={node.id} style={{ paddingLeft: `${depth * 1.5}rem` }}>
              <span class="cat-name">{node.name}</span>
              <form
                class="inline-form"
                onSubmit={(e) => {
                  e.preventDefault()
                  const v = formValues(e.currentTarget)
                  const parent_id = v.parent ? Number(v.parent) : null
                  void act(() => api((c) => c.categories.update({ params: { id: node.id }, payload: { parent_id } })))
                }}
              >
                <label for={`move-${node.id}`} class="visually-hidden">
                  New parent of {node.name}
                </label>
                <select id={`move-${node.id}`} name="parent">
                  <option value="">(top level)</option>
                  {rows
                    .filter((r) => r.node.id !== node.id)
                    .map((r) => (
                      <option key={r.node.id} value={String(r.node.id)} selected={r.node.id === node.parent_id}>
                        {"— ".repeat(r.depth)}
                        {r.node.name}
                      </option>
                    ))}
                </select>
                <button type="submit" class="btn secondary small">
                  Move<span class="visually-hidden"> {node.name}</span>
                </button>
                <button
                  type="button"
                  class="link danger"
                  onClick={() => act(() => api((c) => c.categories.deactivate({ params: { id: node.id } })))}
                >
                  Deactivate<span class="visually-hidden"> {node.name}</span>
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <h2>Add a category</h2>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault()
          const form = e.currentTarget
          const v = formValues(form)
          void act(async () => {
            const r = await api((c) =>
              c.categories.create({
                payload: {
                  name: v.name ?? "",
                  ...(v.description?.trim() ? { description: v.description.trim() } : {}),
                  parent_id: v.parent_id ? Number(v.parent_id) : null
                }
              })
            )
            form.reset()
            return r
          })
        }}
      >
        <Field label="Name" name="name" required />
        <Field label="Description" name="description" />
        <div class="field">
          <label for="new-parent">Parent</label>
          <select id="new-parent" name="parent_id">
            <option value="">(top level)</option>
            {rows.map((r) => (
              <option key={r.node.id} value={String(r.node.id)}>
                {"— ".repeat(r.depth)}
                {r.node.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="btn">
          Add category
        </button>
      </form>
    </>
  )
}
