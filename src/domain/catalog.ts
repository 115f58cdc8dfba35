import { Schema } from "effect"
import { Id, MAX_INT4 } from "./ids.ts"
import { PageQuery, Pagination } from "./pagination.ts"
import { isMaxChars, isMinChars } from "./text.ts"
import { Amount, AverageRating, Count, EntityId, MessageText, Percent, Timestamp } from "./values.ts"

/** The largest amount numeric(12,2) holds. */
const MAX_MONEY = 9_999_999_999.99

/** PostgreSQL text cannot hold NUL, and a lone surrogate is no character: both are a 400 naming the field. */
const storable = Schema.makeFilter<string>((s) =>
  s.includes("\u0000")
    ? "must not contain NUL characters"
    : s.isWellFormed()
      ? undefined
      : "must not contain unpaired surrogates"
)
const tooLong = (max: number) => `must be at most ${max} characters`
const text = (max: number) => Schema.String.check(isMaxChars(max, tooLong(max)), storable)
const requiredText = (max: number) =>
  Schema.Trim.check(isMinChars(1, "must not be empty"), isMaxChars(max, tooLong(max)), storable)

/** A float that is a whole number of paise, so `toFixed(2)` hands PostgreSQL the exact amount. */
const twoDecimals = Schema.makeFilter<number>((n) =>
  Math.abs(n * 100 - Math.round(n * 100)) < 1e-6 ? undefined : "Expected at most 2 decimal places"
)
const Money = Schema.Finite.annotate({
  description: "Rupees (INR), more than 0, with at most 2 decimal places."
}).check(Schema.isGreaterThan(0), Schema.isLessThanOrEqualTo(MAX_MONEY), twoDecimals)
const Percentage = Schema.Finite.annotate({ description: "A percentage with at most 2 decimal places." }).check(
  Schema.isGreaterThanOrEqualTo(0),
  Schema.isLessThanOrEqualTo(100),
  twoDecimals
)
const Stock = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThanOrEqualTo(MAX_INT4))

// ---------------------------------------------------------------- categories

export const Category = Schema.Struct({
  id: EntityId,
  name: Schema.String,
  description: Schema.NullOr(Schema.String),
  parent_id: Schema.NullOr(EntityId),
  is_active: Schema.Boolean
}).annotate({ identifier: "Category" })
export type Category = typeof Category.Type

export interface CategoryNode extends Category {
  readonly children: ReadonlyArray<CategoryNode>
}
export const CategoryNode = Schema.Struct({
  ...Category.fields,
  children: Schema.Array(Schema.suspend((): Schema.Codec<CategoryNode> => CategoryNode))
}).annotate({ identifier: "CategoryNode" })

export const CategoryDetail = Schema.Struct({
  ...Category.fields,
  children: Schema.Array(Category),
  /** Ancestors from the root down to the parent. */
  path: Schema.Array(Schema.Struct({ id: EntityId, name: Schema.String }))
}).annotate({ identifier: "CategoryDetail" })
export type CategoryDetail = typeof CategoryDetail.Type

export const CategoryListQuery = Schema.Struct({
  tree: Schema.optionalKey(Schema.Literals(["true", "false"]).annotate({ default: "false" }))
})

export const CreateCategory = Schema.Struct({
  name: requiredText(100),
  description: Schema.optionalKey(Schema.NullOr(text(2000))),
  parent_id: Schema.optionalKey(Schema.NullOr(Id))
}).annotate({ identifier: "CreateCategory", examples: [{ name: "Laptops", description: "Notebooks", parent_id: 1 }] })
export type CreateCategory = typeof CreateCategory.Type

export const UpdateCategory = Schema.Struct({
  name: Schema.optionalKey(requiredText(100)),
  description: Schema.optionalKey(Schema.NullOr(text(2000))),
  parent_id: Schema.optionalKey(Schema.NullOr(Id)),
  is_active: Schema.optionalKey(Schema.Boolean)
}).annotate({ identifier: "UpdateCategory", examples: [{ description: "Notebooks and ultrabooks" }] })
export type UpdateCategory = typeof UpdateCategory.Type

export const CategoryMessage = Schema.Struct({ message: MessageText, category: Category }).annotate({
  identifier: "CategoryResponse"
})

// ---------------------------------------------------------------- products

