import { assert, describe, it } from "@effect/vitest"
import { findUncleanField, isCleanString } from "../../src/domain/cleanString.ts"

describe("clean strings", () => {
  it("refuses NUL and unpaired surrogates, keeps every other character", () => {
    for (const text of ["", "plain", "naïve café", "emoji 😀", "\u200b zero width", "tab\tnew\nline", "\uffff"])
      assert.isTrue(isCleanString(text), JSON.stringify(text))
    for (const text of ["\0", "a\0b", "\ud800", "x\udc00", "\ud83d", "😀\ud83d"])
      assert.isFalse(isCleanString(text), JSON.stringify(text))
  })

  it("names the first field holding one, keys and nested values included", () => {
    assert.isUndefined(findUncleanField({ a: "x", b: [1, "y", { c: null }], d: true }))
    assert.strictEqual(findUncleanField({ name: "a\0" }), "name")
    assert.strictEqual(findUncleanField({ address: { street: "\ud800" } }), "address.street")
    assert.strictEqual(findUncleanField({ items: ["ok", "b\0"] }), "items.1")
    assert.strictEqual(findUncleanField({ "ke\0y": 1 }), "ke\\u0000y")
    assert.strictEqual(findUncleanField("\0"), "")
  })
})
