import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { PasswordHasher } from "../../infra/PasswordHasher.ts"

const SAMPLE_USERS = [
  {
    email: "admin@flipkart.com",
    username: "admin",
    password: "admin123",
    first_name: "Admin",
    last_name: "User",
    is_admin: true
  },
  {
    email: "john@example.com",
    username: "john_doe",
    password: "password123",
    first_name: "John",
    last_name: "Doe",
    is_admin: false
  },
  {
    email: "jane@example.com",
    username: "jane_smith",
    password: "password123",
    first_name: "Jane",
    last_name: "Smith",
    is_admin: false
  }
] as const

const JOHNS_ADDRESSES = [
  {
    address_type: "home",
    street: "123 Main Street, Apt 4B",
    city: "Mumbai",
    state: "Maharashtra",
    pincode: "400001",
    is_default: true
  },
  {
    address_type: "work",
    street: "456 Business Park",
    city: "Mumbai",
    state: "Maharashtra",
    pincode: "400002",
    is_default: false
  }
] as const

/**
 * The sample users of the original shop. Idempotent: an existing email is left
 * as it is (password included), and John's addresses are added only while he has none.
 */
export const seedUsers = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const hasher = yield* PasswordHasher
  for (const { password, ...user } of SAMPLE_USERS) {
    const existing = yield* sql`SELECT 1 FROM users WHERE lower(email) = lower(${user.email})`
    if (existing.length > 0) continue
    const password_hash = yield* hasher.hash(password)
    yield* sql`INSERT INTO users ${sql.insert({ ...user, password_hash })} ON CONFLICT DO NOTHING`
  }
  yield* sql.withTransaction(
    Effect.gen(function* () {
      const [john] = yield* sql<{ readonly id: bigint }>`
        SELECT id FROM users WHERE lower(email) = 'john@example.com' FOR UPDATE`
      if (john === undefined) return
      const [{ n }] = yield* sql<{
        readonly n: number
      }>`SELECT count(*)::int AS n FROM addresses WHERE user_id = ${john.id}`
      if (n > 0) return
      for (const address of JOHNS_ADDRESSES) {
        yield* sql`INSERT INTO addresses ${sql.insert({ ...address, user_id: john.id, country: "India" })}`
      }
    })
  )
}).pipe(Effect.provide(PasswordHasher.layer), Effect.withSpan("seed.users"))
