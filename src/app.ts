/** The application assembled from its Layers; `main.ts` launches it, tests reuse the parts. */
import { Effect, Layer, Logger, References } from "effect"
import { HttpServerLive } from "./http/Server.ts"
import { AppConfig } from "./infra/AppConfig.ts"
import { DatabaseLive, DatabaseUrl } from "./infra/Database.ts"
import { SharedStore } from "./infra/SharedStore.ts"
import { TelemetryLive } from "./infra/Telemetry.ts"
import { seedSampleData } from "./services/seed/index.ts"

/** JSON log lines at LOG_LEVEL, for everything built after it. */
export const LoggingLive = Layer.unwrap(
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

/**
 * The sample data on an embedded database created by this start, so that
 * `npm start` gives a shop one can log in to (SEED_ON_INIT=false skips it).
 */
export const SeedOnInitLive = Layer.effectDiscard(
  Effect.gen(function* () {
    const { seedOnInit } = yield* AppConfig
    const database = yield* DatabaseUrl
    if (seedOnInit && database.embedded && database.created) yield* seedSampleData
  })
)

export const MainLive = HttpServerLive.pipe(Layer.provide(SeedOnInitLive), Layer.provide(InfraLive))
