import { useEffect, useState } from "preact/hooks"

/** A value that components can read and follow: the session, the cart count. */
export interface Store<T> {
  get(): T
  set(next: T): void
  subscribe(listener: (value: T) => void): () => void
}

export const makeStore = <T>(initial: T): Store<T> => {
  let value = initial
  const listeners = new Set<(value: T) => void>()
  return {
    get: () => value,
    set: (next) => {
      value = next
      for (const listener of listeners) listener(next)
    },
    subscribe: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    }
  }
}

export const useStore = <T>(store: Store<T>): T => {
  const [value, setValue] = useState(store.get())
  useEffect(() => {
    setValue(store.get())
    return store.subscribe(setValue)
  }, [store])
  return value
}

/** localStorage that never throws (private mode, quota, a value someone edited by hand). */
export const storage = {
  read<T>(key: string, valid: (u: unknown) => u is T): T | undefined {
    try {
      const raw = localStorage.getItem(key)
      if (raw === null) return undefined
      const parsed: unknown = JSON.parse(raw)
      return valid(parsed) ? parsed : undefined
    } catch {
      return undefined
    }
  },
  write(key: string, value: unknown) {
    try {
      if (value === undefined) localStorage.removeItem(key)
      else localStorage.setItem(key, JSON.stringify(value))
    } catch {}
  }
}
