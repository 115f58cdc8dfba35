import cluster from "node:cluster"
import { NodeHttpServer } from "@effect/platform-node"
import { Duration, Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { AppConfig } from "../infra/AppConfig.ts"
import { ServicesLive } from "../services/ServicesLive.ts"
import { Api } from "./Api.ts"
import { DocsLive } from "./DocsPage.ts"
import { AuthenticationLive } from "./AuthenticationLive.ts"
import { AuthHandlers } from "./AuthHandlers.ts"
import { CatalogHandlers } from "./CatalogHandlers.ts"
import { CartHandlers } from "./CartHandlers.ts"
import { OrdersHandlers } from "./OrdersHandlers.ts"
import { CorsLive } from "./Cors.ts"
import { makeNodeServer } from "./NodeServer.ts"
import { Draining, makeDrain } from "./Drain.ts"
import { listenersClosedEverywhere } from "../infra/StopBarrier.ts"
import { ServerMiddleware } from "./ServerMiddleware.ts"
import { RateLimiter } from "./RateLimit.ts"
import { ReviewsHandlers } from "./ReviewsHandlers.ts"
import { RouteTemplateLive } from "./RouteTemplate.ts"
import { SystemHandlers } from "./SystemHandlers.ts"
import { UsersHandlers } from "./UsersHandlers.ts"
import { WebAssetsLive } from "./WebAssets.ts"

/** Every route of the app (API, docs, web UI) with the global middleware, on one instance of each service. */
export const AppRoutes = Layer.mergeAll(
  HttpApiBuilder.layer(Api).pipe(
    Layer.provide([
      SystemHandlers,
      AuthHandlers,
      // The auth middleware goes to each group's layer itself: provided beside them, it would not reach them.
      UsersHandlers.pipe(Layer.provide(AuthenticationLive)),
      CatalogHandlers.pipe(Layer.provide(AuthenticationLive)),
      Layer.mergeAll(CartHandlers, OrdersHandlers).pipe(Layer.provide(AuthenticationLive)),
      ReviewsHandlers.pipe(Layer.provide(AuthenticationLive))
    ]),
    Layer.provide(RouteTemplateLive)
  ),
  DocsLive,
  WebAssetsLive,
  // Global middleware added first wraps the others: CORS headers go on every response, fast paths included.
  CorsLive,
  ServerMiddleware
).pipe(Layer.provide(RateLimiter.layer), Layer.provide(ServicesLive))

export const ROUTER_CONFIG = { ignoreTrailingSlash: true, maxParamLength: 200 }

/**
 * Each cluster worker listens on a socket of its own (SO_REUSEPORT, the kernel spreads the connections)
 * instead of taking them from the primary: once every worker has closed its socket (StopBarrier.ts) the
 * kernel refuses new connections, where the primary's shared socket went on accepting until the last
 * worker left, then reset the connections it could no longer hand on.
 */
const ownListener = cluster.isWorker && process.platform === "linux" ? { reusePort: true, exclusive: true } : {}

/** Serves AppRoutes on HOST:PORT; on shutdown drains (Drain.ts) within SHUTDOWN_TIMEOUT, `/ready` 503 meanwhile. */
export const HttpServerLive = Layer.unwrap(
  Effect.gen(function* () {
    const config = yield* AppConfig
    const drain = makeDrain(Duration.toMillis(config.shutdownTimeout), listenersClosedEverywhere())
    return HttpRouter.serve(AppRoutes.pipe(Layer.provide(Layer.succeed(Draining, drain))), {
      disableLogger: true,
      routerConfig: ROUTER_CONFIG
    }).pipe(
      Layer.provide(
        NodeHttpServer.layer(() => drain.attach(makeNodeServer(config)), {
          port: config.port,
          host: config.host,
          // Node's default (511) drops SYNs when hundreds of clients connect at once; each drop costs a 1 s retransmit.
          backlog: 4096,
          ...ownListener,
          gracefulShutdownTimeout: config.shutdownTimeout
        })
      )
    )
  })
)
