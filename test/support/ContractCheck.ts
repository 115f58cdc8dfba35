import { type Document, OpenAPIBackend, type Request as ApiRequest } from "openapi-backend"
import addFormats from "ajv-formats"
import { apiDocument } from "../../src/http/ApiDocument.ts"

/**
 * Checks every exchange the suite makes against the API document (/openapi.json)
 * (with openapi-backend): a response must be one the document lists for its
 * operation (status, then body), and a request the document refuses must be
 * refused by the server with a 4xx. Requests to paths the document does not
 * have are checked for the shared error body only.
 */

export interface Exchange {
  readonly method: string
  readonly url: string
  readonly requestHeaders: Headers
  readonly requestBody: unknown
  readonly status: number
  readonly responseHeaders: Headers
  readonly responseBody: unknown
}

let validator: Promise<OpenAPIBackend> | undefined

/** The document the server serves at /openapi.json (test/contract.test.ts checks they are equal). */
const validatorFor = () =>
  (validator ??= (async () => {
    const api = new OpenAPIBackend({
      definition: apiDocument() as unknown as Document,
      quick: true,
      validate: true,
      ajvOpts: { strict: false },
      customizeAjv: (ajv) => addFormats.default(ajv)
    })
    await api.init()
    return api
  })())

const headerRecord = (headers: Headers) => {
  const record: Record<string, string> = {}
  headers.forEach((value, name) => (record[name] = value))
  return record
}

const isJson = (headers: Headers) => (headers.get("content-type") ?? "").startsWith("application/json")

/** `{error, code, details?}` with a code the document's Error schema lists. */
const isErrorBody = (api: OpenAPIBackend, body: any) => {
  const codes: Array<string> = (api.definition as any).components.schemas.Error.properties.code.enum
  return (
    typeof body === "object" &&
    body !== null &&
    typeof body.error === "string" &&
    codes.includes(body.code) &&
    Object.keys(body).every((k) => k === "error" || k === "code" || k === "details")
  )
}

const describe = (e: Exchange) => `${e.method} ${e.url} -> ${e.status} ${JSON.stringify(e.responseBody)}`

/** The problems found in one exchange; empty when the document and the server agree. */
export const contractProblems = async (base: string, exchange: Exchange): Promise<Array<string>> => {
  const api = await validatorFor()
  const url = new URL(exchange.url, base)
  // The document describes the API: not the docs page, CORS preflights, or routes a test adds under /test/.
  if (
    url.pathname === "/openapi.json" ||
    url.pathname.startsWith("/docs") ||
    url.pathname.startsWith("/test/") ||
    exchange.method === "OPTIONS"
  )
    return []
  const request: ApiRequest = {
    method: exchange.method,
    path: url.pathname,
    query: url.search.slice(1),
    headers: headerRecord(exchange.requestHeaders),
    body: exchange.requestBody
  }
  const operation = api.matchOperation(request)
  const problems: Array<string> = []
  if (operation === undefined) {
    // No operation: the server's own 404/405/413/... still has the shared error body.
    if (exchange.status < 400) problems.push(`a path the document does not have answered ${exchange.status}`)
    else if (!isJson(exchange.responseHeaders) || !isErrorBody(api, exchange.responseBody))
      problems.push(`the error body is not the shared Error schema`)
    return problems.map((p) => `${p}: ${describe(exchange)}`)
  }
  const id = operation.operationId!
  const requestCheck = api.validateRequest(request, operation)
  if (!requestCheck.valid && exchange.status < 400)
    problems.push(
      `the document refuses this request (${JSON.stringify(requestCheck.errors)}) but the server answered ${exchange.status}`
    )
  const documented = operation.responses?.[String(exchange.status)]
  if (documented === undefined) problems.push(`${id} does not document status ${exchange.status}`)
  else if ((documented as { content?: Record<string, unknown> }).content?.["application/json"] !== undefined) {
    if (!isJson(exchange.responseHeaders)) problems.push(`${id} ${exchange.status} is documented as JSON`)
    else {
      const check = api.validateResponse(exchange.responseBody, operation, exchange.status)
      if (!check.valid) problems.push(`${id} ${exchange.status} body differs: ${JSON.stringify(check.errors)}`)
    }
  }
  return problems.map((p) => `${p}: ${describe(exchange)}`)
}
