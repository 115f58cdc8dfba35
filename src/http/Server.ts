import { createServer } from "node:http"
import { NodeHttpServer } from "@effect/platform-node"
import { Duration, Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import { HttpApiBuilder, HttpApiScalar } from "effect/http-api"
import { AppConfig } from "../infra/AppConfig.ts"
import { Tokens } from "../infra/Tokens.ts"
import { Addresses } from "../services/Addresses.ts"
import { Auth } from "../services/Auth.ts"
import { Cart } from "../services/Cart.ts"
import { Catalog } from "../services/Catalog.ts"
import { Orders } from "../services/Orders.ts"
import { Reviews } from "../services/Reviews.ts"
import { Users } from "../services/Users.ts"
import { Api } from "./Api.ts"
import { AuthenticationLive } from "./AuthenticationLive.ts"
import { AuthHandlers } from "./AuthHandlers.ts"
import { CatalogHandlers } from "./CatalogHandlers.ts"
import { CartHandlers, OrdersHandlers } from "./OrdersHandlers.ts"
import { CorsLive } from "./Cors.ts"
import { Draining, makeDrain } from "./Drain.ts"
import { ServerMiddleware } from "./ServerMiddleware.ts"
import { RateLimiter } from "./RateLimit.ts"
import { ReviewsHandlers } from "./ReviewsHandlers.ts"
import { RouteTemplateLive } from "./RouteTemplate.ts"
import { SystemHandlers } from "./SystemHandlers.ts"
import { UsersHandlers } from "./UsersHandlers.ts"
import { WebAssetsLive } from "./WebAssets.ts"

/** The identity services the handlers and the auth middleware use; they need SqlClient and AppConfig. */
const IdentityLive = Layer.mergeAll(Auth.layer, Users.layer, Addresses.layer, Tokens.layer)

/** Every route of the app (API, docs) with the global middleware; needs the services. */
export const AppRoutes = Layer.mergeAll(
  HttpApiBuilder.layer(Api, { openapiPath: "/openapi.json" }).pipe(
    Layer.provide([
      SystemHandlers,
      AuthHandlers,
      UsersHandlers.pipe(Layer.provide(AuthenticationLive)),
      CatalogHandlers.pipe(Layer.provide(AuthenticationLive)),
      Layer.mergeAll(CartHandlers, OrdersHandlers).pipe(
        Layer.provide(AuthenticationLive),
        Layer.provide([Cart.layer, Orders.layer.pipe(Layer.provide(Catalog.layer))])
      ),
      ReviewsHandlers.pipe(
        Layer.provide(AuthenticationLive),
        Layer.provide(Reviews.layer.pipe(Layer.provide(Catalog.layer)))
      )
    ]),
    Layer.provide(RouteTemplateLive),
    Layer.provide(IdentityLive)
  ),
  HttpApiScalar.layer(Api, { path: "/docs" }),
  WebAssetsLive,
  // Global middleware added first wraps the others: CORS headers go on every response, fast paths included.
  CorsLive,
  ServerMiddleware
).pipe(Layer.provide([RateLimiter.layer, Catalog.layer]))

export const ROUTER_CONFIG = { ignoreTrailingSlash: true, maxParamLength: 200 }

/** Serves AppRoutes on HOST:PORT; on shutdown drains (Drain.ts) within SHUTDOWN_TIMEOUT, `/ready` 503 meanwhile. */
export const HttpServerLive = Layer.unwrap(
  Effect.gen(function* () {
    const config = yield* AppConfig
    const drain = makeDrain(Duration.toMillis(config.shutdownTimeout))
    return HttpRouter.serve(AppRoutes.pipe(Layer.provide(Layer.succeed(Draining, drain))), {
      disableLogger: true,
      routerConfig: ROUTER_CONFIG
    }).pipe(
      Layer.provide(
        NodeHttpServer.layer(() => drain.attach(createServer({ keepAliveTimeout: 65_000 })), {
          port: config.port,
          host: config.host,
          // Node's default (511) drops SYNs when hundreds of clients connect at once; each drop costs a 1 s retransmit.
          backlog: 4096,
          gracefulShutdownTimeout: config.shutdownTimeout
        })
      )
    )
  })
)
