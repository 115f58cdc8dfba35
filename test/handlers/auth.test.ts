import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { HttpApiTest } from "effect/http-api"
import { AccountDisabled, Conflict, Unauthorized } from "../../src/domain/errors.ts"
import type { User } from "../../src/domain/user.ts"
import { Api } from "../../src/http/Api.ts"
import { AuthHandlers } from "../../src/http/AuthHandlers.ts"
import { Auth } from "../../src/services/Auth.ts"
import { asCaller, AuthenticationTest } from "../support/handlerTest.ts"
import { recorder, stub } from "../support/stub.ts"

const user: User = {
  id: 7,
  email: "asha@example.com",
  username: "asha",
  first_name: null,
  last_name: null,
  phone: null,
  is_active: true,
  is_admin: false,
  created_at: "2026-11-30T12:00:00.000Z"
}
const tokens = { access_token: "access-1", refresh_token: "refresh-1" }

// Which refresh token reached the service, from the header or the body.
const { calls, record } = recorder()
const AuthStub = stub(Auth, {
  register: (input) =>
    input.email === user.email
      ? Effect.fail(new Conflict({ error: "Email or username already registered" }))
      : record(`register ${input.email}`, { user: { ...user, email: input.email }, tokens }),
  login: (input) =>
    input.email === "off@example.com"
      ? Effect.fail(new AccountDisabled({ error: "Account is disabled" }))
      : record(`login ${input.email}`, { user, tokens }),
  refresh: (token) =>
    token === "stale"
      ? Effect.fail(new Unauthorized({ error: "Invalid or expired refresh token" }))
      : record(`refresh ${token}`, tokens),
  logout: (token) => record(`logout ${token}`, undefined)
})

const HandlersTest = AuthHandlers.pipe(Layer.provide(AuthStub), Layer.provideMerge(AuthenticationTest))
const client = HttpApiTest.groups(Api, ["auth"])

layer(HandlersTest)("auth handlers, with the Auth service swapped for a stub", (it) => {
  it.effect("register and login answer with the user and both tokens side by side", () =>
    Effect.gen(function* () {
      calls.length = 0
      const { auth } = yield* client
      const registered = yield* auth.register({
        payload: { email: "new@example.com", username: "newbie", password: "password123" }
      })
      assert.strictEqual(registered.message, "User registered successfully")
      assert.strictEqual(registered.user.email, "new@example.com")
      assert.strictEqual(registered.access_token, "access-1")
      const loggedIn = yield* auth.login({ payload: { email: "asha@example.com", password: "password123" } })
      assert.strictEqual(loggedIn.message, "Login successful")
      assert.strictEqual(loggedIn.refresh_token, "refresh-1")
      assert.deepStrictEqual(calls, ["register new@example.com", "login asha@example.com"])
    }).pipe(Effect.provide(asCaller(undefined)))
  )

  it.effect("the service's refusals reach the client as their own errors", () =>
    Effect.gen(function* () {
      const { auth } = yield* client
      const taken = yield* Effect.flip(
        auth.register({ payload: { email: user.email, username: "other", password: "password123" } })
      )
      assert.instanceOf(taken, Conflict)
      const disabled = yield* Effect.flip(auth.login({ payload: { email: "off@example.com", password: "x" } }))
      assert.instanceOf(disabled, AccountDisabled)
    }).pipe(Effect.provide(asCaller(undefined)))
  )

  it.effect("the refresh token comes from the bearer header first, else from the body", () =>
    Effect.gen(function* () {
      calls.length = 0
      const { auth } = yield* client
      yield* auth.refresh({ headers: { authorization: "Bearer from-header" }, payload: { refresh_token: "from-body" } })
      yield* auth.refresh({ headers: {}, payload: { refresh_token: "from-body" } })
      yield* auth.logout({ headers: { authorization: "bearer   lower-case  " }, payload: null })
      assert.deepStrictEqual(calls, ["refresh from-header", "refresh from-body", "logout lower-case"])
    }).pipe(Effect.provide(asCaller(undefined)))
  )

  it.effect("no refresh token anywhere is 401 before the service is asked; a stale one is the service's 401", () =>
    Effect.gen(function* () {
      calls.length = 0
      const { auth } = yield* client
      const missing = yield* Effect.flip(auth.logout({ headers: {}, payload: null }))
      assert.instanceOf(missing, Unauthorized)
      assert.strictEqual(missing.error, "Refresh token required")
      assert.deepStrictEqual(calls, [])
      const stale = yield* Effect.flip(auth.refresh({ headers: {}, payload: { refresh_token: "stale" } }))
      assert.strictEqual((stale as Unauthorized).error, "Invalid or expired refresh token")
    }).pipe(Effect.provide(asCaller(undefined)))
  )
})
