/**
 * The prose of the API document, per operation (`operationId` = `group.endpoint`,
 * stable: generated clients name their methods after it). Kept beside the Api
 * rather than in each group so the wording reads as one reference;
 * test/contract.test.ts fails when an operation has no entry here.
 */
export interface OperationDoc {
  readonly summary: string
  readonly description: string
}

const ADMIN = "Admins only (403 `FORBIDDEN` for other users)."

export const OPERATION_DOCS: Readonly<Record<string, OperationDoc>> = {
  health: {
    summary: "Liveness",
    description: "Answers while the process runs; checks no dependency. Never rate limited."
  },
  ready: {
    summary: "Readiness",
    description:
      "200 when PostgreSQL (and Redis, where configured) answer; 503 naming the one that does not. Never rate limited."
  },
  metrics: {
    summary: "Prometheus metrics",
    description: "The Prometheus text exposition of every worker's metrics. Never rate limited."
  },
  info: {
    summary: "API information",
    description: "The service's name and version and links to the docs, this document, health and metrics."
  },

  "categories.list": {
    summary: "List categories",
    description:
      "Active categories as a flat array; with `tree=true`, the roots with their active descendants nested in `children`."
  },
  "categories.get": {
    summary: "Get a category",
    description: "An active category with its active `children` and the `path` of its ancestors from the root."
  },
  "categories.create": {
    summary: "Create a category",
    description: `${ADMIN} 400 for an unknown or inactive \`parent_id\`, 409 when the name is taken.`
  },
  "categories.update": {
    summary: "Update a category",
    description: `${ADMIN} Any of the fields; a parent that would make a cycle is a 400, a taken name a 409.`
  },
  "categories.deactivate": {
    summary: "Deactivate a category",
    description: `${ADMIN} Sets \`is_active\` to false; 409 while active products or subcategories remain.`
  },

  "products.list": {
    summary: "List and search products",
    description:
      "Active products, filtered, searched and sorted; ties are broken by `id` so paging is stable. `per_page` above 100 is capped at 100 and the pagination object says so. Any other bad value is a 400 naming the parameter."
  },
  "products.listAll": {
    summary: "List every product (admin)",
    description: `${ADMIN} An extension for the admin console: active and deactivated products (\`is_active\` filters), \`max_stock\` for those with at most that many units (low stock), \`search\` for part of the name, SKU or brand; sorted by \`sort_by\` (\`stock_quantity\` among others), ties by \`id\`. Never cached: stock is current.`
  },
  "products.suggest": {
    summary: "Suggest search completions",
    description: "Products, brands and categories matching a prefix, ranked; an empty `q` gives an empty list."
  },
  "products.get": {
    summary: "Get a product",
    description: "An active product; an inactive or unknown id is a 404."
  },
  "products.create": {
    summary: "Create a product",
    description: `${ADMIN} 404 for an unknown category, 409 when the SKU is taken.`
  },
  "products.update": {
    summary: "Update a product",
    description: `${ADMIN} Any of the fields; 404 for an unknown product or category, 409 when the SKU is taken.`
  },
  "products.delete": {
    summary: "Deactivate a product",
    description: `${ADMIN} A soft delete: the product gets \`is_active: false\` and leaves listings; orders keep it.`
  },

  "reviews.list": {
    summary: "List a product's reviews",
    description: "Newest first by default; `verified=true` keeps verified purchases only."
  },
  "reviews.create": {
    summary: "Review a product",
    description:
      "One review per user and product (409 on a second). `verified_purchase` is true when the author has a delivered order containing the product."
  },
  "reviews.update": {
    summary: "Edit your review",
    description:
      "The author only: anyone else's review, or one of another product, is a 404. `null` clears a title or comment."
  },
  "reviews.delete": {
    summary: "Delete a review",
    description: "The author or an admin; anyone else gets a 404. The product's rating and review_count are recomputed."
  },

  "auth.register": {
    summary: "Register",
    description:
      "Creates a user and signs it in. 409 when the email (case-insensitive) or username is taken. `is_admin` or `is_active` in the body are ignored, as is any other unknown field."
  },
  "auth.login": {
    summary: "Log in",
    description:
      "A wrong email and a wrong password get the same 401; a deactivated account gets 403 `ACCOUNT_DISABLED` after the right password."
  },
  "auth.refresh": {
    summary: "Refresh the tokens",
    description:
      'Takes the refresh token as `Authorization: Bearer <refresh_token>` or as `{"refresh_token"}`; returns a new pair and retires the old refresh token. Presenting a retired one again revokes its whole session.'
  },
  "auth.logout": {
    summary: "Log out",
    description: "Revokes the session of the refresh token (given as in refresh)."
  },

  "users.getProfile": { summary: "Get your profile", description: "The signed-in user." },
  "users.updateProfile": {
    summary: "Update your profile",
    description: "Any of `first_name`, `last_name`, `phone`; `null` clears one. Other fields are ignored."
  },
  "users.listAddresses": {
    summary: "List your addresses",
    description: "The default address first, then the newest."
  },
  "users.createAddress": {
    summary: "Add an address",
    description:
      "The first address becomes the default; `is_default: true` moves the default here. Indian pincodes are 6 digits."
  },
  "users.updateAddress": {
    summary: "Update an address",
    description: "Any address field; another user's address is a 404."
  },
  "users.deleteAddress": {
    summary: "Delete an address",
    description: "Deleting the default promotes the newest remaining address; another user's address is a 404."
  },

  "cart.getCart": {
    summary: "Get your cart",
    description:
      "The cart's lines with their products; a line whose product was deactivated shows `available: false` and counts in no total."
  },
  "cart.addToCart": {
    summary: "Add to cart",
    description:
      "Adds to the product's line (one line per product). 400 `INSUFFICIENT_STOCK` when the line would exceed the stock, 404 for an unknown or inactive product."
  },
  "cart.updateCartItem": {
    summary: "Change a cart line's quantity",
    description: "400 `INSUFFICIENT_STOCK` above the stock; another user's line is a 404."
  },
  "cart.removeCartItem": { summary: "Remove a cart line", description: "Another user's line is a 404." },
  "cart.clearCart": { summary: "Empty your cart", description: "Removes every line." },

  "orders.placeOrder": {
    summary: "Check out",
    description:
      "Turns the cart into an order in one transaction: no oversell, prices snapshotted, cart emptied. With an `Idempotency-Key`, a retry returns the first response with `Idempotent-Replayed: true`; the same key with another body is 422, and while the first is still running 409."
  },
  "orders.listOrders": { summary: "List your orders", description: "Newest first." },
  "orders.listAllOrders": {
    summary: "List every order",
    description: `${ADMIN} Newest first; \`status\` filters.`
  },
  "orders.getAnyOrder": {
    summary: "Get any order",
    description: `${ADMIN} Any customer's order, as \`GET /api/orders/{id}\` gives its owner (an extension: that route stays the owner's only, another user's order a 404 there).`
  },
  "orders.trackAnyOrder": {
    summary: "Track any order",
    description: `${ADMIN} Any customer's order's status and every change so far, oldest first, as \`GET /api/orders/{id}/tracking\` gives its owner.`
  },
  "orders.getOrder": { summary: "Get an order", description: "Another user's order is a 404." },
  "orders.cancelOrder": {
    summary: "Cancel an order",
    description:
      "Only while `pending` or `confirmed` (else 400 `ORDER_NOT_CANCELLABLE`); stock is restored once and a paid order becomes `refunded`."
  },
  "orders.trackOrder": {
    summary: "Track an order",
    description: "The status and every change so far, oldest first."
  },
  "orders.updateOrderStatus": {
    summary: "Change an order's status",
    description: `${ADMIN} Follows the state machine: pending → confirmed → shipped → delivered, pending|confirmed → cancelled; payments pending → completed|failed, completed → refunded. Any other change, including one to the current status, is 400 \`INVALID_TRANSITION\`.`
  }
}
