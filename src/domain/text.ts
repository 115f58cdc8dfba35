import { Schema } from "effect"

/**
 * Length limits counted in characters (Unicode code points), as PostgreSQL's
 * varchar(n) and JSON Schema's minLength/maxLength count them, so the document
 * states the exact limit the server applies (Effect's own length checks count
 * UTF-16 units and document a looser bound).
 */
const characters = (s: string) => {
  let n = 0
  for (const _ of s) n++
  return n
}

export const isMinChars = (minimum: number, message: string) =>
  Schema.makeFilter<string>((s) => characters(s) >= minimum, {
    message,
    expected: `at least ${minimum} characters`,
    toJsonSchema: () => ({ minLength: minimum })
  })

export const isMaxChars = (maximum: number, message: string) =>
  Schema.makeFilter<string>((s) => characters(s) <= maximum, {
    message,
    expected: `at most ${maximum} characters`,
    toJsonSchema: () => ({ maxLength: maximum })
  })
