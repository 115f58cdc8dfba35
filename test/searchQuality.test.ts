import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { seedCatalog, seedSyntheticProducts } from "../src/services/seed/catalog.ts"
import { mustNotOf, SAMPLE_CASES, SYNTHETIC_CASES, type SyntheticProduct } from "./fixtures/searchQuality.ts"
import { request, TestServer, TestServerLive } from "./support/TestServer.ts"

/** Products per page the set judges (the listing's default). */
const PAGE = 20

const firstPage = (url: string, q: string) =>
  Effect.map(request(url, `/api/products?search=${encodeURIComponent(q)}&per_page=${PAGE}`), (res) => {
    assert.strictEqual(res.status, 200, q)
    return res.body as { products: Array<{ id: number }>; pagination: { total: number } }
  })

/** Precision: share of the top results that are wanted (R-precision); recall: share of what fits a page that is on it. */
const report = (label: string, rows: ReadonlyArray<{ precision: number; recall: number }>) => {
  const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / xs.length
  const precision = mean(rows.map((r) => r.precision))
  const recall = mean(rows.map((r) => r.recall))
  console.log(
    `search quality (${label}): ${rows.length} queries, precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`
  )
  return { precision, recall }
}

layer(TestServerLive(), { excludeTestServices: true, timeout: 120_000 })("search quality: sample catalog", (it) => {
  it.effect(
    "every query finds what it must and nothing it must not",
    () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        yield* seedCatalog
        const rows: Array<{ precision: number; recall: number }> = []
        for (const c of SAMPLE_CASES) {
          const page = yield* firstPage(url, c.q)
          const ids = page.products.map((p) => p.id)
          const missing = c.must.filter((id) => !ids.includes(id))
          const unwanted = mustNotOf(c).filter((id) => ids.includes(id))
          assert.deepStrictEqual({ q: c.q, missing, unwanted }, { q: c.q, missing: [], unwanted: [] })
          if (c.first !== undefined) assert.strictEqual(ids[0], c.first, c.q)
          const hits = ids.filter((id) => c.must.includes(id)).length
          rows.push({
            precision: ids.length === 0 ? (c.must.length === 0 ? 1 : 0) : hits / ids.length,
            recall: c.must.length === 0 ? 1 : hits / c.must.length
          })
        }
        const { precision, recall } = report("sample", rows)
        assert.strictEqual(precision, 1)
        assert.strictEqual(recall, 1)
      }),
    120_000
  )
})

layer(TestServerLive(), { excludeTestServices: true, timeout: 180_000 })("search quality: synthetic catalog", (it) => {
  it.effect(
    "first pages are what the shopper wants, and hold as many of them as fit",
    () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const sql = yield* SqlClient.SqlClient
        yield* seedCatalog
        yield* seedSyntheticProducts(3000)
        const all = yield* sql<SyntheticProduct & { id: number }>`
            WITH RECURSIVE up(product, id, name, parent_id, depth) AS (
              SELECT p.id, c.id, c.name, c.parent_id, 0 FROM products p JOIN categories c ON c.id = p.category_id
              WHERE p.sku LIKE 'SYN-%'
              UNION ALL
              SELECT up.product, c.id, c.name, c.parent_id, up.depth + 1 FROM categories c JOIN up ON c.id = up.parent_id
            )
            SELECT p.id, p.name, p.brand, array_agg(up.name ORDER BY up.depth) AS path
            FROM products p JOIN up ON up.product = p.id GROUP BY p.id`
        const byId = new Map(all.map((p) => [p.id, p]))
        const rows: Array<{ precision: number; recall: number }> = []
        const failures: Array<string> = []
        for (const c of SYNTHETIC_CASES) {
          const wanted = all.filter(c.wants).length
          const page = yield* firstPage(url, c.q)
          // Only synthetic products are judged (the ten sample products are not described by the predicates).
          const judged = page.products.filter((p) => byId.has(p.id))
          const isWanted = (p: { id: number }) => c.wants(byId.get(p.id)!)
          // R-precision: of the first min(wanted, page) results, the share wanted; a query with 7 right answers
          // is judged on its top 7, since the rest of the page can only hold weaker matches.
          const top = judged.slice(0, Math.max(1, Math.min(wanted, PAGE)))
          const precision = top.length === 0 ? (wanted === 0 ? 1 : 0) : top.filter(isWanted).length / top.length
          const recall = wanted === 0 ? 1 : judged.filter(isWanted).length / Math.min(wanted, PAGE)
          rows.push({ precision, recall })
          const first = judged[0]
          if (wanted > 0 && (first === undefined || !c.wants(byId.get(first.id)!)))
            failures.push(`${c.q}: first result ${first ? byId.get(first.id)!.name : "none"} is not wanted`)
          if (precision < 0.8 || recall < 0.8)
            failures.push(`${c.q}: precision ${precision.toFixed(2)} recall ${recall.toFixed(2)} (${wanted} wanted)`)
        }
        report("synthetic, 3000 products", rows)
        assert.deepStrictEqual(failures, [])
      }),
    180_000
  )
})
