import { Context, Effect, Layer, type Option } from "effect"
import type {
  AdminProductListQuery,
  Category,
  CreateCategory,
  CreateProduct,
  Product,
  ProductListQuery,
  ProductPage,
  SuggestQuery,
  UpdateCategory,
  UpdateProduct
} from "../domain/catalog.ts"
import type { Conflict, NotFound, ValidationError } from "../domain/errors.ts"
import { AppConfig } from "../infra/AppConfig.ts"
import { catalogInvalidation } from "./catalog/CatalogCache.ts"
import { makeAdminListing } from "./catalog/AdminListing.ts"
import { makeCategories } from "./catalog/Categories.ts"
import { makeListing } from "./catalog/Listing.ts"
import { makeProducts } from "./catalog/Products.ts"
import { makeSuggestions } from "./catalog/Suggestions.ts"
import { type JsonBody, makeReadCache } from "./ReadCache.ts"

export type { JsonBody } from "./ReadCache.ts"
export { CATALOG_VERSION_KEYS, LISTING_MAX_AGE } from "./catalog/CatalogCache.ts"
export { PRODUCT_COLUMNS } from "./catalog/Products.ts"

/**
 * Categories and products. Reads answer with the response's encoded JSON, served
 * from a versioned cache (Redis, or memory) that every write invalidates before
 * it returns. Each concern lives in its own file under ./catalog/: the cache's
 * keys and versions (CatalogCache), the tree (Categories), single products and
 * writes (Products), listing pages with facets (Listing), search matching
 * (Search) and suggestions as one types (Suggestions).
 */
export class Catalog extends Context.Service<
  Catalog,
  {
    readonly listCategories: (tree: boolean) => Effect.Effect<JsonBody>
    readonly getCategory: (id: number) => Effect.Effect<JsonBody, NotFound>
    readonly createCategory: (input: CreateCategory) => Effect.Effect<Category, ValidationError | Conflict>
    readonly updateCategory: (
      id: number,
      input: UpdateCategory
    ) => Effect.Effect<Category, ValidationError | NotFound | Conflict>
    readonly deactivateCategory: (id: number) => Effect.Effect<void, NotFound | Conflict>
    readonly listProducts: (query: ProductListQuery) => Effect.Effect<JsonBody, ValidationError>
    readonly getProduct: (id: number) => Effect.Effect<JsonBody, NotFound>
    /** Every product, deactivated ones too, uncached (the admins' list). */
    readonly listAllProducts: (query: AdminProductListQuery) => Effect.Effect<ProductPage>
    /** `{suggestions}` for what a shopper typed so far. */
    readonly suggest: (query: SuggestQuery) => Effect.Effect<JsonBody>
    /** A listing page's JSON if this instance holds it current; None sends the caller to listProducts. */
    readonly cachedListing: (query: ProductListQuery) => Effect.Effect<Option.Option<JsonBody>>
    /** The product's JSON if this instance holds it current; None sends the caller to getProduct. */
    readonly cachedProduct: (id: number) => Effect.Effect<Option.Option<JsonBody>>
    readonly createProduct: (input: CreateProduct) => Effect.Effect<Product, NotFound | Conflict>
    readonly updateProduct: (id: number, input: UpdateProduct) => Effect.Effect<Product, NotFound | Conflict>
    readonly deleteProduct: (id: number) => Effect.Effect<void, NotFound>
    /** For other areas that change what listings sort or filter on (ratings): drops their detail and every listing page. */
    readonly invalidateProducts: (ids: ReadonlyArray<number>) => Effect.Effect<void>
    /**
     * For checkouts and cancellations: drops the products' cached detail only. Listing pages show stock
     * at most LISTING_MAX_AGE old, so a shop taking orders every second still serves its listings from cache.
     */
    readonly stockChanged: (ids: ReadonlyArray<number>) => Effect.Effect<void>
  }
>()("shop/services/Catalog") {
  static readonly layerNoDeps = Layer.effect(
    Catalog,
    Effect.gen(function* () {
      const config = yield* AppConfig
      const cache = yield* makeReadCache(config.catalogCacheTtl)
      const categories = yield* makeCategories(cache)
      const products = yield* makeProducts(cache)
      const listing = yield* makeListing(cache, categories.withDescendants)
      const suggestions = yield* makeSuggestions(cache)
      const listAllProducts = yield* makeAdminListing
      const { productsChanged, stockChanged } = catalogInvalidation(cache)
      return Catalog.of({
        listCategories: categories.listCategories,
        getCategory: categories.getCategory,
        createCategory: categories.createCategory,
        updateCategory: categories.updateCategory,
        deactivateCategory: categories.deactivateCategory,
        listProducts: listing.listProducts,
        cachedListing: listing.cachedListing,
        listAllProducts,
        suggest: suggestions.suggest,
        getProduct: products.getProduct,
        cachedProduct: products.cachedProduct,
        createProduct: products.createProduct,
        updateProduct: products.updateProduct,
        deleteProduct: products.deleteProduct,
        invalidateProducts: productsChanged,
        stockChanged
      })
    })
  )
  /** The catalog needs no other service: the same layer (SqlClient, AppConfig and SharedStore come from the infrastructure). */
  static readonly layer = Catalog.layerNoDeps
}
