import { Effect, Option, Schema } from "effect"
import { HttpServerRequest, HttpServerResponse } from "effect/http"
import type { ProductListQuery } from "../domain/catalog.ts"
import { PathId } from "../domain/ids.ts"
import { Catalog, type JsonBody } from "../services/Catalog.ts"
import { Api } from "./Api.ts"
import type { RequestFacts } from "./RouteTemplate.ts"

const products = Api.groups.products.endpoints
const PRODUCT_DETAIL = /^\/api\/products\/([^/]+)$/
const decodeId = Schema.decodeUnknownOption(PathId)
const PRODUCT_DETAIL_ROUTE = products.get.path
const PRODUCT_LIST_ROUTE = products.list.path

/**
 * The listing's query decoder exactly as the API builds it from the endpoint's own schema
 * (which needs no services to decode: it is built from plain schemas).
 */
const decodeListQuery: (query: unknown) => Option.Option<ProductListQuery> =
  products.list.query === undefined
    ? () => Option.none()
    : Schema.decodeUnknownOption(
        Schema.toCodecArrayFromSingle(products.list.query) as unknown as Schema.Decoder<ProductListQuery>
      )

/**
 * Product detail and listings are the hottest reads of the shop: when this
 * instance holds the current JSON, it is sent straight away, skipping the
 * API's routing and handler, and the time limit and concurrency permit a
 * request that holds nothing do not need; otherwise (or for a query the
 * API would refuse) the request takes the normal path, `app`.
 */
export const makeCatalogFastPath = Effect.gen(function* () {
  const catalog = yield* Catalog
  return (
    request: HttpServerRequest.HttpServerRequest,
    /** The canonical path (see CanonicalPath.ts). */
    path: string,
    state: RequestFacts,
    // Built only when needed: a hit, the hottest request of the shop, allocates nothing of the API's path.
    app: () => Effect.Effect<HttpServerResponse.HttpServerResponse>
  ): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
    if (request.method !== "GET") return app()
    const serve = (route: string) => (cached: Option.Option<JsonBody>) => {
      if (Option.isNone(cached)) return app()
      state.route = route
      return Effect.succeed(HttpServerResponse.text(cached.value, { contentType: "application/json" }))
    }
    const detail = PRODUCT_DETAIL.exec(path)
    if (detail !== null) {
      const id = decodeId(detail[1])
      return Option.isSome(id) ? Effect.flatMap(catalog.cachedProduct(id.value), serve(PRODUCT_DETAIL_ROUTE)) : app()
    }
    if (path !== PRODUCT_LIST_ROUTE) return app()
    const query = decodeListQuery(HttpServerRequest.searchParamsFromURL(new URL(request.url, "http://localhost")))
    if (Option.isNone(query)) return app()
    return Effect.flatMap(catalog.cachedListing(query.value), serve(PRODUCT_LIST_ROUTE))
  }
})
