import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { request } from "./TestServer.ts"
import { unique } from "./unique.ts"

export interface RegisteredUser {
  readonly id: number
  readonly email: string
  readonly username: string
  readonly password: string
  readonly accessToken: string
  readonly refreshToken: string
}

export interface Session {
  readonly id: number
  readonly accessToken: string
  readonly refreshToken: string
}

/**
 * Registers a new user through the real API (a unique email and username each
 * call unless overridden) and returns its id, credentials and tokens.
 */
export const registerUser = (
  url: string,
  overrides: {
    readonly email?: string
    readonly username?: string
    readonly password?: string
    readonly first_name?: string
    readonly last_name?: string
    readonly phone?: string
  } = {}
) =>
  Effect.gen(function* () {
    const tag = unique()
    const body = {
      email: `user_${tag}@example.com`,
      username: `user_${tag}`,
      password: "password123",
      ...overrides
    }
    const res = yield* request(url, "/api/auth/register", { method: "POST", json: body })
    if (res.status !== 201)
      return yield* Effect.die(new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`))
    return {
      id: res.body.user.id as number,
      email: body.email,
      username: body.username,
      password: body.password,
      accessToken: res.body.access_token as string,
      refreshToken: res.body.refresh_token as string
    } satisfies RegisteredUser
  })

/** Logs in through the real API; dies unless the login succeeds. */
export const loginAs = (url: string, email: string, password: string) =>
  Effect.gen(function* () {
    const res = yield* request(url, "/api/auth/login", { method: "POST", json: { email, password } })
    if (res.status !== 200)
      return yield* Effect.die(new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`))
    return {
      id: res.body.user.id as number,
      accessToken: res.body.access_token as string,
      refreshToken: res.body.refresh_token as string
    } satisfies Session
  })

/**
 * Grants admin rights in the test database. Tokens carry no role: the next
 * request with the user's existing access token is already an admin's.
 */
export const makeAdmin = (email: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`UPDATE users SET is_admin = true WHERE lower(email) = lower(${email})`
  }).pipe(Effect.orDie)
