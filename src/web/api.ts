import { Cause, Effect, Exit, Schema, SchemaIssue } from "effect"
import { FetchHttpClient, HttpClientError, type HttpClientResponse } from "effect/http"
import { ShopClient, type ShopClientShape } from "../client.ts"
import { makeStore, storage } from "./store.ts"

export type Client = ShopClientShape
/** What a client call succeeds with, e.g. `Result<Client["products"]["get"]>` is a product (the decoded body only). */
export type Result<F extends (...args: any) => Effect.Effect<any, any, any>> = Exclude<
  Effect.Success<ReturnType<F>>,
  HttpClientResponse.HttpClientResponse | readonly [unknown, HttpClientResponse.HttpClientResponse]
>

export type User = Result<Client["users"]["getProfile"]>
export type Product = Result<Client["products"]["get"]>
export type Order = Result<Client["orders"]["getOrder"]>
export type Tracking = Result<Client["orders"]["trackOrder"]>
export type Address = Result<Client["users"]["listAddresses"]>[number]
export type CartView = Result<Client["cart"]["getCart"]>
export type Category = Result<Client["categories"]["get"]>

/** An API failure in words: the server's message and code, and its messages per field. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Readonly<Record<string, string>> = {}
  ) {
    super(message)
  }
}

const STATUS_OF_CODE: Record<string, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  ACCOUNT_DISABLED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_IN_FLIGHT: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503
}

interface ErrorBody {
  readonly error: string
  readonly code: string
  readonly details?: ReadonlyArray<{ readonly field: string; readonly message: string }>
}
const isErrorBody = (u: unknown): u is ErrorBody =>
  typeof u === "object" &&
  u !== null &&
  typeof (u as ErrorBody).error === "string" &&
  typeof (u as ErrorBody).code === "string"

const fromBody = (status: number, body: ErrorBody) =>
  new ApiError(status, body.code, body.error, Object.fromEntries((body.details ?? []).map((d) => [d.field, d.message])))

const OFFLINE = "The shop can't be reached right now. Check your connection and try again; nothing was changed twice."
const formatIssue = SchemaIssue.makeFormatterStandardSchemaV1()

/** Any failure of a client call, as an ApiError a page can show. */
const toApiError = async (failure: unknown): Promise<ApiError> => {
  if (failure instanceof ApiError) return failure
  if (isErrorBody(failure)) return fromBody(STATUS_OF_CODE[failure.code] ?? 400, failure)
  if (HttpClientError.isHttpClientError(failure)) {
    const response = failure.response
    if (response === undefined) return new ApiError(0, "NETWORK", OFFLINE)
    const body = await Effect.runPromise(Effect.orElseSucceed(response.json, () => undefined))
    if (isErrorBody(body)) return fromBody(response.status, body)
    return new ApiError(
      response.status,
      "HTTP_" + response.status,
      response.status >= 500
        ? "The shop had a problem answering. Please try again in a moment."
        : "The request was refused."
    )
  }
  if (Schema.isSchemaError(failure)) {
    // The typed client checks a request against the API's schemas before sending it.
    const fields: Record<string, string> = {}
    for (const issue of formatIssue(failure.issue).issues) {
      const field = String(issue.path?.[issue.path.length - 1] ?? "")
      if (field && !(field in fields)) fields[field] = issue.message
    }
    const messages = [...new Set(Object.values(fields))]
    return new ApiError(
      400,
      "VALIDATION_ERROR",
      messages.length > 0 ? messages.join("; ") : "Please check the form.",
      fields
    )
  }
  return new ApiError(0, "UNKNOWN", "Something went wrong. Please try again.")
}

// ---- the session: tokens and the signed-in user, kept in localStorage ----

interface Tokens {
  readonly access_token: string
  readonly refresh_token: string
}
interface Session extends Tokens {
  readonly user: User
}
const SESSION_KEY = "shop.session"
const isSession = (u: unknown): u is Session =>
  typeof u === "object" &&
  u !== null &&
  typeof (u as Session).access_token === "string" &&
  typeof (u as Session).refresh_token === "string" &&
  typeof (u as Session).user === "object" &&
  (u as Session).user !== null

export const session = makeStore<Session | undefined>(storage.read(SESSION_KEY, isSession))
session.subscribe((s) => storage.write(SESSION_KEY, s))
/** Set when a stored session stopped working, so the sign-in page can say why. */
export const sessionExpired = makeStore(false)

export const signedIn = (s: Session) => {
  sessionExpired.set(false)
  session.set(s)
}

let clientPromise: Promise<Client> | undefined
const client = () =>
  (clientPromise ??= Effect.runPromise(
    ShopClient.makeLazy({ baseUrl: location.origin, accessToken: () => session.get()?.access_token }).pipe(
      Effect.provide(FetchHttpClient.layer)
    )
  ))

const run = async <A>(effect: Effect.Effect<A, unknown>): Promise<A> => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) return exit.value
  throw await toApiError(Cause.squash(exit.cause))
}

let refreshing: Promise<boolean> | undefined
/** Trades the refresh token for a new pair once, however many calls found the access token expired. */
const refreshTokens = () =>
  (refreshing ??= (async () => {
    const current = session.get()
    if (current === undefined) return false
    try {
      const c = await client()
      const pair = await run(
        c.auth.refresh({ headers: { authorization: `Bearer ${current.refresh_token}` }, payload: null })
      )
      session.set({ ...current, ...pair })
      return true
    } catch (e) {
      if (e instanceof ApiError && e.status === 0) throw e
      return false
    } finally {
      refreshing = undefined
    }
  })())

/**
 * One typed call to the shop. An expired access token is refreshed silently and
 * the call retried once; a session that can't be refreshed (expired, tampered,
 * revoked) is dropped and `sessionExpired` set, so the page can send the shopper to sign in.
 */
export const api = async <A>(f: (client: Client) => Effect.Effect<A, unknown>): Promise<A> => {
  const c = await client()
  const hadSession = session.get() !== undefined
  try {
    return await run(f(c))
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401 || !hadSession) throw e
    if (await refreshTokens()) return run(f(c))
    session.set(undefined)
    sessionExpired.set(true)
    throw new ApiError(401, "SESSION_EXPIRED", "Your session has ended. Please sign in again.")
  }
}

export const signOut = async () => {
  const current = session.get()
  session.set(undefined)
  if (current === undefined) return
  try {
    const c = await client()
    await run(c.auth.logout({ headers: { authorization: `Bearer ${current.refresh_token}` }, payload: null }))
  } catch {}
}

export const errorText = (e: unknown) => (e instanceof ApiError ? e.message : "Something went wrong. Please try again.")
