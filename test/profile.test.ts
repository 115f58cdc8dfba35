import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { makeAdmin, registerUser } from "./support/auth.ts"
import { request, TestServer, TestServerLive } from "./support/TestServer.ts"

layer(TestServerLive({ rateLimitEnabled: false }), { excludeTestServices: true })("the caller's profile", (it) => {
  describe("profile", () => {
    it.effect("GET the caller's profile; PUT changes only first_name, last_name and phone", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const user = yield* registerUser(url, { first_name: "Old", phone: "9876543210" })
        const got = yield* request(url, "/api/users/profile", { token: user.accessToken })
        assert.strictEqual(got.status, 200)
        assert.strictEqual(got.body.email, user.email)
        assert.strictEqual(got.body.first_name, "Old")
        const put = yield* request(url, "/api/users/profile", {
          method: "PUT",
          token: user.accessToken,
          json: {
            first_name: "New",
            last_name: "Name",
            phone: null,
            is_admin: true,
            is_active: false,
            email: "x@y.zz",
            username: "hijack"
          }
        })
        assert.strictEqual(put.status, 200)
        assert.strictEqual(put.body.message, "Profile updated successfully")
        assert.include(put.body.user, {
          first_name: "New",
          last_name: "Name",
          phone: null,
          is_admin: false,
          is_active: true,
          email: user.email,
          username: user.username
        })
        const empty = yield* request(url, "/api/users/profile", { method: "PUT", token: user.accessToken, json: {} })
        assert.strictEqual(empty.status, 200)
        assert.strictEqual(empty.body.user.first_name, "New")
      })
    )

    it.effect("PUT with a bad phone or an over-long name: 400, nothing changes", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const user = yield* registerUser(url, { first_name: "Keep" })
        for (const json of [{ phone: "abc" }, { first_name: "x".repeat(101) }, { first_name: "ok", last_name: 5 }]) {
          const res = yield* request(url, "/api/users/profile", { method: "PUT", token: user.accessToken, json })
          assert.strictEqual(res.status, 400)
          assert.strictEqual(res.body.code, "VALIDATION_ERROR")
        }
        const got = yield* request(url, "/api/users/profile", { token: user.accessToken })
        assert.strictEqual(got.body.first_name, "Keep")
        const anonymous = yield* request(url, "/api/users/profile", { method: "PUT", json: { first_name: "x" } })
        assert.strictEqual(anonymous.status, 401)
      })
    )

    it.effect("makeAdmin applies to the next request with the existing token", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const user = yield* registerUser(url)
        yield* makeAdmin(user.email)
        const got = yield* request(url, "/api/users/profile", { token: user.accessToken })
        assert.strictEqual(got.body.is_admin, true)
      })
    )
  })

  it.effect("routes answer with and without a trailing slash; the OpenAPI document lists them", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const user = yield* registerUser(url)
      const slash = yield* request(url, "/api/users/profile/", { token: user.accessToken })
      assert.strictEqual(slash.status, 200)
      const doc = yield* request(url, "/openapi.json")
      for (const path of [
        "/api/auth/register",
        "/api/auth/login",
        "/api/auth/refresh",
        "/api/auth/logout",
        "/api/users/profile",
        "/api/users/addresses",
        "/api/users/addresses/{id}"
      ]) {
        assert.property(doc.body.paths, path)
      }
    })
  )
})
