import { Layer } from "effect"
import { PasswordHasher } from "../infra/PasswordHasher.ts"
import { Tokens } from "../infra/Tokens.ts"
import { Addresses } from "./Addresses.ts"
import { Auth } from "./Auth.ts"
import { Cart } from "./Cart.ts"
import { Catalog } from "./Catalog.ts"
import { Orders } from "./Orders.ts"
import { Reviews } from "./Reviews.ts"
import { Users } from "./Users.ts"

/**
 * Every service of the shop, each built once from its `layerNoDeps`: one
 * Catalog (and so one catalog cache) serves the catalog handlers, orders,
 * reviews and the catalog fast path alike. Needs the infrastructure:
 * SqlClient, AppConfig and SharedStore.
 */
export const ServicesLive = Layer.mergeAll(
  Cart.layerNoDeps,
  Orders.layerNoDeps,
  Reviews.layerNoDeps,
  Auth.layerNoDeps,
  Addresses.layerNoDeps
).pipe(
  Layer.provideMerge(Layer.mergeAll(Catalog.layerNoDeps, Users.layerNoDeps)),
  Layer.provideMerge(Layer.mergeAll(PasswordHasher.layer, Tokens.layer))
)
