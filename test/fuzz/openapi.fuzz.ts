import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { makeAdmin, registerUser } from "../support/auth.ts"
import { branches, fillPath, type JsonSchema, type Operation, operations } from "../support/openapi.ts"
import { rawRequest, type RawResponse } from "../support/rawHttp.ts"
import { watchPostgresLog } from "../support/postgresLog.ts"
import { TestDatabaseUrl } from "../support/TestDatabase.ts"
import { TestServer, TestServerLive } from "../support/TestServer.ts"

const SEED = Number(process.env.FUZZ_SEED ?? 20261130)
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000)
const CONCURRENCY = 8

/** mulberry32: the same seed gives the same requests. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const ODD_VALUES: ReadonlyArray<unknown> = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  2147483648,
  Number.MAX_SAFE_INTEGER + 2,
  "",
  " ",
  "x".repeat(5000),
  "'; DROP TABLE products; --",
  "%00",
  "\u202e",
  "😀",
  [],
  {},
  [1, 2],
  { nested: { deeper: [null] } }
]

const RAW_BODIES: ReadonlyArray<string> = [
  "",
  "{",
  "}",
  "null",
  "[]",
  '"text"',
  "1e999",
  '{"a":1,"a":2}',
  '{"__proto__":{"is_admin":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  "[".repeat(5000) + "]".repeat(5000),
  '{"email":"a@b.c"'
]

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  ""
]

interface Generated {
  readonly method: string
  readonly target: string
  readonly headers: Record<string, string>
  readonly body: string | undefined
}

const generator = (next: () => number) => {
  const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(next() * items.length)]!
  const chance = (p: number) => next() < p

  /** A value valid for the schema most of the time, else a boundary or a wrong type. */
  const valueFor = (schema: JsonSchema, depth = 0): unknown => {
    if (chance(0.1) || depth > 4) return pick(ODD_VALUES)
    const branch = pick(branches(schema))
    if (branch.enum) return chance(0.9) ? pick(branch.enum) : "not-in-enum"
    switch (branch.type) {
      case "integer":
      case "number": {
        const min = branch.minimum ?? 0
        const max = branch.maximum ?? min + 1000
        const candidates = [min, max, min - 1, max + 1, Math.floor(min + next() * (max - min))]
        return branch.type === "number" && chance(0.3) ? pick(candidates) + 0.5 : pick(candidates)
      }
      case "boolean":
        return chance(0.5)
      case "string": {
        if (branch.format === "email") return `fuzz${Math.floor(next() * 1e6)}@example.com`
        const max = branch.maxLength ?? 40
        return pick(["a", "fuzz text", "x".repeat(max), "x".repeat(max + 1), "1", "2024-01-01T00:00:00Z"])
      }
      case "array":
        return Array.from({ length: Math.floor(next() * 3) }, () => valueFor(branch.items ?? {}, depth + 1))
      case "object": {
        const out: Record<string, unknown> = {}
        for (const [key, property] of Object.entries((branch.properties ?? {}) as Record<string, JsonSchema>))
          if (chance(0.85)) out[key] = valueFor(property, depth + 1)
        if (chance(0.1)) out.unexpected_field = pick(ODD_VALUES)
        return out
      }
      case "null":
        return null
      default:
        return pick(ODD_VALUES)
    }
  }

  const idFor = () => pick(["1", "2", "3", "5", "10", String(Math.floor(next() * 50) + 1), "2147483647", "0", "abc"])

  return (op: Operation, tokens: ReadonlyArray<string | undefined>): Generated => {
    const path = fillPath(op.path, Object.fromEntries(op.params.map((p) => [p, idFor()])))
    const query = new URLSearchParams()
    for (const q of op.query) if (q.required || chance(0.4)) query.set(q.name, String(valueFor(q.schema)))
    const token = pick(tokens)
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
    if (chance(0.03))
      headers.authorization = pick(["Bearer", "Bearer x.y.z", "Basic abc", "Bearer " + "a".repeat(3000)])
    let body: string | undefined
    if (op.body !== undefined || chance(0.05)) {
      const roll = next()
      body = roll < 0.8 ? JSON.stringify(valueFor(op.body ?? {})) : pick(RAW_BODIES)
      const type = chance(0.85) ? "application/json" : pick(CONTENT_TYPES)
      if (type !== "") headers["content-type"] = type
    }
    if (chance(0.02)) headers["idempotency-key"] = pick(["k1", "", "x".repeat(300)])
    const search = query.toString()
    return { method: op.method, target: search ? `${path}?${search}` : path, headers, body }
  }
}

const isErrorBody = (res: RawResponse) =>
  typeof res.body?.error === "string" && typeof res.body?.code === "string" && /^[A-Z_]+$/.test(res.body.code)

layer(TestServerLive({ rateLimitEnabled: false }), { excludeTestServices: true })("fuzz from /openapi.json", (it) => {
  it.effect(
    `${REQUESTS} generated requests (seed ${SEED}): no 5xx, every 4xx a JSON {error, code}, /health fine after`,
    () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const database = new URL(yield* TestDatabaseUrl).pathname.slice(1)
        const postgresLog = watchPostgresLog(database)
        // CI runs the fuzz on the machine's PostgreSQL, whose log it must be able to read.
        if (process.env.CI) assert.isTrue(postgresLog.readable, "PostgreSQL's log is not readable: set POSTGRES_LOG")
        const document = (yield* rawRequest(url, "GET", "/openapi.json")).body
        const ops = operations(document)
        assert.isAbove(ops.length, 30)
        const user = yield* registerUser(url)
        const admin = yield* registerUser(url)
        yield* makeAdmin(admin.email)
        const generate = generator(random(SEED))
        const tokens = [undefined, user.accessToken, admin.accessToken]
        const pickOp = random(SEED + 1)
        const requests = Array.from({ length: REQUESTS }, () =>
          generate(ops[Math.floor(pickOp() * ops.length)]!, tokens)
        )

        const failures: Array<string> = []
        const statuses = new Map<number, number>()
        yield* Effect.forEach(
          requests,
          (r) =>
            Effect.map(rawRequest(url, r.method, r.target, { headers: r.headers, body: r.body }), (res) => {
              statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
              if (res.status >= 500 || (res.status >= 400 && !isErrorBody(res)))
                if (failures.length < 50)
                  failures.push(
                    `${r.method} ${r.target.slice(0, 120)} ${(r.body ?? "").slice(0, 120)} -> ${res.status} ${res.text.slice(0, 160)}`
                  )
            }),
          { concurrency: CONCURRENCY, discard: true }
        )
        console.log("fuzz statuses", JSON.stringify(Object.fromEntries(statuses)))
        assert.deepStrictEqual(failures, [])
        const health = yield* rawRequest(url, "GET", "/health")
        assert.strictEqual(health.status, 200)
        const ready = yield* rawRequest(url, "GET", "/ready")
        assert.strictEqual(ready.status, 200)
        // No statement the fuzz caused failed in PostgreSQL, except constraint violations answered as 4xx.
        if (postgresLog.readable) assert.deepStrictEqual(postgresLog.errors(), [])
        else console.log("fuzz: PostgreSQL's log is not readable here; its ERROR lines were not checked")
      }),
    600_000
  )
})
