import cluster from "node:cluster"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { BatchSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Context, Effect, Layer, Option } from "effect"
import { AppConfig } from "./AppConfig.ts"
import { workerMetrics } from "./ClusterMetrics.ts"
import { QueryTimingTracerLive, queryTimingProcessor } from "./QueryTiming.ts"
import { SERVICE_NAME, SERVICE_VERSION } from "./version.ts"

/** Renders the current metrics in the Prometheus text format, for GET /metrics. */
export class MetricsScraper extends Context.Service<MetricsScraper, { readonly scrape: Effect.Effect<string> }>()(
  "shop/infra/MetricsScraper"
) {}

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
      const local = () => exporter.collect().then(({ resourceMetrics }) => serializer.serialize(resourceMetrics))
      // A cluster worker answers with every worker's metrics, merged by the primary.
      const scrape = cluster.isWorker ? workerMetrics(local) : local
      const scraper = Layer.succeed(MetricsScraper, { scrape: Effect.promise(scrape) })
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
