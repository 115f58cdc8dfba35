import { assert, layer } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import { AppConfig } from "../src/infra/AppConfig.ts"
import { Catalog } from "../src/services/Catalog.ts"
import { Orders } from "../src/services/Orders.ts"
import { TestDatabaseLive } from "./support/TestDatabase.ts"
import { stub } from "./support/stub.ts"

// Orders' own logic on a real database, with the Catalog it depends on swapped for a stub that records
// which products' cached copies a checkout asks to refresh.
const refreshed: Array<ReadonlyArray<number>> = []
const CatalogStub = stub(Catalog, {
  stockChanged: (ids) => Effect.sync(() => void refreshed.push(ids))
})

const OrdersWithStubCatalog = Orders.layerNoDeps.pipe(
  Layer.provideMerge(CatalogStub),
  Layer.provideMerge(TestDatabaseLive),
  Layer.provideMerge(AppConfig.layerWith({ nodeEnv: "test" }))
)

layer(OrdersWithStubCatalog, { excludeTestServices: true })("Orders with a stub Catalog", (it) => {
  it.effect("a checkout decrements stock in the database and tells the catalog which products changed", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const [user] = yield* sql<{ id: number }>`
        INSERT INTO users (email, username, password_hash) VALUES ('swap@example.com', 'swap', 'x') RETURNING id::int AS id`
      const [address] = yield* sql<{ id: number }>`
        INSERT INTO addresses (user_id, street, city, state, pincode, is_default)
        VALUES (${user!.id}, '1 MG Road', 'Bengaluru', 'Karnataka', '560001', true) RETURNING id::int AS id`
      const [category] = yield* sql<{ id: number }>`INSERT INTO categories (name) VALUES ('Swap') RETURNING id`
      const products = yield* sql<{ id: number }>`
        INSERT INTO products (name, price, category_id, sku, stock_quantity)
        VALUES ('Lamp', 100, ${category!.id}, 'SWAP-1', 5), ('Desk', 900, ${category!.id}, 'SWAP-2', 2)
        RETURNING id`
      const ids = products.map((p) => p.id).sort((a, b) => a - b)
      yield* sql`INSERT INTO cart_items (user_id, product_id, quantity)
                 VALUES (${user!.id}, ${ids[0]!}, 2), (${user!.id}, ${ids[1]!}, 1)`

      const orders = yield* Orders
      const { order, replayed } = yield* orders.place({
        userId: user!.id,
        input: { address_id: address!.id, payment_method: "UPI" },
        idempotencyKey: Option.none()
      })
      assert.isFalse(replayed)
      assert.strictEqual(order.total_amount, 1100)
      assert.deepStrictEqual(refreshed, [ids])
      const stock = yield* sql<{ stock_quantity: number }>`
        SELECT stock_quantity FROM products WHERE id = ANY(${ids}::int[]) ORDER BY id`
      assert.deepStrictEqual(
        stock.map((r) => r.stock_quantity),
        [3, 1]
      )
    })
  )
})
