import cluster from "node:cluster"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { BatchSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Context, Effect, FiberSet, Layer, Option } from "effect"
import { AppConfig } from "./AppConfig.ts"
import { workerMetrics } from "./ClusterMetrics.ts"
import { QueryTimingTracerLive, queryTimingProcessor } from "./QueryTiming.ts"
import { SERVICE_NAME, SERVICE_VERSION } from "./version.ts"

/**
 * Renders the current metrics in the Prometheus text format, for GET /metrics.
 * Gauges read at scrape time (memory, pool, event loop) register a refresh,
 * which runs in every process whose metrics a scrape collects: under
 * WEB_CONCURRENCY each worker refreshes its own, not only the one that took
 * the request.
 */
export class MetricsScraper extends Context.Service<
  MetricsScraper,
  {
    readonly scrape: Effect.Effect<string>
    readonly refreshOnScrape: (refresh: Effect.Effect<void>) => Effect.Effect<void>
  }
>()("shop/infra/MetricsScraper") {}

/**
 * OpenTelemetry SDK: Effect metrics are read by a Prometheus exporter that we
 * serve ourselves on the app's port (no second listener); spans go to OTLP only
 * when OTEL_EXPORTER_OTLP_ENDPOINT is set (or to the span processor given, in tests).
 */
export const makeTelemetry = (options: { readonly spanProcessor?: SpanProcessor } = {}) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const config = yield* AppConfig
      const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true })
      const serializer = new PrometheusSerializer(undefined, false, undefined, false, true)
      const refreshes: Array<Effect.Effect<void>> = []
      // A worker's scrape can start from the primary's IPC message, outside any fiber: run it in this scope.
      const runPromise = yield* FiberSet.makeRuntimePromise()
      const local = () =>
        runPromise(Effect.all(refreshes, { concurrency: "unbounded", discard: true }))
          .then(() => exporter.collect())
          .then(({ resourceMetrics }) => serializer.serialize(resourceMetrics))
      // A cluster worker answers with every worker's metrics, merged by the primary.
      const scrape = cluster.isWorker ? workerMetrics(local) : local
      const scraper = Layer.succeed(MetricsScraper, {
        scrape: Effect.promise(scrape),
        // Kept with the registering fiber's services, so that its metrics land where the exporter reads them.
        refreshOnScrape: (refresh) =>
          Effect.contextWith((context: Context.Context<never>) =>
            Effect.sync(() => {
              refreshes.push(Effect.provideContext(refresh, context))
            })
          )
      })
      const exportTo = Option.match(config.otlpEndpoint, {
        onNone: () => options.spanProcessor,
        onSome: (url) =>
          options.spanProcessor ??
          new BatchSpanProcessor(new OTLPTraceExporter({ url: `${url.replace(/\/$/, "")}/v1/traces` }))
      })
      const sdk = NodeSdk.layer(() => ({
        resource: { serviceName: SERVICE_NAME, serviceVersion: SERVICE_VERSION },
        metricReader: exporter,
        spanProcessor: exportTo === undefined ? undefined : [exportTo, queryTimingProcessor]
      }))
      // Without an exporter no OpenTelemetry tracer is installed; statement durations come from Effect's own spans.
      const tracing = exportTo === undefined ? Layer.merge(sdk, QueryTimingTracerLive) : sdk
      return Layer.merge(tracing, scraper)
    })
  )

export const TelemetryLive = makeTelemetry()
