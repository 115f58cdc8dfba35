import type * as http from "node:http"
import * as net from "node:net"
import { Context } from "effect"

/** Whether this process is draining for shutdown; `/ready` answers 503 meanwhile. */
export const Draining = Context.Reference<{ readonly draining: () => boolean }>("shop/http/Draining", {
  defaultValue: () => ({ draining: () => false })
})

/**
 * How long a keep-alive connection that has just answered may stay open once
 * the drain begins: a busy client's next request is usually already on its way,
 * and closing under it would cut it; it gets an answer with `Connection: close`
 * instead. Connections idle for longer are closed at once.
 */
const IDLE_GRACE_MS = 1000

interface Connection {
  readonly responses: Set<http.ServerResponse>
  idleSince: number
  timer: NodeJS.Timeout | undefined
}

/**
 * Turns `server.close()` (what the Effect server calls when its scope closes,
 * on SIGTERM/SIGINT) into a graceful drain instead of Node's, which destroys
 * every connection that has no response in progress, including those whose
 * next request is already in flight, and leaves busy keep-alive connections
 * open until the deadline:
 *
 * - the listener stops accepting;
 * - once `listenersClosed` resolves (in a cluster: every worker has stopped
 *   accepting, see StopBarrier.ts), responses not yet started, and every request that still arrives on an
 *   open connection, get `Connection: close`, so each connection closes after
 *   its answer;
 * - connections idle for more than a moment are closed at once, the others
 *   when their grace ends (or after the answer to their next request);
 * - `close`'s callback, which the Effect server awaits, runs as soon as the
 *   last connection is gone, so the process exits when drained;
 * - at `timeoutMs` whatever is left is destroyed.
 */
export const makeDrain = (timeoutMs: number, listenersClosed: () => Promise<void> = () => Promise.resolve()) => {
  // `stopping` from the signal on (/ready 503); `draining` once no listener of the service accepts any more.
  let stopping = false
  let draining = false

  const attach = (server: http.Server) => {
    const connections = new Map<net.Socket, Connection>()

    const closeWhenIdle = (socket: net.Socket, connection: Connection) => {
      if (connection.timer !== undefined || socket.destroyed) return
      const wait = connection.idleSince + IDLE_GRACE_MS - performance.now()
      const close = () => {
        connection.timer = undefined
        if (connection.responses.size === 0) socket.end()
      }
      if (wait <= 0) close()
      else connection.timer = setTimeout(close, wait)
    }

    server.on("connection", (socket: net.Socket) => {
      const connection: Connection = { responses: new Set(), idleSince: performance.now(), timer: undefined }
      connections.set(socket, connection)
      socket.once("close", () => {
        clearTimeout(connection.timer)
        connections.delete(socket)
      })
      if (draining) closeWhenIdle(socket, connection)
    })
    // First of the request listeners: a response may be written synchronously by the ones after it.
    server.prependListener("request", (request: http.IncomingMessage, response: http.ServerResponse) => {
      const socket = request.socket
      const connection = connections.get(socket)
      if (draining) response.setHeader("connection", "close")
      if (connection === undefined) return
      clearTimeout(connection.timer)
      connection.timer = undefined
      connection.responses.add(response)
      response.once("close", () => {
        connection.responses.delete(response)
        connection.idleSince = performance.now()
        // A response whose head went out before the drain kept the connection alive.
        if (draining && connection.responses.size === 0) closeWhenIdle(socket, connection)
      })
    })

    const beginDrain = () => {
      draining = true
      for (const [socket, connection] of connections) {
        for (const response of connection.responses)
          if (!response.headersSent) response.setHeader("connection", "close")
        if (connection.responses.size === 0) closeWhenIdle(socket, connection)
      }
    }

    server.close = function close(callback?: (error?: Error) => void) {
      stopping = true
      setTimeout(() => server.closeAllConnections(), timeoutMs).unref()
      // net.Server's close: stop listening, call back once every connection is gone (http.Server's would also
      // destroy the connections it deems idle).
      net.Server.prototype.close.call(server, callback)
      // Clients told to reconnect before every listener is closed would queue on one about to close, and
      // be reset with it; until then, kept-alive connections go on as before.
      void listenersClosed().then(beginDrain)
      return server
    }
    return server
  }

  return { attach, draining: () => stopping }
}
