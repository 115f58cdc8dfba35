import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { registerUser } from "./support/auth.ts"
import { fillPath, operations, stringFields, valueAt } from "./support/openapi.ts"
import { rawRequest } from "./support/rawHttp.ts"
import { TestServer, TestServerLive } from "./support/TestServer.ts"

const refusal = (body: any, field: string) =>
  body?.code === "VALIDATION_ERROR" &&
  typeof body.error === "string" &&
  Array.isArray(body.details) &&
  body.details.some((d: { field: string }) => d.field === field)

// Generated from the Api's own OpenAPI document: every query parameter and every string of every JSON body.
layer(TestServerLive({ rateLimitEnabled: false }), { excludeTestServices: true })("clean strings", (it) => {
  it.effect("NUL in any query parameter is a 400 VALIDATION_ERROR naming it, on every endpoint", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const user = yield* registerUser(url)
      const headers = { authorization: `Bearer ${user.accessToken}` }
      const failures: Array<string> = []
      let checked = 0
      for (const op of operations())
        for (const { name } of op.query) {
          for (const value of ["%00", "a%00b"]) {
            const target = `${fillPath(op.path)}?${name}=${value}`
            const res = yield* rawRequest(url, op.method, target, { headers })
            checked++
            if (res.status !== 400 || !refusal(res.body, name)) failures.push(`${op.method} ${target} -> ${res.status}`)
          }
          const key = `${fillPath(op.path)}?${name}=1&x%00=1`
          const res = yield* rawRequest(url, op.method, key, { headers })
          if (res.status !== 400 || !refusal(res.body, "x\\u0000"))
            failures.push(`${op.method} ${key} -> ${res.status}`)
        }
      assert.deepStrictEqual(failures, [])
      assert.isAbove(checked, 20)
    })
  )

  it.effect("NUL or a lone surrogate in any body string is a 400 VALIDATION_ERROR naming the field", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const user = yield* registerUser(url)
      const headers = { authorization: `Bearer ${user.accessToken}`, "content-type": "application/json" }
      const failures: Array<string> = []
      let checked = 0
      for (const op of operations()) {
        if (op.body === undefined) continue
        for (const field of stringFields(op.body))
          for (const bad of ["\u0000", "text\u0000", "\ud800", "x\udfff"]) {
            const body = JSON.stringify(valueAt(field, bad))
            const res = yield* rawRequest(url, op.method, fillPath(op.path), { headers, body })
            checked++
            if (res.status !== 400 || !refusal(res.body, field))
              failures.push(`${op.method} ${op.path} ${body} -> ${res.status} ${res.text.slice(0, 100)}`)
          }
      }
      assert.deepStrictEqual(failures, [])
      assert.isAbove(checked, 60)
    })
  )

  it.effect("also in fields the schema does not know, in keys, and with no Content-Type; clean text passes", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const json = { "content-type": "application/json" }
      const cases: ReadonlyArray<[Record<string, string>, string, string]> = [
        [json, JSON.stringify({ email: "a@example.com", password: "x", extra: "\u0000" }), "extra"],
        [json, JSON.stringify({ "em\u0000ail": "a@example.com" }), "em\\u0000ail"],
        [{}, JSON.stringify({ email: "a\u0000@example.com", password: "x" }), "email"]
      ]
      for (const [headers, body, field] of cases) {
        const res = yield* rawRequest(url, "POST", "/api/auth/login", { headers, body })
        assert.strictEqual(res.status, 400, body)
        assert.isTrue(refusal(res.body, field), res.text)
      }
      // the escaped text of a backslash followed by "u0000" is clean: the login itself answers
      const clean = yield* rawRequest(url, "POST", "/api/auth/login", {
        headers: json,
        body: JSON.stringify({ email: "nobody@example.com", password: "\\u0000 é 😀" })
      })
      assert.strictEqual(clean.status, 401)
    })
  )
})
