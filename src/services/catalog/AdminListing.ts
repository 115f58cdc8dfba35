import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import type { Fragment } from "effect/sql/Statement"
import type { AdminProductListQuery, AdminSortField, ProductPage } from "../../domain/catalog.ts"
import { paginationOf, perPageOf } from "../../domain/pagination.ts"
import { PRODUCT_COLUMNS, productRows } from "./Products.ts"
import { dieOnSqlError } from "../sqlErrors.ts"

const SORT_COLUMNS: Record<AdminSortField, string> = {
  created_at: "p.created_at",
  name: "p.name",
  price: "p.price",
  final_price: "p.final_price",
  stock_quantity: "p.stock_quantity"
}

/** `%`, `_` and `\` of an ILIKE pattern taken literally. */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => "\\" + c)

/** The count and the page of an admin listing (test/catalogExplain.test.ts checks the search's plan). */
export const adminListingQueries = (sql: SqlClient.SqlClient, query: AdminProductListQuery) => {
  const page = query.page ?? 1
  const perPage = perPageOf(query.per_page, 20)
  const conditions: Array<Fragment> = []
  if (query.is_active !== undefined) conditions.push(sql`p.is_active = ${query.is_active === "true"}`)
  if (query.category_id !== undefined)
    conditions.push(sql`p.category_id IN (WITH RECURSIVE tree AS (
        SELECT id FROM categories WHERE id = ${query.category_id}
        UNION SELECT c.id FROM categories c JOIN tree ON c.parent_id = tree.id)
      SELECT id FROM tree)`)
  const brand = query.brand?.trim() ?? ""
  if (brand !== "") conditions.push(sql`lower(p.brand) = ${brand.toLowerCase()}`)
  if (query.max_stock !== undefined) conditions.push(sql`p.stock_quantity <= ${query.max_stock}`)
  const search = query.search?.trim() ?? ""
  if (search !== "") {
    const pattern = `%${likeLiteral(search)}%`
    // The expression of products_admin_search_idx (migration 0010), so the trigram index answers it.
    conditions.push(sql`(p.name || ' ' || p.sku || ' ' || coalesce(p.brand, '')) ILIKE ${pattern}`)
  }
  const where = conditions.length === 0 ? sql`TRUE` : sql.and(conditions)
  const direction = sql.literal((query.sort_order ?? "desc") === "desc" ? "DESC" : "ASC")
  const column = sql.literal(SORT_COLUMNS[query.sort_by ?? "created_at"])
  return {
    page,
    perPage,
    count: sql<{ total: number }>`SELECT count(*)::int AS total FROM products p WHERE ${where}`,
    rows: sql`SELECT ${sql.literal(PRODUCT_COLUMNS)} FROM products p WHERE ${where}
      ORDER BY ${column} ${direction}, p.id ${direction} LIMIT ${perPage} OFFSET ${(page - 1) * perPage}`
  }
}

/**
 * GET /api/products/all: the admin's view of every product, deactivated ones
 * included. Read straight from the database, never cached, so stock is current.
 * Its search has a trigram index (migration 0010). There is deliberately no
 * index on stock_quantity (migration 0007 keeps checkout's stock updates HOT):
 * a low-stock page reads the products table, ~70 ms at 100k products under
 * load, and only admins ask for it.
 */
export const makeAdminListing = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  return Effect.fn("Catalog.listAllProducts")(function* (query: AdminProductListQuery) {
    const { page, perPage, count, rows } = adminListingQueries(sql, query)
    const [counted] = yield* dieOnSqlError(count)
    const total = counted!.total
    // Past the last page there is nothing to read.
    const products = (page - 1) * perPage >= total ? [] : yield* dieOnSqlError(productRows(rows))
    const result: ProductPage = { products, pagination: paginationOf(page, perPage, total) }
    return result
  })
})
