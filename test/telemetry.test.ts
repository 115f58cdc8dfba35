import { assert, layer } from "@effect/vitest"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect } from "effect"
import { makeTelemetry } from "../src/infra/Telemetry.ts"
import { addToCart, createBuyers, createProduct, placeOrder } from "./support/shop.ts"
import { request, TestServer, TestServerLive } from "./support/TestServer.ts"

const exporter = new InMemorySpanExporter()
const telemetry = makeTelemetry({ spanProcessor: new SimpleSpanProcessor(exporter) })

layer(TestServerLive({ rateLimitEnabled: false }, { telemetry }), { excludeTestServices: true })("tracing", (it) => {
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

  it.effect("a page of orders costs the same number of SQL statements however many items it holds (no N+1)", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const [buyer] = yield* createBuyers(1)
      const products = yield* Effect.forEach([1, 2, 3, 4, 5], () => createProduct({ stock: 100 }))
      const statementsFor = (traceId: string) =>
        Effect.gen(function* () {
          exporter.reset()
          const res = yield* request(url, "/api/orders", {
            token: buyer!.token,
            headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` }
          })
          assert.strictEqual(res.status, 200)
          yield* Effect.sleep("50 millis")
          return {
            orders: res.body.orders.length as number,
            statements: exporter
              .getFinishedSpans()
              .filter((s) => s.spanContext().traceId === traceId && s.attributes["db.query.text"] !== undefined).length
          }
        })

      yield* addToCart(url, buyer!.token, products[0]!, 1)
      yield* placeOrder(url, buyer!)
      const small = yield* statementsFor("11111111111111111111111111111111")
      for (let i = 0; i < 3; i++) {
        for (const product of products) yield* addToCart(url, buyer!.token, product, 1)
        yield* placeOrder(url, buyer!)
      }
      const large = yield* statementsFor("22222222222222222222222222222222")
      assert.strictEqual(small.orders, 1)
      assert.strictEqual(large.orders, 4)
      assert.isAtLeast(small.statements, 3)
      assert.strictEqual(large.statements, small.statements)
    })
  )

  it.effect("service calls are child spans of the request", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const product = yield* createProduct({ stock: 1 })
      const traceId = "33333333333333333333333333333333"
      exporter.reset()
      yield* request(url, `/api/products/${product}`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } })
      yield* Effect.sleep("50 millis")
      const names = exporter
        .getFinishedSpans()
        .filter((s) => s.spanContext().traceId === traceId)
        .map((s) => s.name)
      assert.include(names, "Catalog.getProduct")
    })
  )
})
