import { Effect, Layer } from "effect"
import { HttpServerResponse } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { Catalog, type JsonBody } from "../services/Catalog.ts"
import { Api } from "./Api.ts"
import { requireAdmin } from "./Authentication.ts"

/** Catalog reads come back as finished JSON text: sent as is, without a second encoding. */
const json = (body: JsonBody) => HttpServerResponse.text(body, { contentType: "application/json" })

const CategoriesHandlers = HttpApiBuilder.group(
  Api,
  "categories",
  Effect.fn(function* (handlers) {
    const catalog = yield* Catalog
    return handlers.handleAll({
      list: ({ query }) => Effect.map(catalog.listCategories(query.tree === "true"), json),
      get: ({ params }) => Effect.map(catalog.getCategory(params.id), json),
      create: ({ payload }) =>
        Effect.gen(function* () {
          yield* requireAdmin
          const category = yield* catalog.createCategory(payload)
          return { message: "Category created successfully", category }
        }),
      update: ({ params, payload }) =>
        Effect.gen(function* () {
          yield* requireAdmin
          const category = yield* catalog.updateCategory(params.id, payload)
          return { message: "Category updated successfully", category }
        }),
      deactivate: ({ params }) =>
        Effect.gen(function* () {
          yield* requireAdmin
          yield* catalog.deactivateCategory(params.id)
          return { message: "Category deactivated successfully" }
        })
    })
  })
)

const ProductsHandlers = HttpApiBuilder.group(
  Api,
  "products",
  Effect.fn(function* (handlers) {
    const catalog = yield* Catalog
    return handlers.handleAll({
      list: ({ query }) => Effect.map(catalog.listProducts(query), json),
      suggest: ({ query }) => Effect.map(catalog.suggest(query), json),
      listAll: ({ query }) => Effect.andThen(requireAdmin, catalog.listAllProducts(query)),
      get: ({ params }) => Effect.map(catalog.getProduct(params.id), json),
      create: ({ payload }) =>
        Effect.gen(function* () {
          yield* requireAdmin
          const product = yield* catalog.createProduct(payload)
          return { message: "Product created successfully", product }
        }),
      update: ({ params, payload }) =>
        Effect.gen(function* () {
          yield* requireAdmin
          const product = yield* catalog.updateProduct(params.id, payload)
          return { message: "Product updated successfully", product }
        }),
      delete: ({ params }) =>
        Effect.gen(function* () {
          yield* requireAdmin
          yield* catalog.deleteProduct(params.id)
          return { message: "Product deleted successfully" }
        })
    })
  })
)

/** Both catalog groups, with the Catalog service they share. */
export const CatalogHandlers = Layer.mergeAll(CategoriesHandlers, ProductsHandlers)