export const Product = Schema.Struct({
  id: EntityId,
  name: Schema.String,
  description: Schema.NullOr(Schema.String),
  price: Amount,
  discount_percentage: Percent,
  final_price: Amount.annotate({
    description: "What the buyer pays, in rupees: price less the discount, rounded half up to 2 decimal places."
  }),
  category_id: EntityId,
  brand: Schema.NullOr(Schema.String),
  stock_quantity: Count,
  sku: Schema.String,
  image_url: Schema.NullOr(Schema.String),
  is_active: Schema.Boolean,
  rating: AverageRating,
  review_count: Count,
  created_at: Timestamp
}).annotate({ identifier: "Product" })
export type Product = typeof Product.Type

export const CreateProduct = Schema.Struct({
  name: requiredText(200),
  description: Schema.optionalKey(Schema.NullOr(text(5000))),
  price: Money,
  discount_percentage: Schema.optionalKey(Percentage),
  category_id: Id,
  brand: Schema.optionalKey(Schema.NullOr(text(100))),
  stock_quantity: Schema.optionalKey(Stock),
  sku: requiredText(64),
  image_url: Schema.optionalKey(Schema.NullOr(text(2048)))
}).annotate({
  identifier: "CreateProduct",
  examples: [
    {
      name: "Pixel 9",
      price: 79999,
      discount_percentage: 5,
      category_id: 1,
      brand: "Google",
      stock_quantity: 25,
      sku: "PIXEL9"
    }
  ]
})
export type CreateProduct = typeof CreateProduct.Type

export const UpdateProduct = Schema.Struct({
  name: Schema.optionalKey(requiredText(200)),
  description: Schema.optionalKey(Schema.NullOr(text(5000))),
  price: Schema.optionalKey(Money),
  discount_percentage: Schema.optionalKey(Percentage),
  category_id: Schema.optionalKey(Id),
  brand: Schema.optionalKey(Schema.NullOr(text(100))),
  stock_quantity: Schema.optionalKey(Stock),
  sku: Schema.optionalKey(requiredText(64)),
  image_url: Schema.optionalKey(Schema.NullOr(text(2048))),
  is_active: Schema.optionalKey(Schema.Boolean)
}).annotate({ identifier: "UpdateProduct", examples: [{ price: 74999, stock_quantity: 40 }] })
export type UpdateProduct = typeof UpdateProduct.Type

export const ProductMessage = Schema.Struct({ message: MessageText, product: Product }).annotate({
  identifier: "ProductResponse"
})

export const FACET_NAMES = ["brand", "category", "price", "rating", "in_stock"] as const
export type FacetName = (typeof FACET_NAMES)[number]

/** Counts over the current search and filters, each facet with its own filter left out (multi-select). */
export const Facets = Schema.Struct({
  brand: Schema.optionalKey(Schema.Array(Schema.Struct({ value: Schema.String, count: Count }))),
  /** Children of the current category (roots without one), each counting its whole subtree. */
  category: Schema.optionalKey(Schema.Array(Schema.Struct({ id: EntityId, name: Schema.String, count: Count }))),
  /** Adjacent final_price ranges, `min` inclusive and `max` exclusive, that cover the result. */
  price: Schema.optionalKey(Schema.Array(Schema.Struct({ min: Amount, max: Amount, count: Count }))),
  /** Products rated at least `min` (4+, 3+, 2+, 1+): cumulative, as min_rating filters. */
  rating: Schema.optionalKey(Schema.Array(Schema.Struct({ min: AverageRating, count: Count }))),
  in_stock: Schema.optionalKey(Schema.Struct({ count: Count }))
}).annotate({ identifier: "Facets" })
export type Facets = typeof Facets.Type

export const ProductPage = Schema.Struct({
  products: Schema.Array(Product),
  pagination: Pagination,
  /** Only when a search found nothing: a corrected search, from the catalog's words, that finds something. */
  suggestion: Schema.optionalKey(Schema.String),
  facets: Schema.optionalKey(Facets)
}).annotate({ identifier: "ProductPage" })
export type ProductPage = typeof ProductPage.Type

export const SORT_FIELDS = [
  "created_at",
  "price",
  "final_price",
  "name",
  "rating",
  "review_count",
  "relevance"
] as const
export type SortField = (typeof SORT_FIELDS)[number]

export const MAX_SEARCH_LENGTH = 200
export const MAX_BRANDS = 20

/** The non-empty, trimmed items of a comma-separated parameter. */
export const listParam = (value: string | undefined): Array<string> =>
  value === undefined
    ? []
    : value
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item.length > 0)

/**
 * GET /api/products parameters as they arrive. `per_page` above 100 is not an
 * error: it is capped at 100 and the pagination object says so.
 */
