/**
 * The shop's typed client, derived from the same `Api` the server serves, so a
 * renamed field or endpoint fails the caller's type check. It runs in Node and
 * in browsers: this module and everything it imports stay free of server code.
 *
 *   import { ShopClient } from "flipkart-monolith/client"
 */
import { Context, Effect, Layer } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient } from "effect/http-api"
import { Api } from "./http/Api.ts"

export { Api } from "./http/Api.ts"

export interface ShopClientOptions {
  /** Where the shop is served, e.g. `http://127.0.0.1:5000`; in a browser on the same origin, `location.origin`. */
  readonly baseUrl: string | URL
  /**
   * The access token to send as `Authorization: Bearer`, read before every
   * request (so a log-in or refresh takes effect at once). A request that
   * already carries an Authorization header (refresh, logout) keeps its own.
   */
  readonly accessToken?: () => string | null | undefined
}

/** Every operation of the API, grouped as on the server: `client.products.list({ query })`, `client.health()`. */
export type ShopClientShape = HttpApiClient.ForApi<typeof Api>

const withAccessToken = (accessToken: ShopClientOptions["accessToken"]) => (client: HttpClient.HttpClient) =>
  accessToken === undefined
    ? client
    : HttpClient.mapRequest(client, (request) => {
        const token = accessToken()
        return token && request.headers["authorization"] === undefined
          ? HttpClientRequest.bearerToken(request, token)
          : request
      })

type AnyMethod = (request?: unknown) => Effect.Effect<unknown, unknown>

/**
 * The client with each endpoint's method built on its first call. Building a
 * method derives its encoders and decoders from the endpoint's schemas, and
 * doing that for every endpoint up front costs a browser's first page about a
 * hundred milliseconds of CPU (more on a phone) before its first request; a
 * page calls a few endpoints, so it pays for those only.
 */
const makeLazy = (options: ShopClientOptions) =>
  Effect.map(HttpClient.HttpClient, (base): ShopClientShape => {
    const httpClient = withAccessToken(options.accessToken)(base)
    const built = new Map<string, AnyMethod>()
    const method =
      (group: string, endpoint: string): AnyMethod =>
      (request) =>
        Effect.suspend(() => {
          const key = `${group}.${endpoint}`
          const known = built.get(key)
          if (known !== undefined) return known(request)
          const make = HttpApiClient.endpoint(Api, {
            group: group as never,
            endpoint: endpoint as never,
            httpClient,
            baseUrl: options.baseUrl
          }) as unknown as Effect.Effect<AnyMethod>
          return Effect.flatMap(make, (m) => {
            built.set(key, m)
            return m(request)
          })
        })
    const client: Record<string, unknown> = {}
    for (const group of Object.values(Api.groups)) {
      const methods: Record<string, AnyMethod> = {}
      for (const name of Object.keys(group.endpoints)) methods[name] = method(group.identifier, name)
      if (group.topLevel) Object.assign(client, methods)
      else client[group.identifier] = methods
    }
    return client as unknown as ShopClientShape
  })

/** The client as an Effect service; it needs an `HttpClient` (fetch in `layer`, any other with `layerWithHttpClient`). */
export class ShopClient extends Context.Service<ShopClient, ShopClientShape>()("flipkart-monolith/ShopClient") {
  static readonly make = (options: ShopClientOptions) =>
    HttpApiClient.make(Api, { baseUrl: options.baseUrl, transformClient: withAccessToken(options.accessToken) })

  /** The same client, each endpoint's method built when first called: for a page's start-up time (the web UI uses it). */
  static readonly makeLazy = makeLazy

  /** The client over any `HttpClient` the caller provides. */
  static readonly layerWithHttpClient = (options: ShopClientOptions) =>
    Layer.effect(ShopClient, ShopClient.make(options))

  /** The client over the platform's `fetch` (Node 18+, browsers). */
  static readonly layer = (options: ShopClientOptions) =>
    ShopClient.layerWithHttpClient(options).pipe(Layer.provide(FetchHttpClient.layer))
}

/** Runs one call with a fetch-based client: `await callShop({ baseUrl }, (shop) => shop.products.get({ params: { id: 1 } }))`. */
export const callShop = <A, E>(
  options: ShopClientOptions,
  f: (client: ShopClientShape) => Effect.Effect<A, E>
): Promise<A> => Effect.runPromise(Effect.flatMap(ShopClient, f).pipe(Effect.provide(ShopClient.layer(options))))
