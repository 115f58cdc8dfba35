import { HttpApi, OpenApi } from "effect/http-api"
import { SERVICE_VERSION } from "../infra/version.ts"
import { CategoriesApi, ProductsApi } from "./CatalogApi.ts"
import { AuthApi } from "./AuthApi.ts"
import { CartApi } from "./CartApi.ts"
import { OrdersApi } from "./OrdersApi.ts"
import { ReviewsApi } from "./ReviewsApi.ts"
import { RouteTemplate } from "./RouteTemplate.ts"
import { SystemApi } from "./SystemApi.ts"
import { UsersApi } from "./UsersApi.ts"

/** The groups without the document's annotations (what DocsDocument.ts reflects over). */
export const Endpoints = HttpApi.make("shop")
  .add(SystemApi)
  .add(CategoriesApi)
  .add(ProductsApi)
  .add(ReviewsApi)
  .add(AuthApi)
  .add(UsersApi)
  .add(CartApi)
  .add(OrdersApi)
  .middleware(RouteTemplate)

/**
 * The whole HTTP contract of API.md: one group per area. Its OpenAPI document
 * is `apiDocument()` (ApiDocument.ts), which adds the finishing touches of
 * DocsDocument.ts; they stay out of this module so that the typed client's
 * browser bundle does not carry the document's code.
 */
export class Api extends Endpoints.annotateMerge(
  OpenApi.annotations({
    title: "Flipkart-like shop API",
    version: SERVICE_VERSION,
    description: [
      "A shop: catalog, search, cart, checkout, orders and reviews. JSON in, JSON out.",
      "",
      "- **Auth**: `Authorization: Bearer <access_token>` from register, login or refresh. No token: 401 `Authentication required`; a bad or expired one: 401 `Invalid or expired access token`; an admin route for a non-admin: 403.",
      "- **Errors** always have the body `{error, code, details?}` (schema `Error`): `code` is a stable UPPER_SNAKE code, `error` a message for a person, `details` names each refused field.",
      "- **Ids** are positive integers; **money** is rupees as a JSON number with at most 2 decimals; **timestamps** are ISO 8601 in UTC with a `Z`.",
      "- **Lists** take `page` (from 1) and `per_page` (capped at 100) and answer with `{page, per_page, total, pages}`.",
      "- **Request bodies**: fields this document does not list are ignored (never an error, never stored).",
      "- **Limits**: requests per client IP and per user (429 with `Retry-After`), bodies up to 1 MiB (413)."
    ].join("\n"),
    license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
    servers: [{ url: "/", description: "The server that serves this document" }]
  })
) {}
