import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import type { Fragment } from "effect/sql/Statement"
import { Conflict, NotFound, ValidationError } from "../domain/errors.ts"
import {
  type CreateReview,
  DEFAULT_REVIEWS_PER_PAGE,
  type Review,
  type ReviewListQuery,
  type ReviewPage,
  type UpdateReview
} from "../domain/review.ts"
import { paginationOf, perPageOf } from "../domain/pagination.ts"
import { ReadSql } from "../infra/ReadReplica.ts"
import { Catalog, CATALOG_VERSION_KEYS } from "./Catalog.ts"
import { makeReadFence } from "./ReadFence.ts"
import { isoTimestamp, sentFields } from "./sqlFragments.ts"
import { dieOnSqlError } from "./sqlErrors.ts"

/** Who deletes a review: its author, or an admin moderating. */
export interface ReviewActor {
  readonly id: number
  readonly isAdmin: boolean
}

interface ReviewRow {
  readonly id: string
  readonly user_id: string
  readonly username: string
  readonly rating: number
  readonly title: string | null
  readonly comment: string | null
  readonly verified_purchase: boolean
  readonly created_at: string
}

const REVIEW_COLUMNS = `r.id::text AS id, r.user_id::text AS user_id, u.username, r.rating, r.title, r.comment,
  r.verified_purchase, ${isoTimestamp("r.created_at")} AS created_at`

const toReview = (row: ReviewRow): Review => ({
  id: Number(row.id),
  user: { id: Number(row.user_id), username: row.username },
  rating: row.rating,
  title: row.title,
  comment: row.comment,
  verified_purchase: row.verified_purchase,
  created_at: row.created_at
})

/** What a product's review list is fenced under (no cache entry is stamped with it). */
const reviewsVersion = (productId: number) => `reviews:version:product:${productId}`

const productNotFound = () => new NotFound({ error: "Product not found" })
const reviewNotFound = () => new NotFound({ error: "Review not found" })

/**
 * Product reviews. Every change runs in one transaction that first locks the
 * product row, so the changes to one product's reviews are serialised, and then
 * recomputes the product's rating (mean, 2 decimals) and review_count from the
 * reviews table: concurrent reviews never lose an update, and the aggregates
 * always equal what the table says. A product with no review left has rating 0.
 */
export class Reviews extends Context.Service<
  Reviews,
  {
    readonly list: (productId: number, query: ReviewListQuery) => Effect.Effect<ReviewPage, NotFound>
    readonly create: (
      productId: number,
      userId: number,
      input: CreateReview
    ) => Effect.Effect<Review, NotFound | Conflict>
    readonly update: (
      productId: number,
      reviewId: number,
      userId: number,
      input: UpdateReview
    ) => Effect.Effect<Review, NotFound | ValidationError>
    readonly remove: (productId: number, reviewId: number, actor: ReviewActor) => Effect.Effect<void, NotFound>
  }
