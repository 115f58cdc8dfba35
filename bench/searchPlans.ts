/**
 * `node bench/searchPlans.ts` (DATABASE_URL): the database's side of uncached
 * search and suggestions, less sensitive to a busy machine than
 * bench/search.ts's request times. For each of that file's 200 searches and 200
 * suggestion prefixes it runs what the service runs, fastest of BENCH_RUNS (3):
 * for a search the word lookup (planSearch) and the relevance page
 * (relevancePage: one or two statements, timed by the client, round trips
 * included), for a suggestion the word lookup and the product lookup (its
 * execution time under EXPLAIN ANALYZE); it prints percentiles, the ways the
 * searches went, and the slowest queries.
 */
import { PgClient } from "@effect/sql-pg"
import { Effect, Redacted } from "effect"
import * as Reactivity from "effect/reactivity/Reactivity"
import { SqlClient } from "effect/sql"
import type { Statement } from "effect/sql/Statement"
import { listingQueries, normalizeListQuery, relevancePage } from "../src/services/catalog/Listing.ts"
import { planSearch } from "../src/services/catalog/Search.ts"
import { suggestionQueries } from "../src/services/catalog/Suggestions.ts"
import { percentile, table } from "./report.ts"
import { searches, suggestions } from "./search.ts"

const RUNS = Number(process.env.BENCH_RUNS ?? 3)

const fastest = <A>(effect: Effect.Effect<A, unknown>) =>
  Effect.gen(function* () {
    let best = Infinity
    let value: A | undefined
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now()
      value = yield* effect
      best = Math.min(best, performance.now() - started)
    }
    return { ms: best, value: value! }
  })

const executionMs = (sql: SqlClient.SqlClient, statement: Statement<unknown>) =>
  Effect.gen(function* () {
    const [text, values] = statement.compile()
    let best = Infinity
    for (let i = 0; i < RUNS; i++) {
      const [row] = yield* sql.unsafe<{ "QUERY PLAN": Array<{ "Execution Time": number }> }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${text}`,
        values
      )
      best = Math.min(best, row!["QUERY PLAN"][0]!["Execution Time"])
    }
    return best
  })

interface Timed {
  readonly q: string
  readonly plan: number
  readonly statements: number
  readonly how: string
}

const searchTimes = (sql: SqlClient.SqlClient) =>
  Effect.forEach(searches(), (q) =>
    Effect.gen(function* () {
      const params = normalizeListQuery({ search: q })
      const planned = yield* fastest(planSearch(sql, params.search!))
      const queries = listingQueries(sql, params, { categoryIds: null, search: planned.value ?? "nothing" })
      const popular = relevancePage(queries, params)
      if (popular === null) {
        const ms = queries.rankedPage === null ? 0 : yield* executionMs(sql, queries.rankedPage)
        return { q, plan: planned.ms, statements: ms, how: "ranked" } satisfies Timed
      }
      const page = yield* fastest(popular)
      return { q, plan: planned.ms, statements: page.ms, how: page.value.how }
    })
  )

const suggestTimes = (sql: SqlClient.SqlClient) =>
  Effect.forEach(suggestions(), (q) =>
    Effect.gen(function* () {
      const planned = yield* fastest(planSearch(sql, q))
      if (planned.value === null) return { q, plan: planned.ms, statements: 0, how: "no words" } satisfies Timed
      const ms = yield* executionMs(sql, suggestionQueries(sql, planned.value).products)
      return { q, plan: planned.ms, statements: ms, how: "products" }
    })
  )

const report = (name: string, rows: ReadonlyArray<Timed>) => {
  const sorted = (f: (t: Timed) => number) => rows.map(f).sort((a, b) => a - b)
  const line = (label: string, xs: Array<number>) => [
    `${name}: ${label}`,
    ...[0.5, 0.9, 0.99, 1].map((p) => percentile(xs, p).toFixed(1))
  ]
  table(
    ["", "p50 ms", "p90 ms", "p99 ms", "max ms"],
    [
      line(
        "planSearch",
        sorted((t) => t.plan)
      ),
      line(
        "statements",
        sorted((t) => t.statements)
      ),
      line(
        "both",
        sorted((t) => t.plan + t.statements)
      )
    ]
  )
  const slowest = [...rows].sort((a, b) => b.plan + b.statements - (a.plan + a.statements)).slice(0, 5)
  console.log(
    `slowest: ${slowest.map((t) => `${t.q} ${(t.plan + t.statements).toFixed(1)} ms (${t.how})`).join(", ")}\n`
  )
}

const program = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const searchRows = yield* searchTimes(sql)
  const counts = new Map<string, number>()
  for (const r of searchRows) counts.set(r.how, (counts.get(r.how) ?? 0) + 1)
  console.log(`\nFastest of ${RUNS}; searches by path: ${JSON.stringify(Object.fromEntries(counts))}\n`)
  report("search", searchRows)
  report("suggest", yield* suggestTimes(sql))
})

const url = process.env.DATABASE_URL
if (!url) {
  console.error("Set DATABASE_URL to the benchmark's database (see the README's Benchmarks section).")
  process.exit(1)
}
await Effect.runPromise(
  program.pipe(
    Effect.provide(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })),
    Effect.provide(Reactivity.layer),
    Effect.scoped
  )
)
