import { assert, describe, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { apiDocument } from "../src/http/ApiDocument.ts"
import { OPERATION_DOCS } from "../src/http/DocsOperations.ts"
import { makeAdmin, registerUser } from "./support/auth.ts"
import { request, TestServer, TestServerLive } from "./support/TestServer.ts"
import { unique } from "./support/unique.ts"

/**
 * The API document is exact (types, limits, names, prose) and the server does
 * what it says. Every exchange below also goes through the suite's contract
 * check (test/support/ContractCheck.ts): responses must be documented ones.
 */

const spec: any = apiDocument()
const METHODS = ["get", "put", "post", "delete"] as const
const operations = Object.entries<any>(spec.paths).flatMap(([path, item]) =>
  METHODS.filter((m) => item[m] !== undefined).map((method) => ({ path, method, op: item[method] }))
)
const resolve = (node: any): any =>
  typeof node?.$ref === "string" ? resolve(spec.components.schemas[node.$ref.split("/").pop()]) : node

const everyNode = (root: unknown, visit: (node: any, key: string | undefined) => void) => {
  const go = (node: any, key: string | undefined) => {
    if (node === null || typeof node !== "object") return
    visit(node, key)
    for (const [k, v] of Object.entries(node)) go(v, Array.isArray(node) ? key : k)
  }
  go(root, undefined)
}

describe("the OpenAPI document", () => {
  it("names the API, its license and server, and says how to authenticate", () => {
    assert.strictEqual(spec.openapi, "3.1.0")
    assert.isString(spec.info.license?.name)
    assert.isAbove(spec.servers.length, 0)
    assert.deepStrictEqual(spec.components.securitySchemes, {
      bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" }
    })
    for (const tag of spec.tags) assert.isString(tag.description, tag.name)
  })

  it("gives every operation a stable id, a summary and a description", () => {
    const ids = operations.map(({ op }) => op.operationId)
    assert.strictEqual(new Set(ids).size, ids.length)
    for (const { op } of operations) {
      assert.isDefined(OPERATION_DOCS[op.operationId], `${op.operationId} needs an entry in DocsOperations.ts`)
      assert.strictEqual(op.summary, OPERATION_DOCS[op.operationId]!.summary)
      assert.isAbove(op.description.length, 10, op.operationId)
    }
  })

  it("types numbers exactly: no Infinity or NaN, integer ids of at least 1, money with its unit", () => {
    const text = JSON.stringify(spec)
    assert.notInclude(text, "Infinity")
    assert.notInclude(text, "NaN")
    for (const [name, schema] of Object.entries<any>(spec.components.schemas)) {
      assert.notMatch(name, /^Objects_|Encoded$/, "meaningful schema names")
      everyNode(schema, (node, key) => {
        if (key === undefined || node.type === undefined) return
        if (key === "id" || key.endsWith("_id")) {
          assert.strictEqual(node.type, "integer", `${name}.${key}`)
          assert.strictEqual(node.minimum, 1, `${name}.${key}`)
        }
        if (["price", "final_price", "subtotal", "total", "total_amount"].includes(key) && node.type === "number")
          assert.match(node.description, /Rupees|rupees/, `${name}.${key}`)
        if (key === "created_at" || key === "at") assert.strictEqual(node.format, "date-time", `${name}.${key}`)
        // Log-in checks presence only: a malformed email simply matches no account (401, as a wrong one).
        if (key === "email" && name !== "LoginRequest") assert.strictEqual(node.format, "email", `${name}.${key}`)
      })
    }
    for (const { op } of operations)
      for (const parameter of op.parameters) {
        if (parameter.in === "path")
          assert.deepInclude(parameter.schema, { type: "integer", minimum: 1 }, op.operationId)
        if (parameter.name === "page") assert.deepInclude(parameter.schema, { type: "integer", minimum: 1, default: 1 })
        if (parameter.name === "per_page") assert.strictEqual(parameter.schema.type, "integer")
        if (["page", "per_page", "sort_order", "tree"].includes(parameter.name))
          assert.isDefined(parameter.schema.default, `${op.operationId} ${parameter.name} default`)
      }
    const listDefaults = Object.fromEntries(
      operations
        .filter(({ op }) => op.parameters.some((p: any) => p.name === "per_page"))
        .map(({ op }) => [op.operationId, op.parameters.find((p: any) => p.name === "per_page").schema.default])
    )
    assert.deepInclude(listDefaults, { "products.list": 20, "reviews.list": 10, "orders.listOrders": 10 })
  })

  it("states the real limits of the register body and that unknown fields are ignored", () => {
    const register = spec.paths["/api/auth/register"].post.requestBody
    const body = resolve(register.content["application/json"].schema)
    assert.deepInclude(body.properties.password, { minLength: 8, maxLength: 128 })
    assert.deepInclude(body.properties.username, { pattern: "^[A-Za-z0-9_.-]{3,80}$" })
    assert.strictEqual(body.properties.email.format, "email")
    assert.notStrictEqual(body.additionalProperties, false)
    assert.include(register.description, "ignored")
  })

  it("gives every request body an example and every error the shared Error schema", () => {
    for (const { op } of operations) {
      for (const media of Object.values<any>(op.requestBody?.content ?? {}))
        assert.isDefined(media.example, `${op.operationId} request example`)
      for (const [status, response] of Object.entries<any>(op.responses)) {
        if (Number(status) < 400 || op.operationId === "ready") continue
        const schema = response.content["application/json"].schema
        const refs = (schema.anyOf ?? [schema]).map((s: any) => resolve(s))
        for (const ref of refs) assert.deepInclude(ref.allOf[0], { $ref: "#/components/schemas/Error" })
      }
    }
  })
})

const Server = TestServerLive({ rateLimitEnabled: false })

/** A value the parameter schema accepts (its default, else its smallest or first value). */
const validParameter = (schema: any): string => {
  if (schema.default !== undefined) return String(schema.default)
  if (schema.enum !== undefined) return String(schema.enum[0])
  if (schema.type === "integer" || schema.type === "number") return String(schema.minimum ?? 1)
  return "a"
}

/** Values the parameter schema refuses, each with why. */
const invalidParameters = (schema: any): Array<[string, string]> => {
  const out: Array<[string, string]> = []
  if (schema.type === "integer") out.push(["abc", "not a number"], ["1.5", "not whole"])
  if (schema.type === "number") out.push(["abc", "not a number"])
  if (typeof schema.minimum === "number") out.push([String(schema.minimum - 1), "below the minimum"])
  if (schema.enum !== undefined) out.push(["NOT_AN_OPTION", "not one of the enum"])
  if (typeof schema.maxLength === "number") out.push(["x".repeat(schema.maxLength + 1), "too long"])
  return out
}

/** Bodies the schema refuses: a required field left out, each field of the wrong type or out of range. */
const invalidBodies = (schema: any, example: any): Array<[unknown, string]> => {
  const out: Array<[unknown, string]> = [[[example], "an array instead of an object"]]
  for (const field of schema.required ?? []) {
    const { [field]: _, ...rest } = example
    out.push([rest, `without ${field}`])
  }
  for (const [field, raw] of Object.entries<any>(schema.properties ?? {})) {
    const property = resolve(raw.anyOf?.find((s: any) => s.type !== "null") ?? raw)
    const wrong =
      property.type === "string"
        ? 12345
        : property.type === "integer" || property.type === "number"
          ? "two"
          : property.type === "boolean"
            ? "yes"
            : undefined
    if (wrong !== undefined) out.push([{ ...example, [field]: wrong }, `${field} of the wrong type`])
    if (typeof property.maxLength === "number")
      out.push([{ ...example, [field]: "x".repeat(property.maxLength + 1) }, `${field} too long`])
    if (typeof property.minimum === "number")
      out.push([{ ...example, [field]: property.minimum - 1 }, `${field} below its minimum`])
    if (property.enum !== undefined) out.push([{ ...example, [field]: "NOT_AN_OPTION" }, `${field} not in its enum`])
  }
  return out
}

const fillPath = (path: string, op: any, override: Record<string, string> = {}) =>
  path.replace(/\{([^}]+)\}/g, (_, name) => {
    const parameter = op.parameters.find((p: any) => p.name === name)
    return override[name] ?? validParameter(parameter.schema)
  })

