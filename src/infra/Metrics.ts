import { Metric } from "effect"

/**
 * The application's metrics, created once and exported through the OTel SDK
 * to Prometheus. Counters are `incremental` so they export as counters, not gauges.
 */
export const httpRequestDuration = Metric.histogram("http_server_request_duration_seconds", {
  description: "Duration of HTTP server requests by method, route template and status",
  boundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
})

/** An up-down counter: +1 when a request starts, -1 when it ends. */
export const httpInFlight = Metric.counter("http_server_active_requests", {
  description: "HTTP requests being served right now"
})

export const rateLimitRejections = Metric.counter("rate_limit_rejections_total", {
  description: "Requests refused with 429, by limit (ip, auth, user)",
  incremental: true
})
