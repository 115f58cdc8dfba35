import { assert, layer } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import { AppConfig } from "../src/infra/AppConfig.ts"
import { SharedStore } from "../src/infra/SharedStore.ts"
import { Catalog } from "../src/services/Catalog.ts"
import { Orders } from "../src/services/Orders.ts"
import { TestDatabaseLive } from "./support/TestDatabase.ts"

// Orders and the catalog on a real database, with the in-memory store swapped in for Redis.
const ServicesTest = Orders.layer.pipe(
  Layer.provideMerge(Catalog.layer),
  Layer.provideMerge(SharedStore.layerMemory),
  Layer.provideMerge(TestDatabaseLive),
  Layer.provideMerge(AppConfig.layerWith({ nodeEnv: "test" }))
)

/** A user, a category and a product of that category, named after `tag`. */
const fixtures = (tag: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [user] = yield* sql<{ id: string }>`
      INSERT INTO users (email, username, password_hash) VALUES (${`${tag}@example.com`}, ${tag}, 'x')
      RETURNING id::text AS id`
    const [category] = yield* sql<{ id: number }>`INSERT INTO categories (name) VALUES (${tag}) RETURNING id`
    const [product] = yield* sql<{ id: number }>`
      INSERT INTO products (name, price, category_id, sku, stock_quantity)
      VALUES (${`${tag} lamp`}, 100, ${category!.id}, ${tag}, 50) RETURNING id`
    return { sql, userId: user!.id, categoryId: category!.id, productId: product!.id }
  })

layer(ServicesTest, { excludeTestServices: true })("database upkeep", (it) => {
  it.effect("the purge deletes expired Idempotency-Key records only, in batches, and counts them", () =>
    Effect.gen(function* () {
      const { sql, userId } = yield* fixtures("purge")
      yield* sql`
        INSERT INTO idempotency_keys (user_id, key, request_hash, status_code, response_body, expires_at)
        SELECT ${userId}::bigint, 'old-' || n, 'h', 201, '{}', now() - interval '1 minute' FROM generate_series(1, 5003) n
        UNION ALL
        SELECT ${userId}::bigint, 'live-' || n, 'h', 201, '{}', now() + interval '1 hour' FROM generate_series(1, 3) n`
      const orders = yield* Orders
      assert.strictEqual(yield* orders.purgeExpiredKeys, 5003)
      const left = yield* sql<{ key: string }>`SELECT key FROM idempotency_keys ORDER BY key`
      assert.deepStrictEqual(
        left.map((r) => r.key),
        ["live-1", "live-2", "live-3"]
      )
      assert.strictEqual(yield* orders.purgeExpiredKeys, 0)
    })
  )

  it.effect("the status history refuses statuses orders cannot have", () =>
    Effect.gen(function* () {
      const { sql, userId } = yield* fixtures("history")
      const [order] = yield* sql<{ id: string }>`
        INSERT INTO orders (order_number, user_id, payment_method, total_amount, shipping_address)
        VALUES ('ORD-20261130000000-0000ABCD', ${userId}, 'COD', 0, 'x') RETURNING id::text AS id`
      const insert = (status: string, paymentStatus: string) =>
        sql`INSERT INTO order_status_history (order_id, status, payment_status)
            VALUES (${order!.id}, ${status}, ${paymentStatus})`.pipe(
          Effect.as("accepted"),
          Effect.catchTag("SqlError", () => Effect.succeed("refused"))
        )
      assert.strictEqual(yield* insert("pending", "pending"), "accepted")
      assert.strictEqual(yield* insert("lost", "pending"), "refused")
      assert.strictEqual(yield* insert("shipped", "owed"), "refused")
    })
  )
})

layer(ServicesTest, { excludeTestServices: true })("stock updates", (it) => {
  it.effect("checkout's stock decrement is a HOT update while the product stays in stock", () =>
    Effect.gen(function* () {
      const { sql, productId } = yield* fixtures("hot")
      // Counted inside one transaction, so the statistics collector's delay does not matter.
      const hot = yield* sql.withTransaction(
        Effect.gen(function* () {
          yield* sql`UPDATE products p SET stock_quantity = p.stock_quantity - 1, updated_at = now()
                       WHERE p.id = ${productId}`
          return yield* sql<{ updated: number; hot: number }>`
              SELECT pg_stat_get_xact_tuples_updated('products'::regclass)::int AS updated,
                     pg_stat_get_xact_tuples_hot_updated('products'::regclass)::int AS hot`
        })
      )
      assert.deepStrictEqual(hot[0], { updated: 1, hot: 1 })
    })
  )

  it.effect("renaming a category does not wait for the table lock that moving one takes", () =>
    Effect.gen(function* () {
      const { sql, categoryId } = yield* fixtures("rename")
      const catalog = yield* Catalog
      // Another session holds ROW EXCLUSIVE on categories (an uncommitted insert), which the table lock waits for.
      const inserted = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const blocker = yield* sql
        .withTransaction(
          Effect.gen(function* () {
            yield* sql`INSERT INTO categories (name) VALUES ('Rename pending')`
            yield* Deferred.succeed(inserted, undefined)
            yield* Deferred.await(release)
          })
        )
        .pipe(Effect.forkChild)
      yield* Deferred.await(inserted)
      const renamed = yield* catalog
        .updateCategory(categoryId, { name: "Rename done" })
        .pipe(Effect.timeoutOption("10 seconds"))
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(blocker)
      assert.strictEqual(Option.map(renamed, (c) => c.name).pipe(Option.getOrUndefined), "Rename done")
    })
  )
})
