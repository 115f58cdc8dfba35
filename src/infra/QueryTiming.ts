import type { ReadableSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Context, Layer, Tracer } from "effect"
import { HttpMiddleware } from "effect/http"
import type { Exit } from "effect"
import { dbQueryDuration } from "./Metrics.ts"

/**
 * SQL statement durations for `db_client_query_duration_seconds`. The SQL
 * client opens a span around every statement (with a `db.query.text`
 * attribute); the driver has no other hook. Without OTLP the spans stay in
 * process, so a tracer that is Effect's native one plus this timing records
 * them; with OTLP the OpenTelemetry tracer takes over and the span processor
 * below does the same.
 */
const record = (seconds: number) => dbQueryDuration.updateUnsafe(seconds, Context.empty())

class TimedSpan extends Tracer.NativeSpan {
  override end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    super.end(endTime, exit)
    if (this._attributes?.has("db.query.text")) record(Number(endTime - this.startTime) / 1e9)
  }
}

/** With nothing to export them to, HTTP server spans would only cost time: they stay off. */
export const QueryTimingTracerLive = Layer.mergeAll(
  Layer.succeed(Tracer.Tracer, Tracer.make({ span: (options) => new TimedSpan(options) })),
  Layer.succeed(HttpMiddleware.TracerDisabledWhen, () => true)
)

export const queryTimingProcessor: SpanProcessor = {
  onStart: () => {},
  onEnd: (span: ReadableSpan) => {
    if (span.attributes["db.query.text"] !== undefined) record(span.duration[0] + span.duration[1] / 1e9)
  },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve()
}
