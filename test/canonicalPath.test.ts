import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { HttpApi } from "effect/http-api"
import { Api } from "../src/http/Api.ts"
import { canonicalPath } from "../src/http/CanonicalPath.ts"
import { makeAdmin, registerUser } from "./support/auth.ts"
import { rawRequest } from "./support/rawHttp.ts"
import { TestServer, TestServerLive } from "./support/TestServer.ts"

interface Route {
  readonly method: string
  readonly template: string
  readonly params: ReadonlyArray<string>
}

const routes: Array<Route> = []
HttpApi.reflect(Api, {
  onGroup: () => {},
  onEndpoint: ({ endpoint }) =>
    routes.push({
      method: endpoint.method,
      template: endpoint.path,
      params: [...endpoint.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]!)
    })
})

const fill = (template: string, values: Record<string, string> = {}) =>
  template.replace(/:([A-Za-z_]+)/g, (_, name: string) => values[name] ?? "1")

/** Other spellings of a canonical path that a lenient router or proxy would read as the same route. */
const spellings = (path: string): ReadonlyArray<string> => {
  const last = path.lastIndexOf("/")
  const head = last > 0 ? path.slice(0, last) : ""
  const tail = path.slice(last + 1)
  const variants = [
    path.toUpperCase(),
    `${head}/${tail.charAt(0).toUpperCase()}${tail.slice(1)}`,
    path.replace(/\/([a-z])/, (_, c: string) => `/${c.toUpperCase()}`),
    `/${path}`,
    `${head}//${tail}`,
    `${path}//`,
    `${path};x`,
    `${path};`,
    `${head};x=1/${tail}`,
    `${path}/.`,
    `${path}/x/..`,
    `${head}/./${tail}`,
    `${head}/zz/../${tail}`,
    `${head}/%2e/${tail}`,
    `${head}/zz/%2E%2E/${tail}`,
    `${head}/%2F${tail}`,
    `${head}%2f${tail}`,
    `${head}/%${tail.charCodeAt(0).toString(16)}${tail.slice(1)}`,
    `${head}/\\${tail}`,
    `${head}\\${tail}`,
    `${path}%20`,
    `${path}%00`,
    `${path}.`,
    `${path}/..`
  ]
  // Only origin-form targets here (Node's parser refuses the others); absolute-form targets are
  // read as their URL's path, so a non-canonical one stays refused.
  const other = [...new Set(variants)].filter((v) => v.startsWith("/") && v !== path && v !== `${path}/`)
  return [...other, ...other.slice(0, 8).map((v) => `http://localhost${v}`)]
}

/** Other spellings of the id 1 (or out-of-range ids): 400 naming the parameter, or the non-canonical 404. */
const ID_SPELLINGS = ["01", "1.0", "+1", "1e0", "%201", "1%20", "0.99999999999999999", "0", "-1", "2147483648", "1;x"]

const NON_CANONICAL = "NOT_FOUND"