export const ProductListQuery = Schema.Struct({
  ...PageQuery,
  category_id: Schema.optionalKey(Id),
  search: Schema.optionalKey(text(MAX_SEARCH_LENGTH)),
  min_price: Schema.optionalKey(Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))),
  max_price: Schema.optionalKey(Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))),
  /** One brand or several, comma-separated (`Apple,Samsung`); case-insensitive. */
  brand: Schema.optionalKey(text(MAX_BRANDS * 101)),
  min_rating: Schema.optionalKey(Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 5 }))),
  in_stock: Schema.optionalKey(Schema.Literals(["true", "false"])),
  sort_by: Schema.optionalKey(Schema.Literals(SORT_FIELDS)),
  sort_order: Schema.optionalKey(Schema.Literals(["asc", "desc"]).annotate({ default: "desc" })),
  /** Comma-separated subset of FACET_NAMES. */
  facets: Schema.optionalKey(text(100))
}).check(
  Schema.makeFilter((q) => {
    const issues: Array<Schema.FilterIssue> = []
    const brands = listParam(q.brand)
    if (brands.length > MAX_BRANDS) issues.push({ path: ["brand"], issue: `at most ${MAX_BRANDS} brands` })
    if (brands.some((b) => b.length > 100))
      issues.push({ path: ["brand"], issue: "a brand has at most 100 characters" })
    const unknown = listParam(q.facets).filter((f) => !(FACET_NAMES as ReadonlyArray<string>).includes(f))
    if (unknown.length > 0)
      issues.push({
        path: ["facets"],
        issue: `unknown facet ${unknown.map((f) => JSON.stringify(f)).join(", ")}; expected any of ${FACET_NAMES.join(", ")}`
      })
    if (q.min_price !== undefined && q.max_price !== undefined && q.min_price > q.max_price)
      issues.push({ path: ["min_price"], issue: "min_price must not be greater than max_price" })
    if (q.sort_by === "relevance" && (q.search ?? "").trim() === "")
      issues.push({ path: ["sort_by"], issue: "sort_by=relevance needs a search" })
    return issues
  })
)
export type ProductListQuery = typeof ProductListQuery.Type

export const SuggestQuery = Schema.Struct({
  /** What the shopper typed so far; empty gives no suggestions. */
  q: Schema.optionalKey(text(MAX_SEARCH_LENGTH)),
  limit: Schema.optionalKey(
    Schema.Int.check(
      Schema.isBetween({ minimum: 1, maximum: 20 }, { message: "limit must be an integer from 1 to 20" })
    )
  )
})
export type SuggestQuery = typeof SuggestQuery.Type

export const Suggestion = Schema.Struct({
  type: Schema.Literals(["product", "brand", "category"]),
  text: Schema.String,
  /** The product's or category's id; brands have none. */
  id: Schema.optionalKey(Schema.Int)
})
export const Suggestions = Schema.Struct({ suggestions: Schema.Array(Suggestion) })
export type Suggestions = typeof Suggestions.Type

export const ADMIN_SORT_FIELDS = ["created_at", "name", "price", "final_price", "stock_quantity"] as const
export type AdminSortField = (typeof ADMIN_SORT_FIELDS)[number]

/**
 * GET /api/products/all (admins only, an extension): every product, deactivated
 * ones too, for the admin console's list, its reactivation and its low-stock list.
 */
export const AdminProductListQuery = Schema.Struct({
  ...PageQuery,
  /** Case-insensitive part of the name, SKU or brand (plain text: `%` and `_` match themselves). */
  search: Schema.optionalKey(text(MAX_SEARCH_LENGTH)),
  /** The category and every descendant, deactivated ones included. */
  category_id: Schema.optionalKey(Id),
  /** One brand, case-insensitive. */
  brand: Schema.optionalKey(text(100)),
  is_active: Schema.optionalKey(
    Schema.Literals(["true", "false"]).annotate({ description: "Only active (true) or deactivated (false) products." })
  ),
  max_stock: Schema.optionalKey(
    Schema.Int.check(
      Schema.isBetween({ minimum: 0, maximum: MAX_INT4 }, { message: "max_stock must be a whole number of at least 0" })
    ).annotate({ description: "Only products with at most this many units in stock." })
  ),
  sort_by: Schema.optionalKey(Schema.Literals(ADMIN_SORT_FIELDS).annotate({ default: "created_at" })),
  sort_order: Schema.optionalKey(Schema.Literals(["asc", "desc"]).annotate({ default: "desc" }))
})
export type AdminProductListQuery = typeof AdminProductListQuery.Type
