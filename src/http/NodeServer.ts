import { createServer, type Server, STATUS_CODES } from "node:http"
import type { Duplex } from "node:stream"
import { Duration } from "effect"
import { bodyForStatus } from "./ErrorBody.ts"

export interface SocketTimeouts {
  readonly headersTimeout: Duration.Duration
  readonly keepAliveTimeout: Duration.Duration
  readonly bodyTimeout: Duration.Duration
}

/** Node's own refusals, before any handler runs; everything else it cannot parse is a 400. */
const statusOf = (code: string | undefined) =>
  code === "HPE_HEADER_OVERFLOW"
    ? 431
    : code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? 408
      : code === "HPE_CHUNK_EXTENSIONS_OVERFLOW"
        ? 413
        : 400

/**
 * Node answers requests it cannot parse (a URL or header block over 16 KB, a
 * malformed request line, headers not received in time) itself, with an empty
 * body; here they get the JSON error body like every other error, then the
 * connection closes.
 */
const answerClientError = (error: Error & { code?: string }, socket: Duplex & { bytesWritten?: number }) => {
  if (error.code === "ECONNRESET" || !socket.writable || (socket.bytesWritten ?? 0) > 0) {
    socket.destroy()
    return
  }
  const status = statusOf(error.code)
  const body = JSON.stringify(bodyForStatus(status))
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      "Content-Type: application/json\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      "Connection: close\r\n\r\n" +
      body
  )
}

/**
 * The node:http server with its socket limits chosen: the header block must
 * arrive within `headersTimeout`; idle keep-alive sockets close after
 * `keepAliveTimeout` (longer than a load balancer's usual 60 s, so the balancer
 * closes first and never reuses a socket the server is closing); Node's whole-
 * request limit stays a backstop behind the body timeout, which answers 408 JSON.
 */
export const makeNodeServer = (timeouts: SocketTimeouts): Server => {
  const headersTimeout = Duration.toMillis(timeouts.headersTimeout)
  const server = createServer({
    headersTimeout,
    requestTimeout: headersTimeout + Duration.toMillis(timeouts.bodyTimeout) + 5_000,
    keepAliveTimeout: Duration.toMillis(timeouts.keepAliveTimeout),
    // How often Node looks for sockets over those limits (default 30 s, which would let a stalled header block last 40 s).
    connectionsCheckingInterval: 1_000
  })
  server.on("clientError", answerClientError)
  return server
}