describe("canonical paths", () => {
  layer(TestServerLive({ rateLimitEnabled: false }), { excludeTestServices: true })(
    "every route x every spelling",
    (it) => {
      it.effect("the Api's own templates are canonical", () =>
        Effect.sync(() => {
          assert.isAbove(routes.length, 30)
          for (const route of routes) assert.strictEqual(canonicalPath(fill(route.template)), fill(route.template))
        })
      )

      it.effect("no other spelling of a path reaches a handler: 404 JSON before any check or handler", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const admin = yield* registerUser(url)
          yield* makeAdmin(admin.email)
          const headers = { authorization: `Bearer ${admin.accessToken}`, "content-type": "application/json" }
          const failures: Array<string> = []
          let checked = 0
          for (const route of routes) {
            for (const spelling of spellings(fill(route.template))) {
              const res = yield* rawRequest(url, route.method, spelling, { headers, body: "{}" })
              checked++
              if (res.status !== 404 || res.body?.code !== NON_CANONICAL || typeof res.body?.error !== "string")
                failures.push(`${route.method} ${spelling} -> ${res.status} ${res.text.slice(0, 80)}`)
            }
          }
          assert.deepStrictEqual(failures, [])
          assert.isAbove(checked, 500)
        })
      )

      it.effect("ids are canonical positive int4 on every route: any other spelling is refused alike", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const admin = yield* registerUser(url)
          yield* makeAdmin(admin.email)
          const headers = { authorization: `Bearer ${admin.accessToken}`, "content-type": "application/json" }
          const failures: Array<string> = []
          for (const route of routes) {
            for (const param of route.params) {
              for (const id of ID_SPELLINGS) {
                const path = fill(route.template, { [param]: id })
                const res = yield* rawRequest(url, route.method, path, { headers, body: "{}" })
                const refused =
                  canonicalPath(path) === undefined
                    ? res.status === 404 && res.body?.code === NON_CANONICAL
                    : res.status === 400 &&
                      res.body?.code === "VALIDATION_ERROR" &&
                      res.body.details?.some((d: { field: string }) => d.field === param)
                if (!refused) failures.push(`${route.method} ${path} -> ${res.status} ${res.text.slice(0, 120)}`)
              }
            }
          }
          assert.deepStrictEqual(failures, [])
        })
      )

      it.effect("a trailing slash or an absolute-form target is the same route: the same answer, on every route", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const failures: Array<string> = []
          for (const route of routes) {
            const path = fill(route.template)
            const plain = yield* rawRequest(url, route.method, path)
            for (const same of [`${path}/`, `http://localhost${path}`]) {
              const other = yield* rawRequest(url, route.method, same)
              if (plain.status !== other.status || plain.body?.code !== other.body?.code)
                failures.push(`${route.method} ${same}: ${other.status}, ${path}: ${plain.status}`)
            }
          }
          assert.deepStrictEqual(failures, [])
        })
      )
    }
  )

  layer(TestServerLive({ rateLimitAuthPerMinute: 10 }), { excludeTestServices: true })("the login limit", (it) => {
    it.effect(
      "holds for every spelling: other spellings never reach login or register, the slashed one shares the budget",
      () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const user = yield* registerUser(url)
          const json = { "content-type": "application/json" }
          const wrong = JSON.stringify({ email: user.email, password: "wrong-password" })
          const right = JSON.stringify({ email: user.email, password: user.password })
          const register = JSON.stringify({
            email: "spelling@example.com",
            username: "spelling",
            password: "password123"
          })
          // The budget refills one request per 6 s: spend it at once (registerUser used one of the 10).
          const statuses: Array<number> = []
          for (let i = 0; i < 12; i++) {
            const path = i % 2 === 0 ? "/api/auth/login/" : "/api/auth/login"
            statuses.push((yield* rawRequest(url, "POST", path, { headers: json, body: wrong })).status)
          }
          assert.deepStrictEqual(statuses.slice(0, 9), Array(9).fill(401))
          assert.deepStrictEqual(statuses.slice(10), [429, 429])
          assert.strictEqual(
            (yield* rawRequest(url, "POST", "/api/auth/login/", { headers: json, body: right })).status,
            429
          )
          assert.strictEqual(
            (yield* rawRequest(url, "POST", "/api/auth/register/", { headers: json, body: register })).status,
            429
          )
          // Every other spelling, even with the right password, never reaches login or register.
          for (const path of ["/api/auth/login", "/api/auth/register"])
            for (const spelling of spellings(path)) {
              const res = yield* rawRequest(url, "POST", spelling, {
                headers: json,
                body: path.endsWith("login") ? right : register
              })
              assert.strictEqual(res.status, 404, spelling)
            }
          assert.strictEqual(
            (yield* rawRequest(url, "POST", "/API/AUTH/REGISTER", { headers: json, body: register })).status,
            404
          )
        })
    )
  })
})
