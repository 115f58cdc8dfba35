import { HttpApi, OpenApi } from "effect/http-api"
import { SERVICE_VERSION } from "../infra/version.ts"
import { CategoriesApi, ProductsApi } from "./CatalogApi.ts"
import { AuthApi } from "./AuthApi.ts"
import { CartApi, OrdersApi } from "./OrdersApi.ts"
import { ReviewsApi } from "./ReviewsApi.ts"
import { RouteTemplate } from "./RouteTemplate.ts"
import { SystemApi } from "./SystemApi.ts"
import { UsersApi } from "./UsersApi.ts"

/** The whole HTTP contract of API.md: one group per area. */
export class Api extends HttpApi.make("shop")
  .add(SystemApi)
  .add(CategoriesApi)
  .add(ProductsApi)
  .add(ReviewsApi)
  .add(AuthApi)
  .add(UsersApi)
  .add(CartApi)
  .add(OrdersApi)
  .middleware(RouteTemplate)
  .annotateMerge(
    OpenApi.annotations({
      title: "Flipkart-like shop API",
      version: SERVICE_VERSION,
      description:
        "Errors always have the body `{error, code, details?}`; `code` is one of the stable UPPER_SNAKE codes listed in the error schemas."
    })
  ) {}
