import { monitorEventLoopDelay } from "node:perf_hooks"
import { Effect, Metric } from "effect"
import { eventLoopLag, processCpu, processMemory } from "./Metrics.ts"

const loopDelay = monitorEventLoopDelay({ resolution: 10 })
loopDelay.enable()
let lastCpuMicros = 0

/** Reads event-loop delay, memory and CPU into their metrics; run on each scrape. */
export const refreshProcessMetrics = Effect.gen(function* () {
  const seconds = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0)
  yield* Metric.update(eventLoopLag.p50, seconds(loopDelay.percentile(50)))
  yield* Metric.update(eventLoopLag.p99, seconds(loopDelay.percentile(99)))
  yield* Metric.update(eventLoopLag.max, seconds(loopDelay.max))
  loopDelay.reset()
  const memory = process.memoryUsage()
  for (const [kind, bytes] of [
    ["rss", memory.rss],
    ["heap_used", memory.heapUsed],
    ["heap_total", memory.heapTotal],
    ["external", memory.external]
  ] as const) {
    yield* Metric.update(Metric.withAttributes(processMemory, { kind }), bytes)
  }
  const cpu = process.cpuUsage()
  const micros = cpu.user + cpu.system
  yield* Metric.update(processCpu, (micros - lastCpuMicros) / 1e6)
  lastCpuMicros = micros
})
