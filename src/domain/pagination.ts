import { Schema } from "effect"

/**
 * Lists of API.md: `page` (from 1) and `per_page` (from 1; above MAX_PER_PAGE it
 * is capped, not refused) in, and a pagination object echoing the values used out.
 */
export const MAX_PER_PAGE = 100

export const PageQuery = {
  page: Schema.optionalKey(
    Schema.Int.check(
      Schema.isBetween({ minimum: 1, maximum: 1_000_000 }, { message: "page must be a positive integer" })
    )
  ),
  per_page: Schema.optionalKey(
    Schema.Int.check(Schema.isGreaterThanOrEqualTo(1, { message: "per_page must be a positive integer" }))
  )
}

export const Pagination = Schema.Struct({
  page: Schema.Int,
  per_page: Schema.Int,
  total: Schema.Int,
  pages: Schema.Int
})
export type Pagination = typeof Pagination.Type

/** The page size actually used: the request's, capped, or the route's default. */
export const perPageOf = (requested: number | undefined, fallback: number) =>
  Math.min(requested ?? fallback, MAX_PER_PAGE)

export const paginationOf = (page: number, perPage: number, total: number): Pagination => ({
  page,
  per_page: perPage,
  total,
  pages: Math.ceil(total / perPage)
})
