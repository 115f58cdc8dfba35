import { assert, describe, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { SignJWT } from "jose"
import { loginAs, registerUser } from "./support/auth.ts"
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

layer(TestServerLive({ rateLimitEnabled: false, jwtSecret: Redacted.make(SECRET) }), { excludeTestServices: true })(
  "access tokens, refresh and log-out",
  (it) => {
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
  }
)
