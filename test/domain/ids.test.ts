import { assert, describe, it } from "@effect/vitest"
import { Option, Schema } from "effect"
import { MAX_INT4, PathId } from "../../src/domain/ids.ts"

const decode = Schema.decodeUnknownOption(PathId)

describe("PathId", () => {
  it("takes canonical positive integers within int4", () => {
    for (const [text, id] of [
      ["1", 1],
      ["42", 42],
      [String(MAX_INT4), MAX_INT4]
    ] as const)
      assert.deepStrictEqual(decode(text), Option.some(id), text)
  })

  it("refuses every other spelling of a number, and numbers out of range", () => {
    for (const text of [
      "0",
      "01",
      "007",
      "1.0",
      "1.",
      "+1",
      "-1",
      "1e0",
      "0x1",
      " 1",
      "1 ",
      "\t1",
      "0.99999999999999999",
      "1_000",
      "１",
      "",
      "abc",
      String(MAX_INT4 + 1),
      "99999999999999999999"
    ])
      assert.strictEqual(decode(text)._tag, "None", JSON.stringify(text))
    assert.strictEqual(decode(1)._tag, "None")
  })
})
