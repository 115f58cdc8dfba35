import { Schema } from "effect"
import { HttpApi } from "effect/http-api"
import { OPERATION_DOCS } from "./DocsOperations.ts"

/**
 * Finishing touches on the OpenAPI document Effect derives from the Api, for
 * what the derivation cannot say by itself:
 *
 * - path and query parameters are described by the values the server decodes
 *   them to (`integer`, `minimum: 1`, defaults) rather than by their text form
 *   (Effect documents the encoded side: a string with a number pattern);
 * - request bodies admit unknown fields, as the server ignores them (Effect
 *   writes `additionalProperties: false` everywhere), and carry an example;
 * - every error response uses the shared `Error` schema, narrowed per code;
 * - 413/415 are listed only where a body can be sent;
 * - summaries and descriptions come from DocsOperations.ts.
 */

type Json = any

const clone = <A>(a: A): A => structuredClone(a)

/** Query/path parameter schemas of each operation, from the decoded (Type) side of the endpoint's own schemas. */
const parameterSchemas = (api: HttpApi.HttpApi<string, any>) => {
  const byOperation = new Map<string, Record<string, Json>>()
  HttpApi.reflect(api, {
    onGroup: () => {},
    onEndpoint: ({ group, endpoint }) => {
      const id = group.topLevel ? endpoint.identifier : `${group.identifier}.${endpoint.identifier}`
      const properties: Record<string, Json> = {}
      for (const schema of [endpoint.params, endpoint.query]) {
        if (schema === undefined) continue
        const document = Schema.toJsonSchemaDocument(Schema.toType(schema))
        if (Object.keys(document.definitions).length > 0)
          throw new Error(`${id}: parameters must not use named schemas`)
        Object.assign(properties, (document.schema as Json).properties)
      }
      byOperation.set(id, properties)
    }
  })
  return byOperation
}

const walk = (node: Json, visit: (node: Json) => void) => {
  if (node === null || typeof node !== "object") return
  visit(node)
  for (const value of Array.isArray(node) ? node : Object.values(node)) walk(value, visit)
}

const resolve = (spec: Json, node: Json): Json =>
  typeof node?.$ref === "string" ? resolve(spec, spec.components.schemas[node.$ref.split("/").pop()]) : node

/** Schemas reachable from a node, following $refs into the components once each. */
const reachable = (spec: Json, root: Json) => {
  const seen = new Set<Json>()
  const go = (node: Json) =>
    walk(node, (n) => {
      if (seen.has(n)) return
      seen.add(n)
      if (typeof n.$ref === "string") go(resolve(spec, n))
    })
  go(root)
  return seen
}

const isErrorSchema = (schema: Json) =>
  schema?.type === "object" &&
  schema.properties?.error?.type === "string" &&
  Array.isArray(schema.properties?.code?.enum) &&
  schema.properties.code.enum.length === 1

const errorComponentName = (name: string) => {
  const base = name.replace(/Encoded$/, "")
  return base.endsWith("Error") ? base : `${base}Error`
}

/** One `Error` schema for every error body; each error code's component narrows it to its code. */
const shareErrorSchema = (spec: Json) => {
  const schemas: Record<string, Json> = spec.components.schemas
  const renamed = new Map<string, string>()
  const codes: Array<string> = []
  for (const [name, schema] of Object.entries(schemas)) {
    if (!isErrorSchema(schema)) continue
    const code: string = schema.properties.code.enum[0]
    codes.push(code)
    const newName = errorComponentName(name)
    renamed.set(name, newName)
    delete schemas[name]
    schemas[newName] = {
      description: schema.description ?? `The error body with code \`${code}\`.`,
      allOf: [{ $ref: "#/components/schemas/Error" }, { type: "object", properties: { code: { const: code } } }]
    }
  }
  schemas["FieldError"] = {
    type: "object",
    description: "One refused field and why, written for a person.",
    properties: {
      field: { type: "string", description: "The field's name as sent (`email`, `items.0.quantity`, `page`)." },
      message: {
        type: "string",
        description: "What is wrong with it, e.g. `page must be a whole number of at least 1`."
      }
    },
    required: ["field", "message"],
    additionalProperties: false
  }
  schemas["Error"] = {
    type: "object",
    description:
      "The body of every error response. `code` is stable (program against it); `error` is a message for a person; `details` lists each refused field of a validation error.",
    properties: {
      error: { type: "string", description: "What went wrong, written for a person." },
      code: { type: "string", enum: [...new Set(codes)].sort(), description: "A stable UPPER_SNAKE code." },
      details: { type: "array", items: { $ref: "#/components/schemas/FieldError" } }
    },
    required: ["error", "code"],
    additionalProperties: false
  }
  walk(spec, (node) => {
    if (typeof node.$ref !== "string") return
    const name = node.$ref.split("/").pop()
    const target = renamed.get(name)
    if (target !== undefined) node.$ref = `#/components/schemas/${target}`
  })
}

const BODY_ONLY_ERRORS = ["413", "415"]

export const refineDocument =
  (api: HttpApi.HttpApi<string, any>) =>
  (input: Record<string, any>): Record<string, any> => {
    const spec = clone(input)
    const parameters = parameterSchemas(api)
    for (const pathItem of Object.values<Json>(spec.paths)) {
      for (const op of Object.values<Json>(pathItem)) {
        const doc = OPERATION_DOCS[op.operationId]
        op.summary = doc?.summary ?? op.summary ?? op.operationId
        op.description = doc?.description ?? op.description ?? op.summary
        const schemas = parameters.get(op.operationId) ?? {}
        for (const parameter of op.parameters as Array<Json>) {
          const typed = schemas[parameter.name]
          if (typed !== undefined && (parameter.in === "path" || parameter.in === "query")) parameter.schema = typed
          if (parameter.schema.description !== undefined) parameter.description ??= parameter.schema.description
        }
        if (op.requestBody === undefined) {
          for (const status of BODY_ONLY_ERRORS) delete op.responses[status]
          continue
        }
        op.requestBody.description = "A JSON object. Fields this document does not list are ignored."
        // A payload that admits null (refresh, logout) lets the body be left out altogether.
        for (const media of Object.values<Json>(op.requestBody.content)) {
          const branches: Array<Json> | undefined = media.schema.anyOf
          if (branches?.some((b) => b.type === "null")) {
            op.requestBody.required = false
            const rest = branches.filter((b) => b.type !== "null")
            media.schema = rest.length === 1 ? rest[0] : { anyOf: rest }
          }
        }
        for (const media of Object.values<Json>(op.requestBody.content)) {
          for (const node of reachable(spec, media.schema)) {
            if (node.additionalProperties === false) delete node.additionalProperties
            // A body field's default goes in words: generators (openapi-typescript) make a field with a `default` required.
            if (node.default !== undefined && node.type !== "object") {
              node.description = [node.description, `Default: \`${JSON.stringify(node.default)}\`.`]
                .filter(Boolean)
                .join(" ")
              delete node.default
            }
          }
          const schema = resolve(spec, media.schema)
          const example =
            schema.examples?.[0] ?? schema.anyOf?.map((s: Json) => resolve(spec, s).examples?.[0]).find(Boolean)
          if (example !== undefined) media.example = example
        }
      }
    }
    shareErrorSchema(spec)
    return spec
  }
