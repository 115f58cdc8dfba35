import { assert, describe, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { SignJWT } from "jose"
import { loginAs, makeAdmin, registerUser } from "./support/auth.ts"
import { request, TestServer, TestServerLive } from "./support/TestServer.ts"

const SECRET = "identity-test-secret-0123456789abcdef"
const key = new TextEncoder().encode(SECRET)

const sign = (claims: Record<string, unknown>, options: { exp?: number; iat?: number; secret?: Uint8Array } = {}) =>
  Effect.promise(() => {
    const now = Math.floor(Date.now() / 1000)
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setJti(crypto.randomUUID())
      .setIssuedAt(options.iat ?? now)
      .setExpirationTime(options.exp ?? now + 600)
      .sign(options.secret ?? key)
  })

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")

const count = (table: "users" | "addresses" | "refresh_tokens") =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql(table)}`
    return rows[0]!.n
  }).pipe(Effect.orDie)

const address = { street: "123 Main Street", city: "Mumbai", state: "Maharashtra", pincode: "400001" }

layer(TestServerLive({ rateLimitEnabled: false, jwtSecret: Redacted.make(SECRET) }), { excludeTestServices: true })(
  "identity",
  (it) => {
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
          const before = yield* count("users")
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
          assert.strictEqual(yield* count("users"), before)
        })
      )

      it.effect("400 naming every bad field; nothing written", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const before = yield* count("users")
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
          assert.strictEqual(yield* count("users"), before)
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

    describe("tokens", () => {
      it.effect("tampered, foreign, expired or wrong-type tokens are 401", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const user = yield* registerUser(url)
          const [header, payload] = user.accessToken.split(".")
          const claims = JSON.parse(Buffer.from(payload!, "base64url").toString())
          const now = Math.floor(Date.now() / 1000)
          const accessTokens = {
            badSignature: `${header}.${payload}.${"A".repeat(43)}`,
            otherUser: `${header}.${b64({ ...claims, sub: String(user.id + 1000) })}.${user.accessToken.split(".")[2]}`,
            algNone: `${b64({ alg: "none", typ: "JWT" })}.${payload}.`,
            otherSecret: yield* sign(
              { type: "access", sub: String(user.id) },
              { secret: new TextEncoder().encode("another-secret-0123456789abcdef") }
            ),
            expired: yield* sign({ type: "access", sub: String(user.id) }, { iat: now - 3600, exp: now - 60 }),
            refreshAsAccess: user.refreshToken,
            noType: yield* sign({ sub: String(user.id) }),
            badSub: yield* sign({ type: "access", sub: "abc" }),
            garbage: "not.a.jwt",
            empty: ""
          }
          for (const [name, token] of Object.entries(accessTokens)) {
            const res = yield* request(url, "/api/users/profile", { headers: { authorization: `Bearer ${token}` } })
            assert.strictEqual(res.status, 401, name)
            assert.strictEqual(res.body.code, "UNAUTHORIZED", name)
          }
          const missing = yield* request(url, "/api/users/profile")
          assert.strictEqual(missing.status, 401)
          const forged = yield* sign({ type: "access", sub: String(user.id) })
          assert.strictEqual((yield* request(url, "/api/users/profile", { token: forged })).status, 200)

          const refreshTokens = {
            accessAsRefresh: user.accessToken,
            expired: yield* sign({ type: "refresh", sub: String(user.id) }, { iat: now - 3600, exp: now - 60 }),
            // Well signed but never issued: no row in refresh_tokens.
            unknown: yield* sign({ type: "refresh", sub: String(user.id) }),
            algNone: `${b64({ alg: "none", typ: "JWT" })}.${user.refreshToken.split(".")[1]}.`
          }
          for (const [name, token] of Object.entries(refreshTokens)) {
            const res = yield* request(url, "/api/auth/refresh", { method: "POST", token })
            assert.strictEqual(res.status, 401, name)
            const out = yield* request(url, "/api/auth/logout", { method: "POST", json: { refresh_token: token } })
            assert.strictEqual(out.status, 401, name)
          }
          const none = yield* request(url, "/api/auth/refresh", { method: "POST" })
          assert.strictEqual(none.status, 401)
        })
      )
    })

    describe("refresh and logout", () => {
      it.effect("refresh rotates: a new pair, and the old refresh token stops working", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const user = yield* registerUser(url)
          const first = yield* request(url, "/api/auth/refresh", { method: "POST", token: user.refreshToken })
          assert.strictEqual(first.status, 200)
          assert.deepStrictEqual(Object.keys(first.body).sort(), ["access_token", "refresh_token"])
          assert.notStrictEqual(first.body.refresh_token, user.refreshToken)
          assert.strictEqual(
            (yield* request(url, "/api/users/profile", { token: first.body.access_token })).status,
            200
          )
          // The body form works as well.
          const second = yield* request(url, "/api/auth/refresh", {
            method: "POST",
            json: { refresh_token: first.body.refresh_token }
          })
          assert.strictEqual(second.status, 200)
          const sql = yield* SqlClient.SqlClient
          const stored = yield* sql<{ token_hash: string }>`SELECT token_hash FROM refresh_tokens`
          assert.isFalse(
            stored.some((r) => r.token_hash.includes(".")),
            "only hashes are stored"
          )
        })
      )

      it.effect("reusing a rotated refresh token revokes the whole family", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const user = yield* registerUser(url)
          const other = yield* loginAs(url, user.email, user.password)
          const rotated = yield* request(url, "/api/auth/refresh", { method: "POST", token: user.refreshToken })
          assert.strictEqual(rotated.status, 200)
          const reuse = yield* request(url, "/api/auth/refresh", { method: "POST", token: user.refreshToken })
          assert.strictEqual(reuse.status, 401)
          assert.match(reuse.body.error, /reuse/)
          // The thief's copy and the legitimate successor are both dead now.
          const successor = yield* request(url, "/api/auth/refresh", {
            method: "POST",
            token: rotated.body.refresh_token
          })
          assert.strictEqual(successor.status, 401)
          // Another session of the same user (another family) is untouched.
          const otherSession = yield* request(url, "/api/auth/refresh", { method: "POST", token: other.refreshToken })
          assert.strictEqual(otherSession.status, 200)
        })
      )

      it.effect("logout: 204 and the family is revoked; header or body", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const user = yield* registerUser(url)
          const rotated = yield* request(url, "/api/auth/refresh", { method: "POST", token: user.refreshToken })
          const out = yield* request(url, "/api/auth/logout", { method: "POST", token: rotated.body.refresh_token })
          assert.strictEqual(out.status, 204)
          const after = yield* request(url, "/api/auth/refresh", { method: "POST", token: rotated.body.refresh_token })
          assert.strictEqual(after.status, 401)

          const session = yield* loginAs(url, user.email, user.password)
          const viaBody = yield* request(url, "/api/auth/logout", {
            method: "POST",
            json: { refresh_token: session.refreshToken }
          })
          assert.strictEqual(viaBody.status, 204)
          const dead = yield* request(url, "/api/auth/refresh", { method: "POST", token: session.refreshToken })
          assert.strictEqual(dead.status, 401)
        })
      )
    })

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

    describe("addresses", () => {
      it.effect(
        "the first address becomes the default; defaults move atomically; list is default first, then newest",
        () =>
          Effect.gen(function* () {
            const { url } = yield* TestServer
            const user = yield* registerUser(url)
            const token = user.accessToken
            const empty = yield* request(url, "/api/users/addresses", { token })
            assert.deepStrictEqual(empty.body, [])

            const first = yield* request(url, "/api/users/addresses", { method: "POST", token, json: address })
            assert.strictEqual(first.status, 201)
            assert.strictEqual(first.body.message, "Address added successfully")
            assert.deepStrictEqual(first.body.address, {
              id: first.body.address.id,
              address_type: "home",
              ...address,
              country: "India",
              is_default: true
            })
            const second = yield* request(url, "/api/users/addresses", {
              method: "POST",
              token,
              json: { ...address, address_type: "work", pincode: "400002", is_default: false }
            })
            assert.strictEqual(second.body.address.is_default, false)
            const third = yield* request(url, "/api/users/addresses", {
              method: "POST",
              token,
              json: { ...address, street: "9 Elm", country: "USA", pincode: "10001-1234", is_default: true }
            })
            assert.strictEqual(third.status, 201)
            assert.strictEqual(third.body.address.is_default, true)

            const list = yield* request(url, "/api/users/addresses/", { token })
            assert.strictEqual(list.status, 200)
            assert.deepStrictEqual(
              list.body.map((a: { id: number }) => a.id),
              [third.body.address.id, second.body.address.id, first.body.address.id]
            )
            assert.deepStrictEqual(
              list.body.map((a: { is_default: boolean }) => a.is_default),
              [true, false, false]
            )

            const promote = yield* request(url, `/api/users/addresses/${first.body.address.id}`, {
              method: "PUT",
              token,
              json: { is_default: true, city: "Pune" }
            })
            assert.strictEqual(promote.status, 200)
            assert.strictEqual(promote.body.message, "Address updated successfully")
            assert.include(promote.body.address, { is_default: true, city: "Pune", street: address.street })
            const after = yield* request(url, "/api/users/addresses", { token })
            assert.deepStrictEqual(
              after.body.filter((a: { is_default: boolean }) => a.is_default).map((a: { id: number }) => a.id),
              [first.body.address.id]
            )

            // Deleting the default promotes the newest remaining address.
            const del = yield* request(url, `/api/users/addresses/${first.body.address.id}`, {
              method: "DELETE",
              token
            })
            assert.strictEqual(del.status, 200)
            assert.deepStrictEqual(del.body, { message: "Address deleted successfully" })
            const remaining = yield* request(url, "/api/users/addresses", { token })
            assert.deepStrictEqual(
              remaining.body.map((a: { id: number; is_default: boolean }) => [a.id, a.is_default]),
              [
                [third.body.address.id, true],
                [second.body.address.id, false]
              ]
            )

            // Giving up the default hands it to the newest other address.
            const unset = yield* request(url, `/api/users/addresses/${third.body.address.id}`, {
              method: "PUT",
              token,
              json: { is_default: false }
            })
            assert.strictEqual(unset.body.address.is_default, false)
            const handed = yield* request(url, "/api/users/addresses", { token })
            assert.deepStrictEqual(
              handed.body.map((a: { id: number; is_default: boolean }) => [a.id, a.is_default]),
              [
                [second.body.address.id, true],
                [third.body.address.id, false]
              ]
            )
            // A lone address stays the default.
            yield* request(url, `/api/users/addresses/${third.body.address.id}`, { method: "DELETE", token })
            const lone = yield* request(url, `/api/users/addresses/${second.body.address.id}`, {
              method: "PUT",
              token,
              json: { is_default: false }
            })
            assert.strictEqual(lone.body.address.is_default, true)
          })
      )

      it.effect("bad input: 400 naming the field, nothing written", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const user = yield* registerUser(url)
          const token = user.accessToken
          const before = yield* count("addresses")
          const cases: Array<[Record<string, unknown>, string]> = [
            [{ ...address, pincode: "40001" }, "pincode"],
            [{ ...address, pincode: "4000011" }, "pincode"],
            [{ ...address, country: "india", pincode: "ABC123" }, "pincode"],
            [{ ...address, street: "" }, "street"],
            [{ ...address, street: "   " }, "street"],
            [{ ...address, street: "x".repeat(256) }, "street"],
            [{ ...address, city: "x".repeat(101) }, "city"],
            [{ ...address, address_type: "x".repeat(21) }, "address_type"],
            [{ ...address, is_default: "yes" }, "is_default"],
            [{ city: "Mumbai", state: "MH", pincode: "400001" }, "street"]
          ]
          for (const [json, field] of cases) {
            const res = yield* request(url, "/api/users/addresses", { method: "POST", token, json })
            assert.strictEqual(res.status, 400, JSON.stringify(json))
            assert.include(
              res.body.details.map((d: { field: string }) => d.field),
              field,
              JSON.stringify(json)
            )
          }
          assert.strictEqual(yield* count("addresses"), before)

          const created = yield* request(url, "/api/users/addresses", {
            method: "POST",
            token,
            json: { ...address, country: "UK", pincode: "SW1A 1AA" }
          })
          assert.strictEqual(created.status, 201)
          const id = created.body.address.id
          // Moving a UK address to India without a 6-digit pincode is refused as a whole.
          const moved = yield* request(url, `/api/users/addresses/${id}`, {
            method: "PUT",
            token,
            json: { country: "India", city: "Delhi" }
          })
          assert.strictEqual(moved.status, 400)
          assert.strictEqual(moved.body.details[0].field, "pincode")
          const badPin = yield* request(url, `/api/users/addresses/${id}`, {
            method: "PUT",
            token,
            json: { pincode: "!!" }
          })
          assert.strictEqual(badPin.status, 400)
          const list = yield* request(url, "/api/users/addresses", { token })
          assert.include(list.body[0], { country: "UK", city: "Mumbai", pincode: "SW1A 1AA" })

          for (const path of ["abc", "0", "-1", "1.5", "99999999999999999999"]) {
            const put = yield* request(url, `/api/users/addresses/${path}`, { method: "PUT", token, json: {} })
            assert.include([400, 404], put.status, path)
            assert.isString(put.body.code)
            const del = yield* request(url, `/api/users/addresses/${path}`, { method: "DELETE", token })
            assert.include([400, 404], del.status, path)
          }
          const missing = yield* request(url, "/api/users/addresses/987654", { method: "DELETE", token })
          assert.strictEqual(missing.status, 404)
          assert.strictEqual(missing.body.code, "NOT_FOUND")
        })
      )

      it.effect("BOLA: john cannot see, change or delete jane's addresses", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const john = yield* registerUser(url)
          const jane = yield* registerUser(url)
          const janes = yield* request(url, "/api/users/addresses", {
            method: "POST",
            token: jane.accessToken,
            json: address
          })
          const id = janes.body.address.id
          const list = yield* request(url, "/api/users/addresses", { token: john.accessToken })
          assert.deepStrictEqual(list.body, [])
          const put = yield* request(url, `/api/users/addresses/${id}`, {
            method: "PUT",
            token: john.accessToken,
            json: { street: "Stolen", is_default: true }
          })
          assert.strictEqual(put.status, 404)
          assert.notInclude(JSON.stringify(put.body), address.street)
          const del = yield* request(url, `/api/users/addresses/${id}`, { method: "DELETE", token: john.accessToken })
          assert.strictEqual(del.status, 404)
          const still = yield* request(url, "/api/users/addresses", { token: jane.accessToken })
          assert.deepStrictEqual(still.body, [janes.body.address])
          const anonymous = yield* request(url, "/api/users/addresses")
          assert.strictEqual(anonymous.status, 401)
        })
      )

      it.effect("concurrent 'make default' requests and concurrent first addresses leave exactly one default", () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const sql = yield* SqlClient.SqlClient
          const defaults = (userId: number) =>
            sql<{ n: number }>`
              SELECT count(*)::int AS n FROM addresses WHERE user_id = ${userId} AND is_default`.pipe(
              Effect.map((rows) => rows[0]!.n)
            )

          const fresh = yield* registerUser(url)
          const created = yield* Effect.forEach(
            Array.from({ length: 10 }, (_, i) => i),
            (i) =>
              request(url, "/api/users/addresses", {
                method: "POST",
                token: fresh.accessToken,
                json: { ...address, street: `${i} Parallel Road` }
              }),
            { concurrency: "unbounded" }
          )
          assert.isTrue(created.every((r) => r.status === 201))
          assert.strictEqual(yield* defaults(fresh.id), 1)

          const ids = created.map((r) => r.body.address.id as number)
          const results = yield* Effect.forEach(
            Array.from({ length: 20 }, (_, i) => ids[i % ids.length]!),
            (id) =>
              request(url, `/api/users/addresses/${id}`, {
                method: "PUT",
                token: fresh.accessToken,
                json: { is_default: true }
              }),
            { concurrency: "unbounded" }
          )
          assert.isTrue(results.every((r) => r.status === 200))
          assert.strictEqual(yield* defaults(fresh.id), 1)

          const deletions = yield* Effect.forEach(
            ids.slice(0, 5),
            (id) => request(url, `/api/users/addresses/${id}`, { method: "DELETE", token: fresh.accessToken }),
            { concurrency: "unbounded" }
          )
          assert.isTrue(deletions.every((r) => r.status === 200))
          assert.strictEqual(yield* defaults(fresh.id), 1)
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
  }
)
