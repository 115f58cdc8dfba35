/**
 * Saturated throughput of one URL: every connection sends its next request as
 * soon as the last one is answered. wrk (C, `apt-get install wrk`) is used when
 * it is on the PATH; autocannon otherwise. On a small machine the load
 * generator shares the cores with the server: autocannon spends over a third as
 * much CPU per request as the server does (19 against 51 microseconds on
 * product detail), wrk a fifth (11): wrk leaves the server the most.
 */
import { execFile } from "node:child_process"
import { createRequire } from "node:module"

export interface Result {
  readonly requests: { readonly average: number; readonly total: number }
  readonly latency: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number }
  readonly errors: number
  readonly timeouts: number
  readonly non2xx: number
}

type Autocannon = (options: Record<string, unknown>) => Promise<Result>

export const generator: "wrk" | "autocannon" = await new Promise((resolve) =>
  execFile("wrk", ["--version"], (error) =>
    // wrk prints its version and exits 1; only a missing binary is an ENOENT.
    resolve((error as NodeJS.ErrnoException | null)?.code === "ENOENT" ? "autocannon" : "wrk")
  )
)

export const saturate = (url: string, connections: number, seconds: number): Promise<Result> =>
  generator === "wrk" ? wrk(url, connections, seconds) : autocannon(url, connections, seconds)

const autocannon = (url: string, connections: number, seconds: number) =>
  (createRequire(import.meta.url)("autocannon") as Autocannon)({
    url,
    connections,
    duration: seconds,
    timeout: 10
  })

const wrk = (url: string, connections: number, seconds: number) =>
  new Promise<Result>((resolve, reject) =>
    execFile(
      "wrk",
      ["-t1", `-c${connections}`, `-d${seconds}s`, "--timeout", "10s", "--latency", url],
      (error, stdout) => (error ? reject(error) : resolve(parseWrk(stdout)))
    )
  )

/** Reads wrk's text report: Requests/sec, the latency distribution, socket errors and non-2xx/3xx responses. */
export const parseWrk = (out: string): Result => {
  const duration = (s: string | undefined) => {
    const m = /^([\d.]+)(us|ms|s|m)$/.exec(s ?? "")
    if (!m) return 0
    const scale = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] as "us" | "ms" | "s" | "m"]
    return Number(m[1]) * scale
  }
  const reported = (p: string) => duration(new RegExp(`^\\s*${p}%\\s+(\\S+)`, "m").exec(out)?.[1])
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  return {
    requests: {
      average: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
      total: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0)
    },
    latency: {
      p50: reported("50"),
      p90: reported("90"),
      p99: reported("99"),
      max: duration(/Latency\s+\S+\s+\S+\s+(\S+)/.exec(out)?.[1])
    },
    errors: socket ? Number(socket[1]) + Number(socket[2]) + Number(socket[3]) : 0,
    timeouts: socket ? Number(socket[4]) : 0,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0)
  }
}
