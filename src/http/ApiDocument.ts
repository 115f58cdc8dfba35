import { OpenApi } from "effect/http-api"
import { Api, Endpoints } from "./Api.ts"
import { refineDocument } from "./DocsDocument.ts"

/** The Api with the document's finishing touches (DocsDocument.ts): the server's and the tests' view of it. */
const DocumentedApi = Api.annotateMerge(OpenApi.annotations({ transform: refineDocument(Endpoints) }))

/** The OpenAPI document served at /openapi.json. */
export const apiDocument = () => OpenApi.fromApi(DocumentedApi)
