import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import {
  AdminProductListQuery,
  Category,
  CategoryDetail,
  CategoryListQuery,
  CategoryMessage,
  CategoryNode,
  CreateCategory,
  CreateProduct,
  Product,
  ProductListQuery,
  ProductMessage,
  ProductPage,
  SuggestQuery,
  Suggestions,
  UpdateCategory,
  UpdateProduct
} from "../domain/catalog.ts"
import { Conflict, Forbidden, NotFound, ValidationError } from "../domain/errors.ts"
import { IdParams } from "../domain/ids.ts"
import { Authentication } from "./Authentication.ts"

const Message = Schema.Struct({ message: Schema.String })

export class CategoriesApi extends HttpApiGroup.make("categories")
  .add(
    HttpApiEndpoint.get("list", "/", {
      query: CategoryListQuery,
      success: Schema.Union([Schema.Array(Category), Schema.Array(CategoryNode)])
    }).annotate(OpenApi.Description, "Active categories, flat; with `?tree=true` nested through `children`."),
    HttpApiEndpoint.get("get", "/:id", { params: IdParams, success: CategoryDetail, error: NotFound }),
    HttpApiEndpoint.post("create", "/", {
      payload: CreateCategory,
      success: CategoryMessage.pipe(HttpApiSchema.status(201)),
      error: [ValidationError, Conflict, Forbidden]
    }).middleware(Authentication),
    HttpApiEndpoint.put("update", "/:id", {
      params: IdParams,
      payload: UpdateCategory,
      success: CategoryMessage,
      error: [ValidationError, NotFound, Conflict, Forbidden]
    }).middleware(Authentication),
    HttpApiEndpoint.delete("deactivate", "/:id", {
      params: IdParams,
      success: Message,
      error: [NotFound, Conflict, Forbidden]
    }).middleware(Authentication)
  )
  .prefix("/api/categories")
  .annotateMerge(
    OpenApi.annotations({
      title: "Categories",
      description:
        "The category tree. Writes are for admins; deactivating refuses (409) while active products or subcategories remain."
    })
  ) {}

export class ProductsApi extends HttpApiGroup.make("products")
  .add(
    HttpApiEndpoint.get("list", "/", { query: ProductListQuery, success: ProductPage, error: ValidationError }),
    HttpApiEndpoint.get("suggest", "/suggest", { query: SuggestQuery, success: Suggestions }).annotate(
      OpenApi.Description,
      "Product names, brands and categories matching what the shopper typed (prefix or partial word), best first."
    ),
    HttpApiEndpoint.get("listAll", "/all", {
      query: AdminProductListQuery,
      success: ProductPage,
      error: [ValidationError, Forbidden]
    }).middleware(Authentication),
    HttpApiEndpoint.get("get", "/:id", { params: IdParams, success: Product, error: NotFound }),
    HttpApiEndpoint.post("create", "/", {
      payload: CreateProduct,
      success: ProductMessage.pipe(HttpApiSchema.status(201)),
      error: [NotFound, Conflict, Forbidden]
    }).middleware(Authentication),
    HttpApiEndpoint.put("update", "/:id", {
      params: IdParams,
      payload: UpdateProduct,
      success: ProductMessage,
      error: [NotFound, Conflict, Forbidden]
    }).middleware(Authentication),
    HttpApiEndpoint.delete("delete", "/:id", {
      params: IdParams,
      success: Message,
      error: [NotFound, Forbidden]
    }).middleware(Authentication)
  )
  .prefix("/api/products")
  .annotateMerge(
    OpenApi.annotations({
      title: "Products",
      description:
        "Listing with filters, full-text prefix search (accent- and case-insensitive) and stable sorts; `per_page` above 100 is capped at 100. Writes and `/all` (every product, deactivated ones too) are for admins; DELETE deactivates."
    })
  ) {}
