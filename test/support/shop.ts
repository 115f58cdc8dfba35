import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { AppConfig } from "../../src/infra/AppConfig.ts"
import { Tokens } from "../../src/infra/Tokens.ts"
import { request } from "./TestServer.ts"
import { unique } from "./unique.ts"

export interface Buyer {
  readonly id: number
  readonly token: string
  readonly addressId: number
}

/**
 * Many users at once, written straight to the test database with a default
 * address each and an access token signed with the server's own secret: the
 * API's register/login would spend an argon2 hash per user.
 */
export const createBuyers = (n: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const config = yield* AppConfig
    const tokens = Tokens.make({
      secret: config.jwtSecret,
      accessTokenTtl: config.accessTokenTtl,
      refreshTokenTtl: config.refreshTokenTtl
    })
    const tag = unique()
    const users = yield* sql<{ id: string }>`
      INSERT INTO users (email, username, password_hash)
      SELECT 'buyer_' || ${tag} || '_' || i || '@example.com', 'buyer_' || ${tag} || '_' || i, 'not-a-hash'
      FROM generate_series(1, ${n}) AS i RETURNING id::text AS id`
    const addresses = yield* sql<{ id: string; user_id: string }>`
      INSERT INTO addresses (user_id, street, city, state, pincode, is_default)
      SELECT id, '1 Test Street', 'Mumbai', 'Maharashtra', '400001', true FROM users
      WHERE id = ANY(${users.map((u) => u.id)}::bigint[]) RETURNING id::text AS id, user_id::text AS user_id`
    const addressOf = new Map(addresses.map((a) => [a.user_id, Number(a.id)]))
    return yield* Effect.forEach(users, (u) =>
      Effect.map(tokens.issue(Number(u.id), "access"), (t) => ({
        id: Number(u.id),
        token: t.token,
        addressId: addressOf.get(u.id)!
      }))
    )
  }).pipe(Effect.orDie)

/** A product (in a category of its own) written straight to the database; returns its id. */
export const createProduct = (fields: {
  readonly stock: number
  readonly price?: number
  readonly discount?: number
  readonly name?: string
}) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const tag = unique()
    const [category] = yield* sql<{ id: number }>`
      INSERT INTO categories (name) VALUES (${`Category ${tag}`}) RETURNING id`
    const [product] = yield* sql<{ id: number }>`
      INSERT INTO products (name, price, discount_percentage, category_id, stock_quantity, sku)
      VALUES (${fields.name ?? `Product ${tag}`}, ${(fields.price ?? 100).toFixed(2)}::numeric,
              ${(fields.discount ?? 0).toFixed(2)}::numeric, ${category!.id}, ${fields.stock}, ${`SKU-${tag}`})
      RETURNING id`
    return product!.id
  }).pipe(Effect.orDie)

export const stockOf = (productId: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ stock_quantity: number }>`SELECT stock_quantity FROM products WHERE id = ${productId}`
    return row!.stock_quantity
  }).pipe(Effect.orDie)

export const addToCart = (url: string, token: string, productId: number, quantity = 1) =>
  request(url, "/api/cart/add", { method: "POST", token, json: { product_id: productId, quantity } })

export const placeOrder = (url: string, buyer: Buyer, headers: Record<string, string> = {}) =>
  request(url, "/api/orders", {
    method: "POST",
    token: buyer.token,
    headers,
    json: { address_id: buyer.addressId, payment_method: "UPI" }
  })
