import cluster, { type Worker } from "node:cluster"

const LISTENER_CLOSED = "shop:listener-closed"
const DRAIN = "shop:drain"

const isMessage = (message: unknown, type: string) =>
  typeof message === "object" && message !== null && (message as { type?: unknown }).type === type

/**
 * Why workers stop together: a worker that tells its clients `Connection: close`
 * while another worker still accepts sends their reconnections to that one, to
 * sit in its accept queue when it closes in turn, and be reset. So on SIGTERM
 * each worker stops accepting first, reports it, and starts answering with
 * `Connection: close` only when the primary says every worker has stopped
 * accepting (or after `maxWaitMs`, should the primary not answer); a
 * reconnecting client is then refused cleanly instead of cut.
 *
 * Worker side: resolves at once outside a cluster.
 */
export const listenersClosedEverywhere =
  (maxWaitMs = 2_000) =>
  (): Promise<void> => {
    const send = process.send?.bind(process)
    if (!cluster.isWorker || send === undefined) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        process.off("message", onMessage)
        resolve()
      }
      const onMessage = (message: unknown) => {
        if (isMessage(message, DRAIN)) done()
      }
      const timer = setTimeout(done, maxWaitMs)
      process.on("message", onMessage)
      send({ type: LISTENER_CLOSED }, undefined, {}, (error) => {
        if (error) done()
      })
    })
  }

/** Primary side: once every live worker has reported its listener closed, tells them all to drain. Returns its stop. */
export const coordinateWorkerStops = () => {
  const closed = new Set<number>()
  let released = false
  const alive = () =>
    Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.isConnected())
  // With a callback, a worker gone meanwhile is an error passed here, not an 'error' event that would crash the primary.
  const tellToDrain = (worker: Worker) => worker.send({ type: DRAIN }, undefined, undefined, () => {})
  const release = () => {
    if (released || closed.size === 0 || !alive().every((w) => closed.has(w.id))) return
    released = true
    for (const worker of alive()) tellToDrain(worker)
  }
  const onMessage = (worker: Worker, message: unknown) => {
    if (!isMessage(message, LISTENER_CLOSED)) return
    closed.add(worker.id)
    if (released) tellToDrain(worker)
    else release()
  }
  cluster.on("message", onMessage)
  cluster.on("exit", release)
  return () => {
    cluster.off("message", onMessage)
    cluster.off("exit", release)
  }
}
