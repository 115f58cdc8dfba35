import { assert, layer } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import { ConnectionError, SqlError } from "effect/sql/SqlError"
import { Conflict, InsufficientStock, NotFound } from "../src/domain/errors.ts"
import { AppConfig } from "../src/infra/AppConfig.ts"
import { PasswordHasher } from "../src/infra/PasswordHasher.ts"
import { Addresses } from "../src/services/Addresses.ts"
import { Cart } from "../src/services/Cart.ts"
import { Catalog } from "../src/services/Catalog.ts"
import { Orders } from "../src/services/Orders.ts"
import { Users } from "../src/services/Users.ts"
import { TestDatabaseLive } from "./support/TestDatabase.ts"
import { sqlClientStub, stub } from "./support/stub.ts"

// Each service's `layerNoDeps` with its dependencies given by the test: one fresh, migrated database shared
// by the blocks below, and in each block the other dependency swapped for a stub.
const Infrastructure = Layer.mergeAll(TestDatabaseLive, AppConfig.layerWith({ nodeEnv: "test" }))

const insertUser = (name: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [user] = yield* sql<{ id: number }>`
      INSERT INTO users (email, username, password_hash) VALUES (${`${name}@example.com`}, ${name}, 'x')
      RETURNING id::int AS id`
    return user!.id
  })

const insertProducts = (sku: string, stocks: ReadonlyArray<number>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [category] = yield* sql<{ id: number }>`INSERT INTO categories (name) VALUES (${sku}) RETURNING id`
    const ids: Array<number> = []
    for (const [i, stock] of stocks.entries()) {
      const [product] = yield* sql<{ id: number }>`
        INSERT INTO products (name, price, category_id, sku, stock_quantity)
        VALUES (${`${sku} ${i}`}, ${100 * (i + 1)}, ${category!.id}, ${`${sku}-${i}`}, ${stock}) RETURNING id`
      ids.push(product!.id)
    }
    return ids
  })

layer(Infrastructure, { excludeTestServices: true })("service layers with their dependencies swapped", (it) => {
  // Orders' own logic on the database, with the Catalog it depends on swapped for a stub that records
  // which products' cached copies a checkout asks to refresh.
  const refreshed: Array<ReadonlyArray<number>> = []
  const CatalogStub = stub(Catalog, {
    stockChanged: (ids) => Effect.sync(() => void refreshed.push(ids))
  })

  it.layer(Orders.layerNoDeps.pipe(Layer.provideMerge(CatalogStub)))("Orders with a stub Catalog", (it) => {
    it.effect("a checkout decrements stock in the database and tells the catalog which products changed", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const userId = yield* insertUser("swap")
        const [address] = yield* sql<{ id: number }>`
          INSERT INTO addresses (user_id, street, city, state, pincode, is_default)
          VALUES (${userId}, '1 MG Road', 'Bengaluru', 'Karnataka', '560001', true) RETURNING id::int AS id`
        const ids = yield* insertProducts("SWAP", [5, 2])
        yield* sql`INSERT INTO cart_items (user_id, product_id, quantity)
                   VALUES (${userId}, ${ids[0]!}, 2), (${userId}, ${ids[1]!}, 1)`

        const orders = yield* Orders
        const { order, replayed } = yield* orders.place({
          userId,
          input: { address_id: address!.id, payment_method: "UPI" },
          idempotencyKey: Option.none()
        })
        assert.isFalse(replayed)
        assert.strictEqual(order.total_amount, 400)
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

  // Users with the password hasher swapped: a fake that records what it was given and marks its output,
  // so the test sees that the stored hash is the hasher's and that a password never reaches the table.
  const hashed: Array<string> = []
  const HasherStub = stub(PasswordHasher, {
    hash: (password) => Effect.sync(() => hashed.push(password)).pipe(Effect.as(`fake$${password.length}`))
  })

  it.layer(Users.layerNoDeps.pipe(Layer.provideMerge(HasherStub)))("Users with a stub PasswordHasher", (it) => {
    it.effect("registration stores the hasher's output, and a taken email is a Conflict", () =>
      Effect.gen(function* () {
        const users = yield* Users
        const user = yield* users.create({ email: "Asha@example.com", username: "asha", password: "s3cret-pass" })
        assert.deepStrictEqual(hashed, ["s3cret-pass"])
        const credentials = yield* users.findCredentials("asha@EXAMPLE.com")
        assert.strictEqual(Option.getOrThrow(credentials).passwordHash, "fake$11")
        assert.strictEqual(Option.getOrThrow(credentials).user.id, user.id)
        const taken = yield* Effect.flip(
          users.create({ email: "Asha@example.com", username: "asha2", password: "another-pass" })
        )
        assert.instanceOf(taken, Conflict)
        assert.strictEqual(taken.error, "Email already registered")
      })
    )
  })

  // Cart and Addresses need nothing but the database: here it is the test's own.
  it.layer(Cart.layerNoDeps)("Cart on the test's database", (it) => {
    it.effect("adding the same product merges the line, and more than the stock is refused with details", () =>
      Effect.gen(function* () {
        const userId = yield* insertUser("cart")
        const [lamp] = yield* insertProducts("CART", [3])
        const cart = yield* Cart
        yield* cart.add(userId, { product_id: lamp!, quantity: 1 })
        const merged = yield* cart.add(userId, { product_id: lamp!, quantity: 2 })
        assert.strictEqual(merged.quantity, 3)
        const refused = yield* Effect.flip(cart.add(userId, { product_id: lamp!, quantity: 1 }))
        assert.instanceOf(refused, InsufficientStock)
        assert.deepStrictEqual((refused as InsufficientStock).details, [
          { field: "quantity", message: "at most 3 available" }
        ])
        const view = yield* cart.get(userId)
        assert.deepStrictEqual([view.item_count, view.quantity_count, view.total], [1, 3, 300])
      })
    )
  })

  it.layer(Addresses.layerNoDeps)("Addresses on the test's database", (it) => {
    it.effect("the first address is the default, a new default moves it, another user's id is NotFound", () =>
      Effect.gen(function* () {
        const owner = yield* insertUser("home")
        const stranger = yield* insertUser("stranger")
        const addresses = yield* Addresses
        const home = { street: "1 MG Road", city: "Bengaluru", state: "Karnataka", pincode: "560001" }
        const first = yield* addresses.create(owner, home)
        assert.isTrue(first.is_default)
        const office = yield* addresses.create(owner, { ...home, street: "2 Park Street", is_default: true })
        const listed = yield* addresses.list(owner)
        assert.deepStrictEqual(
          listed.map((a) => [a.id, a.is_default]),
          [
            [office.id, true],
            [first.id, false]
          ]
        )
        assert.instanceOf(yield* Effect.flip(addresses.remove(stranger, first.id)), NotFound)
        assert.strictEqual((yield* addresses.list(owner)).length, 2)
      })
    )
  })
})

// A database that refuses every connection: the service turns the SqlError into a defect (the edge answers
// 503), never into one of its typed refusals.
const DatabaseDown = sqlClientStub(() =>
  Effect.fail(new SqlError({ reason: new ConnectionError({ cause: new Error("connect ECONNREFUSED") }) }))
)

layer(Cart.layerNoDeps.pipe(Layer.provide(DatabaseDown)))("Cart with a database that is down", (it) => {
  it.effect("a read dies with the SqlError instead of failing with a refusal", () =>
    Effect.gen(function* () {
      const cart = yield* Cart
      const exit = yield* Effect.exit(cart.get(7))
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
      const defect = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
      assert.instanceOf(defect, SqlError)
    })
  )
})
