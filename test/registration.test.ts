import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { registerUser } from "./support/auth.ts"
import { countRows } from "./support/TestDatabase.ts"
import { request, TestServer, TestServerLive } from "./support/TestServer.ts"

layer(TestServerLive({ rateLimitEnabled: false }), { excludeTestServices: true })("registration and log-in", (it) => {
  describe("register", () => {
    it.effect("201 with the user and a token pair; never a password or hash", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const res = yield* request(url, "/api/auth/register", {
          method: "POST",
          json: {
            email: "Alice.Reg@Example.com",
            username: "alice_reg",
            password: "password123",
            first_name: "Alice",
            phone: "+919876543210"
          }
        })
        assert.strictEqual(res.status, 201)
        assert.strictEqual(res.body.message, "User registered successfully")
        assert.deepStrictEqual(Object.keys(res.body.user).sort(), [
          "created_at",
          "email",
          "first_name",
          "id",
          "is_active",
          "is_admin",
          "last_name",
          "phone",
          "username"
        ])
        assert.strictEqual(res.body.user.email, "Alice.Reg@Example.com")
        assert.strictEqual(res.body.user.last_name, null)
        assert.strictEqual(res.body.user.is_admin, false)
        assert.match(res.body.user.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
        assert.isString(res.body.access_token)
        assert.isString(res.body.refresh_token)
        assert.notInclude(JSON.stringify(res.body), "argon2")
        const payload = JSON.parse(Buffer.from(res.body.access_token.split(".")[1], "base64url").toString())
        assert.strictEqual(payload.sub, String(res.body.user.id))
        assert.strictEqual(payload.type, "access")
        assert.isString(payload.jti)
        assert.strictEqual(payload.exp - payload.iat, 15 * 60)
      })
    )

    it.effect("is_admin and is_active in the body are ignored", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const res = yield* request(url, "/api/auth/register", {
          method: "POST",
          json: { email: "mallory@example.com", username: "mallory", password: "password123", is_admin: true, id: 1 }
        })
        assert.strictEqual(res.status, 201)
        assert.strictEqual(res.body.user.is_admin, false)
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql<{ is_admin: boolean }>`SELECT is_admin FROM users WHERE username = 'mallory'`
        assert.strictEqual(rows[0]!.is_admin, false)
      })
    )

    it.effect("409 for a taken email (any case) or username (any case); nothing written", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const user = yield* registerUser(url)
        const before = yield* countRows("users")
        const sameEmail = yield* request(url, "/api/auth/register", {
          method: "POST",
          json: { email: user.email.toUpperCase(), username: "someone_else", password: "password123" }
        })
        assert.strictEqual(sameEmail.status, 409)
        assert.strictEqual(sameEmail.body.code, "CONFLICT")
        assert.match(sameEmail.body.error, /email/i)
        const sameUsername = yield* request(url, "/api/auth/register", {
          method: "POST",
          json: { email: "other@example.com", username: user.username.toUpperCase(), password: "password123" }
        })
        assert.strictEqual(sameUsername.status, 409)
        assert.match(sameUsername.body.error, /username/i)
        assert.strictEqual(yield* countRows("users"), before)
      })
    )

    it.effect("400 naming every bad field; nothing written", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const before = yield* countRows("users")
        const res = yield* request(url, "/api/auth/register", {
          method: "POST",
          json: {
            email: "not-an-email",
            username: "a b",
            password: "short",
            phone: "12345",
            first_name: "x".repeat(101)
          }
        })
        assert.strictEqual(res.status, 400)
        assert.strictEqual(res.body.code, "VALIDATION_ERROR")
        const fields = res.body.details.map((d: { field: string }) => d.field).sort()
        assert.deepStrictEqual(fields, ["email", "first_name", "password", "phone", "username"])

        const cases: Array<[Record<string, unknown>, string]> = [
          [{ username: "valid_name", password: "password123" }, "email"],
          [{ email: "a@b.co", password: "password123" }, "username"],
          [{ email: "a@b.co", username: "ab", password: "password123" }, "username"],
          [{ email: "a@b.co", username: "x".repeat(81), password: "password123" }, "username"],
          [{ email: "a@b.co", username: "valid_name", password: "x".repeat(129) }, "password"],
          [{ email: "a@b.co", username: "valid_name", password: 12345678 }, "password"],
          [{ email: "a@b.co", username: "valid_name", password: "password123", phone: "+12345678901234567" }, "phone"]
        ]
        for (const [json, field] of cases) {
          const bad = yield* request(url, "/api/auth/register", { method: "POST", json })
          assert.strictEqual(bad.status, 400, JSON.stringify(json))
          assert.include(
            bad.body.details.map((d: { field: string }) => d.field),
            field
          )
        }
        const notJson = yield* request(url, "/api/auth/register", {
          method: "POST",
          body: "{nope",
          headers: { "content-type": "application/json" }
        })
        assert.strictEqual(notJson.status, 400)
        assert.strictEqual(yield* countRows("users"), before)
      })
    )

    it.effect("accepts a username of letters, digits, '_', '.', '-' and a phone with +", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const user = yield* registerUser(url, { username: "a.b-c_9", phone: "+123456789012345" })
        assert.isAbove(user.id, 0)
      })
    )
  })

  describe("login", () => {
    it.effect("200 with the email in any case", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const user = yield* registerUser(url)
        const res = yield* request(url, "/api/auth/login", {
          method: "POST",
          json: { email: user.email.toUpperCase(), password: user.password }
        })
        assert.strictEqual(res.status, 200)
        assert.strictEqual(res.body.message, "Login successful")
        assert.strictEqual(res.body.user.id, user.id)
        const profile = yield* request(url, "/api/users/profile", { token: res.body.access_token })
        assert.strictEqual(profile.status, 200)
      })
    )

    it.effect("unknown email and wrong password: the same 401, in about the same time", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const user = yield* registerUser(url)
        const timed = (json: unknown) =>
          Effect.gen(function* () {
            const start = performance.now()
            const res = yield* request(url, "/api/auth/login", { method: "POST", json })
            return { res, ms: performance.now() - start }
          })
        const wrong = []
        const unknown = []
        for (let i = 0; i < 3; i++) {
          wrong.push(yield* timed({ email: user.email, password: "wrong-password" }))
          unknown.push(yield* timed({ email: `nobody${i}@example.com`, password: "wrong-password" }))
        }
        for (const { res } of [...wrong, ...unknown]) {
          assert.strictEqual(res.status, 401)
          assert.deepStrictEqual(res.body, { error: "Invalid email or password", code: "UNAUTHORIZED" })
        }
        const mean = (xs: Array<{ ms: number }>) => xs.reduce((a, x) => a + x.ms, 0) / xs.length
        // Both verify an argon2id hash; without the dummy hash an unknown email would answer in a fraction.
        assert.isAbove(mean(unknown), mean(wrong) * 0.5)
      })
    )

    it.effect("400 for a missing field", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const res = yield* request(url, "/api/auth/login", { method: "POST", json: { email: "a@b.co" } })
        assert.strictEqual(res.status, 400)
        assert.strictEqual(res.body.details[0].field, "password")
      })
    )

    it.effect("a deactivated account: 403 only after the right password; its tokens stop working at once", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const user = yield* registerUser(url)
        const sql = yield* SqlClient.SqlClient
        yield* sql`UPDATE users SET is_active = false WHERE id = ${user.id}`
        const right = yield* request(url, "/api/auth/login", {
          method: "POST",
          json: { email: user.email, password: user.password }
        })
        assert.strictEqual(right.status, 403)
        assert.strictEqual(right.body.code, "ACCOUNT_DISABLED")
        const wrong = yield* request(url, "/api/auth/login", {
          method: "POST",
          json: { email: user.email, password: "wrong-password" }
        })
        assert.strictEqual(wrong.status, 401)
        const profile = yield* request(url, "/api/users/profile", { token: user.accessToken })
        assert.strictEqual(profile.status, 401)
        const refreshed = yield* request(url, "/api/auth/refresh", { method: "POST", token: user.refreshToken })
        assert.strictEqual(refreshed.status, 401)
      })
    )
  })
})
