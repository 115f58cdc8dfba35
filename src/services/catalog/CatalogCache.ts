import { createHash } from "node:crypto"
import { Duration, Effect } from "effect"
import type { ReadCache } from "../ReadCache.ts"

/** Store keys of the versions that entries are stamped with. Outside `cache:` so a flush never resets them. */
export const CATALOG_VERSION_KEYS = {
  categories: "catalog:version:categories",
  listing: "catalog:version:listing",
  product: (id: number) => `catalog:version:product:${id}`
}

/** How stale the stock shown in a listing page may be (detail pages are always current). */
export const LISTING_MAX_AGE = Duration.seconds(15)

const digest = (value: unknown) => createHash("sha1").update(JSON.stringify(value)).digest("base64url")

/** The cache entries of the catalog and the versions that invalidate them. */
export const catalogKeys = {
  categoryTree: "cache:categories:tree",
  categoryList: "cache:categories:flat",
  category: (id: number) => `cache:category:${id}`,
  product: (id: number) => `cache:product:${id}`,
  /** A listing page under its normalised parameters (sha1: the parameters can be long). */
  listing: (params: unknown) => `cache:products:${digest(params)}`,
  suggest: (q: string, limit: number) => `cache:suggest:${digest([q, limit])}`
}

/** What the catalog's writes invalidate, in one place so no write forgets a version. */
export const catalogInvalidation = (cache: ReadCache) => ({
  /** A category changed: every category entry and every listing page (they filter by subtree). */
  categoriesChanged: cache.bump([CATALOG_VERSION_KEYS.categories, CATALOG_VERSION_KEYS.listing]),
  /** Products changed in what listings sort or filter on: their detail and every listing page. */
  productsChanged: (ids: ReadonlyArray<number>) =>
    cache.bump([CATALOG_VERSION_KEYS.listing, ...ids.map(CATALOG_VERSION_KEYS.product)]),
  /** Stock moved: the detail only; listings show stock at most LISTING_MAX_AGE old. */
  stockChanged: (ids: ReadonlyArray<number>): Effect.Effect<void> => cache.bump(ids.map(CATALOG_VERSION_KEYS.product))
})
