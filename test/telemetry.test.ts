import { assert, layer } from "@effect/vitest"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect } from "effect"
import { makeTelemetry } from "../src/infra/Telemetry.ts"
import { request, TestServer, TestServerLive } from "./support/TestServer.ts"

const exporter = new InMemorySpanExporter()
const telemetry = makeTelemetry({ spanProcessor: new SimpleSpanProcessor(exporter) })

layer(TestServerLive({}, { telemetry }), { excludeTestServices: true })("tracing", (it) => {
  it.effect("a request continues the client's trace: one server span with route and status, SQL as children", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
      exporter.reset()
      const res = yield* request(url, "/ready", { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } })
      assert.strictEqual(res.status, 200)
      yield* Effect.sleep("50 millis")
      const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId)
      const server = spans.find((s) => s.attributes["http.route"] === "/ready")
      assert.isDefined(server)
      assert.strictEqual(server!.attributes["http.response.status_code"], 200)
      assert.strictEqual(server!.parentSpanContext?.spanId, "00f067aa0ba902b7")
      const sql = spans.filter((s) => s.attributes["db.system.name"] !== undefined || s.name.startsWith("sql"))
      assert.isAtLeast(sql.length, 1)
    })
  )
})
