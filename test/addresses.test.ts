import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { registerUser } from "./support/auth.ts"
import { countRows } from "./support/TestDatabase.ts"
import { request, TestServer, TestServerLive } from "./support/TestServer.ts"

const address = { street: "123 Main Street", city: "Mumbai", state: "Maharashtra", pincode: "400001" }

layer(TestServerLive({ rateLimitEnabled: false }), { excludeTestServices: true })("the caller's addresses", (it) => {
  describe("addresses", () => {
    it.effect(
      "the first address becomes the default; defaults move atomically; list is default first, then newest",
      () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const user = yield* registerUser(url)
          const token = user.accessToken
          const empty = yield* request(url, "/api/users/addresses", { token })
          assert.deepStrictEqual(empty.body, [])

          const first = yield* request(url, "/api/users/addresses", { method: "POST", token, json: address })
          assert.strictEqual(first.status, 201)
          assert.strictEqual(first.body.message, "Address added successfully")
          assert.deepStrictEqual(first.body.address, {
            id: first.body.address.id,
            address_type: "home",
            ...address,
            country: "India",
            is_default: true
          })
          const second = yield* request(url, "/api/users/addresses", {
            method: "POST",
            token,
            json: { ...address, address_type: "work", pincode: "400002", is_default: false }
          })
          assert.strictEqual(second.body.address.is_default, false)
          const third = yield* request(url, "/api/users/addresses", {
            method: "POST",
            token,
            json: { ...address, street: "9 Elm", country: "USA", pincode: "10001-1234", is_default: true }
          })
          assert.strictEqual(third.status, 201)
          assert.strictEqual(third.body.address.is_default, true)

          const list = yield* request(url, "/api/users/addresses/", { token })
          assert.strictEqual(list.status, 200)
          assert.deepStrictEqual(
            list.body.map((a: { id: number }) => a.id),
            [third.body.address.id, second.body.address.id, first.body.address.id]
          )
          assert.deepStrictEqual(
            list.body.map((a: { is_default: boolean }) => a.is_default),
            [true, false, false]
          )

          const promote = yield* request(url, `/api/users/addresses/${first.body.address.id}`, {
            method: "PUT",
            token,
            json: { is_default: true, city: "Pune" }
          })
          assert.strictEqual(promote.status, 200)
          assert.strictEqual(promote.body.message, "Address updated successfully")
          assert.include(promote.body.address, { is_default: true, city: "Pune", street: address.street })
          const after = yield* request(url, "/api/users/addresses", { token })
          assert.deepStrictEqual(
            after.body.filter((a: { is_default: boolean }) => a.is_default).map((a: { id: number }) => a.id),
            [first.body.address.id]
          )

          // Deleting the default promotes the newest remaining address.
          const del = yield* request(url, `/api/users/addresses/${first.body.address.id}`, {
            method: "DELETE",
            token
          })
          assert.strictEqual(del.status, 200)
          assert.deepStrictEqual(del.body, { message: "Address deleted successfully" })
          const remaining = yield* request(url, "/api/users/addresses", { token })
          assert.deepStrictEqual(
            remaining.body.map((a: { id: number; is_default: boolean }) => [a.id, a.is_default]),
            [
              [third.body.address.id, true],
              [second.body.address.id, false]
            ]
          )

          // Giving up the default hands it to the newest other address.
          const unset = yield* request(url, `/api/users/addresses/${third.body.address.id}`, {
            method: "PUT",
            token,
            json: { is_default: false }
          })
          assert.strictEqual(unset.body.address.is_default, false)
          const handed = yield* request(url, "/api/users/addresses", { token })
          assert.deepStrictEqual(
            handed.body.map((a: { id: number; is_default: boolean }) => [a.id, a.is_default]),
            [
              [second.body.address.id, true],
              [third.body.address.id, false]
            ]
          )
          // A lone address stays the default.
          yield* request(url, `/api/users/addresses/${third.body.address.id}`, { method: "DELETE", token })
          const lone = yield* request(url, `/api/users/addresses/${second.body.address.id}`, {
            method: "PUT",
            token,
            json: { is_default: false }
          })
          assert.strictEqual(lone.body.address.is_default, true)
        })
    )

    it.effect("bad input: 400 naming the field, nothing written", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const user = yield* registerUser(url)
        const token = user.accessToken
        const before = yield* countRows("addresses")
        const cases: Array<[Record<string, unknown>, string]> = [
          [{ ...address, pincode: "40001" }, "pincode"],
          [{ ...address, pincode: "4000011" }, "pincode"],
          [{ ...address, country: "india", pincode: "ABC123" }, "pincode"],
          [{ ...address, street: "" }, "street"],
          [{ ...address, street: "   " }, "street"],
          [{ ...address, street: "x".repeat(256) }, "street"],
          [{ ...address, city: "x".repeat(101) }, "city"],
          [{ ...address, address_type: "x".repeat(21) }, "address_type"],
          [{ ...address, is_default: "yes" }, "is_default"],
          [{ city: "Mumbai", state: "MH", pincode: "400001" }, "street"]
        ]
        for (const [json, field] of cases) {
          const res = yield* request(url, "/api/users/addresses", { method: "POST", token, json })
          assert.strictEqual(res.status, 400, JSON.stringify(json))
          assert.include(
            res.body.details.map((d: { field: string }) => d.field),
            field,
            JSON.stringify(json)
          )
        }
        assert.strictEqual(yield* countRows("addresses"), before)

        const created = yield* request(url, "/api/users/addresses", {
          method: "POST",
          token,
          json: { ...address, country: "UK", pincode: "SW1A 1AA" }
        })
        assert.strictEqual(created.status, 201)
        const id = created.body.address.id
        // Moving a UK address to India without a 6-digit pincode is refused as a whole.
        const moved = yield* request(url, `/api/users/addresses/${id}`, {
          method: "PUT",
          token,
          json: { country: "India", city: "Delhi" }
        })
        assert.strictEqual(moved.status, 400)
        assert.strictEqual(moved.body.details[0].field, "pincode")
        const badPin = yield* request(url, `/api/users/addresses/${id}`, {
          method: "PUT",
          token,
          json: { pincode: "!!" }
        })
        assert.strictEqual(badPin.status, 400)
        const list = yield* request(url, "/api/users/addresses", { token })
        assert.include(list.body[0], { country: "UK", city: "Mumbai", pincode: "SW1A 1AA" })

        for (const path of ["abc", "0", "-1", "1.5", "99999999999999999999"]) {
          const put = yield* request(url, `/api/users/addresses/${path}`, { method: "PUT", token, json: {} })
          assert.include([400, 404], put.status, path)
          assert.isString(put.body.code)
          const del = yield* request(url, `/api/users/addresses/${path}`, { method: "DELETE", token })
          assert.include([400, 404], del.status, path)
        }
        const missing = yield* request(url, "/api/users/addresses/987654", { method: "DELETE", token })
        assert.strictEqual(missing.status, 404)
        assert.strictEqual(missing.body.code, "NOT_FOUND")
      })
    )

    it.effect("BOLA: john cannot see, change or delete jane's addresses", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const john = yield* registerUser(url)
        const jane = yield* registerUser(url)
        const janes = yield* request(url, "/api/users/addresses", {
          method: "POST",
          token: jane.accessToken,
          json: address
        })
        const id = janes.body.address.id
        const list = yield* request(url, "/api/users/addresses", { token: john.accessToken })
        assert.deepStrictEqual(list.body, [])
        const put = yield* request(url, `/api/users/addresses/${id}`, {
          method: "PUT",
          token: john.accessToken,
          json: { street: "Stolen", is_default: true }
        })
        assert.strictEqual(put.status, 404)
        assert.notInclude(JSON.stringify(put.body), address.street)
        const del = yield* request(url, `/api/users/addresses/${id}`, { method: "DELETE", token: john.accessToken })
        assert.strictEqual(del.status, 404)
        const still = yield* request(url, "/api/users/addresses", { token: jane.accessToken })
        assert.deepStrictEqual(still.body, [janes.body.address])
        const anonymous = yield* request(url, "/api/users/addresses")
        assert.strictEqual(anonymous.status, 401)
      })
    )

    it.effect("concurrent 'make default' requests and concurrent first addresses leave exactly one default", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const sql = yield* SqlClient.SqlClient
        const defaults = (userId: number) =>
          sql<{ n: number }>`
              SELECT count(*)::int AS n FROM addresses WHERE user_id = ${userId} AND is_default`.pipe(
            Effect.map((rows) => rows[0]!.n)
          )

        const fresh = yield* registerUser(url)
        const created = yield* Effect.forEach(
          Array.from({ length: 10 }, (_, i) => i),
          (i) =>
            request(url, "/api/users/addresses", {
              method: "POST",
              token: fresh.accessToken,
              json: { ...address, street: `${i} Parallel Road` }
            }),
          { concurrency: "unbounded" }
        )
        assert.isTrue(created.every((r) => r.status === 201))
        assert.strictEqual(yield* defaults(fresh.id), 1)

        const ids = created.map((r) => r.body.address.id as number)
        const results = yield* Effect.forEach(
          Array.from({ length: 20 }, (_, i) => ids[i % ids.length]!),
          (id) =>
            request(url, `/api/users/addresses/${id}`, {
              method: "PUT",
              token: fresh.accessToken,
              json: { is_default: true }
            }),
          { concurrency: "unbounded" }
        )
        assert.isTrue(results.every((r) => r.status === 200))
        assert.strictEqual(yield* defaults(fresh.id), 1)

        const deletions = yield* Effect.forEach(
          ids.slice(0, 5),
          (id) => request(url, `/api/users/addresses/${id}`, { method: "DELETE", token: fresh.accessToken }),
          { concurrency: "unbounded" }
        )
        assert.isTrue(deletions.every((r) => r.status === 200))
        assert.strictEqual(yield* defaults(fresh.id), 1)
      })
    )
  })
})
