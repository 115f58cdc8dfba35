/** The catalog reads the benchmarks measure: a product page, a listing, a filtered and sorted listing, a search. */
export const TARGETS: ReadonlyArray<readonly [name: string, path: string]> = [
  ["product detail", "/api/products/1"],
  ["product list, page 1", "/api/products"],
  ["filtered + sorted list", "/api/products?category_id=1&min_price=1000&max_price=50000&sort_by=price&sort_order=asc"],
  ["search", "/api/products?search=phone"]
]
