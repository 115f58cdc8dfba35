import { request as httpRequest } from "node:http"
import { Effect } from "effect"

export interface RawResponse {
  readonly status: number
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly text: string
  /** The parsed JSON body, or undefined when the body is not JSON. */
  readonly body: any
}

/**
 * One HTTP request with the path sent exactly as given (fetch would normalise
 * `..`, `//` or percent escapes before they reach the server), on a fresh connection.
 */
export const rawRequest = (
  base: string,
  method: string,
  path: string,
  options: { readonly headers?: Record<string, string>; readonly body?: string | Buffer } = {}
) =>
  Effect.callback<RawResponse>((resume) => {
    const { hostname, port } = new URL(base)
    const req = httpRequest(
      {
        host: hostname,
        port,
        method,
        path,
        // Node's client frames a GET or DELETE body with neither length nor chunks: give the length.
        headers: {
          connection: "close",
          ...(options.body !== undefined ? { "content-length": String(Buffer.byteLength(options.body)) } : {}),
          ...options.headers
        },
        agent: false
      },
      (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (chunk: Buffer) => chunks.push(chunk))
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8")
          let body: unknown
          try {
            body = text.length > 0 ? JSON.parse(text) : undefined
          } catch {}
          resume(Effect.succeed({ status: res.statusCode ?? 0, headers: res.headers, text, body }))
        })
        res.on("error", (error) => resume(Effect.die(error)))
      }
    )
    req.on("error", (error) => resume(Effect.die(error)))
    req.end(options.body)
    return Effect.sync(() => req.destroy())
  })
