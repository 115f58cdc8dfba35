import { apiDocument } from "../../src/http/ApiDocument.ts"

export type JsonSchema = Record<string, any>

export interface Operation {
  readonly method: string
  /** OpenAPI form: `/api/products/{id}`. */
  readonly path: string
  readonly query: ReadonlyArray<{ readonly name: string; readonly schema: JsonSchema; readonly required: boolean }>
  readonly params: ReadonlyArray<string>
  readonly body: JsonSchema | undefined
  readonly secured: boolean
}

/** The OpenAPI document the server publishes at /openapi.json. */
export const spec: JsonSchema = apiDocument()

export const resolve = (schema: JsonSchema): JsonSchema => {
  let current = schema
  while (typeof current.$ref === "string") current = spec.components.schemas[current.$ref.split("/").pop()!]
  return current
}

/** Every operation of the document, with its parameters and JSON body schema. */
export const operations = (document: JsonSchema = spec): ReadonlyArray<Operation> =>
  Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => ["get", "post", "put", "patch", "delete"].includes(method))
      .map(([method, op]) => {
        const parameters: Array<any> = op.parameters ?? []
        return {
          method: method.toUpperCase(),
          path,
          query: parameters
            .filter((p) => p.in === "query")
            .map((p) => ({ name: p.name, schema: resolve(p.schema ?? {}), required: p.required === true })),
          params: parameters.filter((p) => p.in === "path").map((p) => p.name as string),
          body: op.requestBody?.content?.["application/json"]?.schema
            ? resolve(op.requestBody.content["application/json"].schema)
            : undefined,
          secured: Array.isArray(op.security) && op.security.length > 0
        }
      })
  )

export const fillPath = (path: string, values: Record<string, string> = {}) =>
  path.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? "1")

/** The alternatives of a schema (anyOf/oneOf branches), resolved. */
export const branches = (schema: JsonSchema): ReadonlyArray<JsonSchema> => {
  const resolved = resolve(schema)
  const options: Array<JsonSchema> | undefined = resolved.anyOf ?? resolved.oneOf
  return options ? options.flatMap(branches) : [resolved]
}

/** Dotted paths (`address.street`, `items.0.name`) of every string a body of this schema can hold. */
export const stringFields = (schema: JsonSchema, path = ""): ReadonlyArray<string> =>
  branches(schema).flatMap((branch) => {
    if (branch.type === "string") return path === "" ? [] : [path]
    if (branch.type === "object" && branch.properties)
      return Object.entries(branch.properties as Record<string, JsonSchema>).flatMap(([key, property]) =>
        stringFields(property, path === "" ? key : `${path}.${key}`)
      )
    if (branch.type === "array" && branch.items) return stringFields(branch.items, `${path}.0`)
    return []
  })

/** A JSON value with `value` at the dotted path (arrays for numeric segments). */
export const valueAt = (path: string, value: unknown): unknown =>
  path
    .split(".")
    .reverse()
    .reduce<unknown>((inner, key) => (/^\d+$/.test(key) ? [inner] : { [key]: inner }), value)
