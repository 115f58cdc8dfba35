import { Schema } from "effect"

/**
 * Lists of API.md: `page` (from 1) and `per_page` (from 1; above MAX_PER_PAGE it
 * is capped, not refused) in, and a pagination object echoing the values used out.
 */
export const MAX_PER_PAGE = 100

export const MAX_PAGE = 1_000_000

/** `page` and `per_page` of a list whose page size is `perPage` unless asked otherwise. */
export const pageQuery = (perPage: number) => ({
  page: Schema.optionalKey(
    Schema.Int.annotate({ default: 1, description: "The page to return, from 1." }).check(
      Schema.isGreaterThanOrEqualTo(1, { message: "page must be a whole number of at least 1" }),
      Schema.isLessThanOrEqualTo(MAX_PAGE, { message: `page must be at most ${MAX_PAGE}` })
    )
  ),
  per_page: Schema.optionalKey(
    Schema.Int.check(
      Schema.isGreaterThanOrEqualTo(1, { message: "per_page must be a whole number of at least 1" })
    ).annotate({
      default: perPage,
      description: `Items per page; above ${MAX_PER_PAGE} it is capped at ${MAX_PER_PAGE} (the pagination object says so).`
    })
  )
})

export const PageQuery = pageQuery(20)

export const Pagination = Schema.Struct({
  page: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  per_page: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: MAX_PER_PAGE })),
  total: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  pages: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
}).annotate({ identifier: "Pagination", description: "The page and page size used, the number of items and pages." })
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
