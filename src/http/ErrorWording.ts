import { apiDocument } from "./ApiDocument.ts"

/**
 * One wording per problem, for a person: a refused field is described from
 * the same document the API publishes (`page must be a whole number of at
 * least 1`, `id must be a positive whole number`, `email is required`),
 * instead of the schema library's words ("Expected a string representing a
 * finite number", "Missing key"). Messages the domain already words for a
 * person (they start with the field's name) are kept.
 */

type Json = any

/** Each field name of the API (parameters and request body properties) with its schema in the document. */
const fieldSchemas = (() => {
  const spec: Json = apiDocument()
  const resolve = (node: Json): Json =>
    typeof node?.$ref === "string" ? resolve(spec.components.schemas[node.$ref.split("/").pop()]) : node
  const fields = new Map<string, Json>()
  for (const item of Object.values<Json>(spec.paths))
    for (const op of Object.values<Json>(item)) {
      for (const parameter of op.parameters ?? [])
        if (!fields.has(parameter.name)) fields.set(parameter.name, parameter.schema)
      for (const media of Object.values<Json>(op.requestBody?.content ?? {})) {
        const body = resolve(media.schema)
        for (const [name, schema] of Object.entries<Json>(body.properties ?? {}))
          if (!fields.has(name)) fields.set(name, resolve(schema))
      }
    }
  return fields
})()

const isId = (field: string) => field === "id" || field.endsWith("_id")

/** What a value of the schema is, e.g. "a whole number from 1 to 5". Maxima too large to matter are left out. */
const describe = (field: string, schema: Json): string => {
  const options: Array<Json> = (schema.anyOf ?? [schema]).filter((s: Json) => s.type !== "null")
  const nullable = options.length < (schema.anyOf ?? [schema]).length
  const main = options[0] ?? {}
  const text = (() => {
    if (main.enum !== undefined) return `one of ${main.enum.join(", ")}`
    if (main.type === "integer" || main.type === "number") {
      const noun = main.type === "integer" ? "whole number" : "number"
      if (main.type === "integer" && isId(field) && main.minimum === 1) return "a positive whole number"
      const max = typeof main.maximum === "number" && main.maximum <= 100_000 ? main.maximum : undefined
      if (main.minimum !== undefined && max !== undefined) return `a ${noun} from ${main.minimum} to ${max}`
      if (main.minimum !== undefined) return `a ${noun} of at least ${main.minimum}`
      if (main.exclusiveMinimum !== undefined) return `a ${noun} greater than ${main.exclusiveMinimum}`
      return `a ${noun}`
    }
    if (main.type === "boolean") return "true or false"
    if (main.type === "array") return "a list"
    if (main.type === "object") return "an object"
    return "text"
  })()
  return nullable ? `${text}, or null` : text
}

const LIBRARY_WORDING = /^(Expected |Missing key|Unexpected key|Invalid data|Invalid value)/

/** The message for a person about one refused field (`field` is its dotted path, or "body"/"query"/... for the whole). */
export const fieldMessage = (field: string, message: string): string => {
  if (field === "body" || field === "")
    return message.includes("JSON") ? "the request body is not valid JSON" : "the request body must be a JSON object"
  const name = field.split(".").pop()!
  if (!LIBRARY_WORDING.test(message) && message.startsWith(name)) return message
  if (message.startsWith("Missing key")) return `${field} is required`
  const schema = fieldSchemas.get(name)
  if (schema !== undefined) return `${field} must be ${describe(name, schema)}`
  if (message.startsWith("Unexpected key")) return `${field} is not a field of this request`
  // A domain message without the field's name in front ("must not be empty"): put it there.
  return LIBRARY_WORDING.test(message) ? `${field} is not valid` : `${field} ${message}`
}
