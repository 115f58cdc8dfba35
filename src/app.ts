/** The application assembled from its Layers; `main.ts` launches it, tests reuse the parts. */
import { Effect, Layer, Logger, References } from "effect"
import { HttpServerLive } from "./http/Server.ts"
import { AppConfig } from "./infra/AppConfig.ts"
import { DatabaseLive } from "./infra/Database.ts"
import { SharedStore } from "./infra/SharedStore.ts"
import { TelemetryLive } from "./infra/Telemetry.ts"

/** JSON log lines at LOG_LEVEL, for everything built after it. */
const LoggingLive = Layer.unwrap(
  Effect.gen(function* () {
    const { logLevel } = yield* AppConfig
    return Layer.mergeAll(Logger.layer([Logger.consoleJson]), Layer.succeed(References.MinimumLogLevel, logLevel))
  })
)

/** Infrastructure every service and handler builds on. */
export const InfraLive = Layer.mergeAll(DatabaseLive, SharedStore.layer, TelemetryLive).pipe(
  Layer.provideMerge(AppConfig.warnings),
  Layer.provideMerge(LoggingLive),
  Layer.provideMerge(AppConfig.layer)
)

export const MainLive = HttpServerLive.pipe(Layer.provide(InfraLive))