layer(Server)("the server does what the document says (requests generated from its schemas)", (it) => {
  it.effect(
    "valid requests succeed or fail for business reasons only; invalid ones get a documented 400",
    () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const admin = yield* registerUser(url)
        yield* makeAdmin(admin.email)
        const token = admin.accessToken
        // A category for the examples' `category_id` / `parent_id` 1 (a fresh database starts its ids at 1).
        const category = yield* request(url, "/api/categories", { method: "POST", token, json: { name: "Fixtures" } })
        assert.strictEqual(category.body.category.id, 1)
        let sent = 0
        // Writes that end the admin's own session or data last, so the rest run with them in place.
        const ordered = [...operations].sort(
          (a, b) => Number(a.method === "delete") - Number(b.method === "delete") || a.path.localeCompare(b.path)
        )
        for (const { path, method, op } of ordered) {
          if (op.operationId === "auth.logout" || op.operationId === "auth.refresh") continue
          const media = op.requestBody?.content?.["application/json"]
          const query = (values: Record<string, string>) => {
            const q = new URLSearchParams(values).toString()
            return q.length > 0 ? `?${q}` : ""
          }
          const send = (target: string, json?: unknown) => {
            sent++
            return request(url, target, {
              method: method.toUpperCase(),
              token,
              ...(json !== undefined ? { json } : media !== undefined ? { json: media.example } : {})
            })
          }
          const queryParameters = op.parameters.filter((p: any) => p.in === "query")
          const validQuery = Object.fromEntries(
            queryParameters
              .filter((p: any) => p.schema.default !== undefined)
              .map((p: any) => [p.name, validParameter(p.schema)])
          )

          const valid = yield* send(`${fillPath(path, op)}${query(validQuery)}`)
          assert.isFalse(
            valid.status === 400 && valid.body?.code === "VALIDATION_ERROR",
            `${op.operationId}: a request the document allows was refused: ${JSON.stringify(valid.body)}`
          )
          assert.isBelow(valid.status, 500, op.operationId)

          const refused = (res: { status: number; body: any }, why: string) => {
            assert.strictEqual(res.status, 400, `${op.operationId} ${why}: ${JSON.stringify(res.body)}`)
            assert.strictEqual(res.body.code, "VALIDATION_ERROR", `${op.operationId} ${why}`)
            assert.isAbove(res.body.details?.length ?? 0, 0, `${op.operationId} ${why}: details name the field`)
          }
          for (const parameter of op.parameters.filter((p: any) => p.in === "path"))
            for (const [value, why] of invalidParameters(parameter.schema))
              refused(yield* send(fillPath(path, op, { [parameter.name]: value })), `${parameter.name} ${why}`)
          for (const parameter of queryParameters)
            for (const [value, why] of invalidParameters(parameter.schema))
              refused(
                yield* send(`${fillPath(path, op)}${query({ ...validQuery, [parameter.name]: value })}`),
                `${parameter.name} ${why}`
              )
          if (media !== undefined)
            for (const [body, why] of invalidBodies(resolve(media.schema), media.example))
              refused(yield* send(fillPath(path, op), body), why)
        }
        assert.isAbove(sent, 250)
      }),
    // About 300 requests: generous for a loaded machine.
    240_000
  )

  it.effect("unknown body fields are ignored, as the document says: is_admin in a register body changes nothing", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const tag = unique()
      const res = yield* request(url, "/api/auth/register", {
        method: "POST",
        json: {
          email: `extra_${tag}@example.com`,
          username: `extra_${tag}`,
          password: "password123",
          full_name: "Not A Field",
          is_admin: true
        }
      })
      assert.strictEqual(res.status, 201)
      assert.strictEqual(res.body.user.is_admin, false)
      assert.notProperty(res.body.user, "full_name")
    })
  )

  it.effect("serves exactly this document at /openapi.json", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const served = yield* Effect.promise(() => fetch(`${url}/openapi.json`).then((r) => r.json()))
      assert.deepStrictEqual(served, JSON.parse(JSON.stringify(spec)))
    })
  )
})
