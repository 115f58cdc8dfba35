import cluster, { type Worker } from "node:cluster"

/**
 * With WEB_CONCURRENCY > 1 every worker keeps its own metrics. A scrape of
 * /metrics reaches one worker at random, so that worker asks the primary, which
 * collects every worker's text and merges it into one exposition where each
 * series carries a `worker` label (sum over it in PromQL for the whole instance).
 */

interface CollectRequest {
  readonly type: "metrics:collect"
  readonly id: number
}
interface CollectReply {
  readonly type: "metrics:text"
  readonly id: number
  readonly text: string
}
interface ScrapeRequest {
  readonly type: "metrics:scrape"
  readonly id: number
}
interface ScrapeReply {
  readonly type: "metrics:merged"
  readonly id: number
  readonly text: string
}

const isMessage = <T extends { type: string }>(message: unknown, type: T["type"]): message is T =>
  typeof message === "object" && message !== null && (message as { type?: unknown }).type === type

/** Adds `worker="id"` to every sample line of a Prometheus text exposition. */
const labelSample = (line: string, worker: string) => {
  const brace = line.indexOf("{")
  const space = line.indexOf(" ")
  if (brace !== -1 && brace < space) {
    const rest = line.slice(brace + 1)
    return `${line.slice(0, brace)}{worker="${worker}"${rest.startsWith("}") ? "" : ","}${rest}`
  }
  return `${line.slice(0, space)}{worker="${worker}"}${line.slice(space)}`
}

/** Merges expositions: each metric family once (its HELP/TYPE), with the samples of every worker. */
export const mergeExpositions = (texts: ReadonlyArray<{ readonly worker: string; readonly text: string }>) => {
  const families = new Map<string, { header: Array<string>; samples: Array<string> }>()
  for (const { worker, text } of texts) {
    let current: { header: Array<string>; samples: Array<string> } | undefined
    for (const line of text.split("\n")) {
      if (line.length === 0) continue
      const meta = /^# (HELP|TYPE) (\S+)/.exec(line)
      if (meta) {
        const name = meta[2]!
        current = families.get(name)
        if (current === undefined) {
          current = { header: [], samples: [] }
          families.set(name, current)
        }
        if (current.header.length < 2 && !current.header.some((h) => h.startsWith(`# ${meta[1]} `))) {
          current.header.push(line)
        }
      } else if (!line.startsWith("#") && current !== undefined) {
        current.samples.push(labelSample(line, worker))
      }
    }
  }
  return [...families.values()].map((f) => [...f.header, ...f.samples].join("\n")).join("\n") + "\n"
}

/** In the primary: answers workers' scrape requests by collecting from all workers. */
export const servePrimaryMetrics = (timeoutMs = 2000) => {
  let nextId = 0
  const pending = new Map<
    number,
    { texts: Array<{ worker: string; text: string }>; expected: number; done: () => void }
  >()
  const onMessage = (from: Worker, message: unknown) => {
    if (isMessage<CollectReply>(message, "metrics:text")) {
      const entry = pending.get(message.id)
      if (entry === undefined) return
      entry.texts.push({ worker: String(from.id), text: message.text })
      if (entry.texts.length === entry.expected) entry.done()
      return
    }
    if (!isMessage<ScrapeRequest>(message, "metrics:scrape")) return
    const id = nextId++
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.isConnected())
    const finish = () => {
      clearTimeout(timer)
      const entry = pending.get(id)
      pending.delete(id)
      if (from.isConnected()) {
        from.send({
          type: "metrics:merged",
          id: message.id,
          text: mergeExpositions(entry?.texts ?? [])
        } satisfies ScrapeReply)
      }
    }
    const timer = setTimeout(finish, timeoutMs)
    pending.set(id, { texts: [], expected: workers.length, done: finish })
    for (const worker of workers) worker.send({ type: "metrics:collect", id } satisfies CollectRequest)
  }
  cluster.on("message", onMessage)
  return () => cluster.off("message", onMessage)
}

/**
 * In a worker: answers the primary's collect requests with `local()`, and
 * returns a scrape function that asks the primary for the merged text.
 */
export const workerMetrics = (local: () => Promise<string>) => {
  let nextId = 0
  const waiting = new Map<number, (text: string) => void>()
  process.on("message", (message: unknown) => {
    if (isMessage<CollectRequest>(message, "metrics:collect")) {
      void local().then((text) => process.send?.({ type: "metrics:text", id: message.id, text } satisfies CollectReply))
    } else if (isMessage<ScrapeReply>(message, "metrics:merged")) {
      waiting.get(message.id)?.(message.text)
      waiting.delete(message.id)
    }
  })
  return () =>
    new Promise<string>((resolve) => {
      const id = nextId++
      const timer = setTimeout(() => {
        waiting.delete(id)
        void local().then(resolve)
      }, 3000)
      waiting.set(id, (text) => {
        clearTimeout(timer)
        resolve(text)
      })
      process.send?.({ type: "metrics:scrape", id } satisfies ScrapeRequest)
    })
}