>()("shop/services/Reviews") {
  static readonly layerNoDeps = Layer.effect(
    Reviews,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const read = yield* ReadSql
      const fence = yield* makeReadFence
      const catalog = yield* Catalog
      const columns = sql.literal(REVIEW_COLUMNS)

      const loadReview = (reviewId: string) =>
        Effect.map(
          sql<ReviewRow>`SELECT ${columns} FROM reviews r JOIN users u ON u.id = r.user_id WHERE r.id = ${reviewId}::bigint`,
          ([row]) => toReview(row!)
        )

      /** Taken first by every review change of the product; an inactive product only lets reviews be deleted. */
      const lockProduct = (productId: number, activeOnly: boolean) =>
        Effect.gen(function* () {
          const [product] = yield* sql<{ is_active: boolean }>`
            SELECT is_active FROM products WHERE id = ${productId} FOR UPDATE`
          if (product === undefined || (activeOnly && !product.is_active)) return yield* productNotFound()
        })

      const verifiedPurchase = (productId: number, userId: number) => sql`EXISTS (
        SELECT 1 FROM orders o JOIN order_items oi ON oi.order_id = o.id
        WHERE o.user_id = ${userId} AND o.status = 'delivered' AND oi.product_id = ${productId})`

      /** Recomputes the aggregates under the product lock; true when they changed (the catalog cache must go). */
      const refreshAggregates = (productId: number) =>
        Effect.map(
          sql`
            UPDATE products p SET rating = a.rating, review_count = a.review_count, updated_at = now()
            FROM (SELECT coalesce(round(avg(rating), 2), 0) AS rating, count(*)::int AS review_count
                  FROM reviews WHERE product_id = ${productId}) a
            WHERE p.id = ${productId} AND (p.rating, p.review_count) IS DISTINCT FROM (a.rating, a.review_count)
            RETURNING p.id`,
          (rows) => rows.length > 0
        )

      /** Runs a review change and its aggregates in one transaction; drops the product's cache entries after commit. */
      const write = <A, E, R>(productId: number, change: Effect.Effect<A, E, R>) =>
        Effect.gen(function* () {
          const { result, changed } = yield* sql.withTransaction(
            Effect.gen(function* () {
              const result = yield* change
              return { result, changed: yield* refreshAggregates(productId) }
            })
          )
          yield* fence.mark([reviewsVersion(productId)])
          if (changed) yield* catalog.invalidateProducts([productId])
          return result
        })

      const list = Effect.fn("Reviews.list")(function* (productId: number, query: ReviewListQuery) {
        const page = query.page ?? 1
        const perPage = perPageOf(query.per_page, DEFAULT_REVIEWS_PER_PAGE)
        const conditions: Array<Fragment> = [read`r.product_id = ${productId}`]
        if (query.verified !== undefined) conditions.push(read`r.verified_purchase = ${query.verified === "true"}`)
        const where = read.and(conditions)
        const direction = read.literal((query.sort_order ?? "desc") === "desc" ? "DESC" : "ASC")
        const column = read.literal(query.sort_by === "rating" ? "r.rating" : "r.created_at")
        // On the replica only once it has replayed this product's last review change and its last change.
        return yield* fence.after(
          [reviewsVersion(productId), CATALOG_VERSION_KEYS.product(productId)],
          Effect.gen(function* () {
            const product = yield* read`SELECT 1 FROM products WHERE id = ${productId} AND is_active`
            if (product.length === 0) return yield* productNotFound()
            const [count] = yield* read<{ total: number }>`
                SELECT count(*)::int AS total FROM reviews r WHERE ${where}`
            const rows = yield* read<ReviewRow>`
                SELECT ${columns} FROM reviews r JOIN users u ON u.id = r.user_id WHERE ${where}
                ORDER BY ${column} ${direction}, r.id ${direction} LIMIT ${perPage} OFFSET ${(page - 1) * perPage}`
            return {
              reviews: rows.map(toReview),
              pagination: paginationOf(page, perPage, count!.total)
            }
          })
        )
      }, dieOnSqlError)

      const create = Effect.fn("Reviews.create")(function* (productId: number, userId: number, input: CreateReview) {
        return yield* write(
          productId,
          Effect.gen(function* () {
            yield* lockProduct(productId, true)
            // The unique constraint decides: a second review by the same user inserts nothing.
            const [row] = yield* sql<{ id: string }>`
                INSERT INTO reviews (product_id, user_id, rating, title, comment, verified_purchase)
                VALUES (${productId}, ${userId}, ${input.rating}, ${input.title ?? null}, ${input.comment ?? null},
                        ${verifiedPurchase(productId, userId)})
                ON CONFLICT (product_id, user_id) DO NOTHING
                RETURNING id::text AS id`
            if (row === undefined) return yield* new Conflict({ error: "You have already reviewed this product" })
            return yield* loadReview(row.id)
          })
        )
      }, dieOnSqlError)

      const update = Effect.fn("Reviews.update")(function* (
        productId: number,
        reviewId: number,
        userId: number,
        input: UpdateReview
      ) {
        const changes = sentFields(input, ["rating", "title", "comment"])
        if (Object.keys(changes).length === 0) {
          return yield* ValidationError.field("body", "give at least one of rating, title, comment")
        }
        return yield* write(
          productId,
          Effect.gen(function* () {
            yield* lockProduct(productId, true)
            // Only the author's own review matches: anyone else's id is a 404, as if it did not exist.
            const [row] = yield* sql<{ id: string }>`
                UPDATE reviews SET ${sql.update(changes)},
                  verified_purchase = ${verifiedPurchase(productId, userId)}, updated_at = now()
                WHERE id = ${reviewId} AND product_id = ${productId} AND user_id = ${userId}
                RETURNING id::text AS id`
            if (row === undefined) return yield* reviewNotFound()
            return yield* loadReview(row.id)
          })
        )
      }, dieOnSqlError)

      const remove = Effect.fn("Reviews.remove")(function* (productId: number, reviewId: number, actor: ReviewActor) {
        yield* write(
          productId,
          Effect.gen(function* () {
            yield* lockProduct(productId, false)
            const rows = yield* sql`
                DELETE FROM reviews WHERE id = ${reviewId} AND product_id = ${productId}
                ${actor.isAdmin ? sql`` : sql`AND user_id = ${actor.id}`}
                RETURNING id`
            if (rows.length === 0) return yield* reviewNotFound()
          })
        )
      }, dieOnSqlError)

      return Reviews.of({ list, create, update, remove })
    })
  )
  static readonly layer = Reviews.layerNoDeps.pipe(Layer.provide(Catalog.layer))
}
