import { Context, Effect, Layer, Metric, Option } from "effect"
import type { HttpServerRequest, HttpServerResponse } from "effect/http"
import { AppConfig } from "../infra/AppConfig.ts"
import { rateLimitRejections } from "../infra/Metrics.ts"
import { type RateLimitDecision, SharedStore } from "../infra/SharedStore.ts"
import { RateLimited } from "../domain/errors.ts"
import { jsonError } from "./ErrorBody.ts"
import { type RequestFacts, RequestState } from "./RouteTemplate.ts"

export type LimitName = "ip" | "auth" | "user"

/** Routes that guess or create credentials get a much stricter budget per client. */
export const STRICT_PATHS = new Set(["/api/auth/login", "/api/auth/register", "/api/auth/refresh"])

/**
 * Budgets per client IP, per user and for the credential routes, kept in the
 * shared store (Redis: one budget across every instance; memory otherwise or
 * while Redis is away). GCRA: `limit` per minute, bursts up to `limit`.
 */
export class RateLimiter extends Context.Service<
  RateLimiter,
  {
    readonly enabled: boolean
    readonly check: (limit: LimitName, key: string) => Effect.Effect<RateLimitDecision>
  }
>()("shop/http/RateLimiter") {
  static readonly layer = Layer.effect(
    RateLimiter,
    Effect.gen(function* () {
      const config = yield* AppConfig
      const store = yield* SharedStore
      const perMinute: Record<LimitName, number> = {
        ip: config.rateLimitIpPerMinute,
        auth: config.rateLimitAuthPerMinute,
        user: config.rateLimitUserPerMinute
      }
      return RateLimiter.of({
        enabled: config.rateLimitEnabled,
        check: (limit, key) =>
          store
            .rateLimit(`rl:${limit}:${key}`, perMinute[limit], "1 minute")
            .pipe(
              Effect.tap((decision) =>
                decision.allowed ? Effect.void : Metric.update(Metric.withAttributes(rateLimitRejections, { limit }), 1)
              )
            )
      })
    })
  )
}

/** RateLimit-* headers (IETF draft) for the tightest budget that applied. */
export const rateLimitHeaders = (decision: RateLimitDecision): Record<string, string> => ({
  "ratelimit-limit": String(decision.limit),
  "ratelimit-remaining": String(decision.remaining),
  "ratelimit-reset": String(decision.resetSeconds),
  ...(decision.allowed ? {} : { "retry-after": String(decision.retryAfterSeconds) })
})

/** The tighter of two decisions: a denial wins, then the fewer remaining. */
export const tighter = (a: RateLimitDecision | undefined, b: RateLimitDecision): RateLimitDecision =>
  a === undefined ? b : !b.allowed && a.allowed ? b : !a.allowed ? a : b.remaining < a.remaining ? b : a

/**
 * The per-user budget, checked by the Authentication middleware once it knows
 * the user; its decision joins the request's RateLimit-* headers.
 */
export const limitUser = (userId: number) =>
  Effect.gen(function* () {
    const limiter = yield* RateLimiter
    if (!limiter.enabled) return
    const decision = yield* limiter.check("user", String(userId))
    const state = yield* RequestState
    state.rateLimit = tighter(state.rateLimit, decision)
    if (!decision.allowed) return yield* new RateLimited({ error: "Too many requests for this account, retry later" })
  })

const withinBudget = Effect.succeed(undefined)

/**
 * Per-IP budget on /api, plus the strict one on the credential routes; the 429
 * to answer, or undefined when within budget. The decision joins `state` for the headers.
 */
export const limitClient = (
  limiter: RateLimiter["Service"],
  request: HttpServerRequest.HttpServerRequest,
  path: string,
  state: RequestFacts
): Effect.Effect<HttpServerResponse.HttpServerResponse | undefined> =>
  !limiter.enabled || !path.startsWith("/api") || request.method === "OPTIONS"
    ? withinBudget
    : Effect.gen(function* () {
        const ip = Option.getOrElse(request.remoteAddress, () => "unknown")
        state.rateLimit = yield* limiter.check("ip", ip)
        if (STRICT_PATHS.has(path.replace(/\/$/, "")))
          state.rateLimit = tighter(state.rateLimit, yield* limiter.check("auth", ip))
        return state.rateLimit.allowed
          ? undefined
          : jsonError(429, { error: "Too many requests, retry later", code: "RATE_LIMITED" })
      })
