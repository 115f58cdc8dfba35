import { Schema } from "effect"
import { Message } from "../domain/values.ts"
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { Address, AddressCreatePayload, AddressResponse, AddressUpdatePayload } from "../domain/address.ts"
import { NotFound, ValidationError } from "../domain/errors.ts"
import { IdParams } from "../domain/ids.ts"
import { ProfileResponse, ProfileUpdatePayload, User } from "../domain/user.ts"
import { Authentication } from "./Authentication.ts"

export class UsersApi extends HttpApiGroup.make("users")
  .add(
    HttpApiEndpoint.get("getProfile", "/profile", { success: User }),
    HttpApiEndpoint.put("updateProfile", "/profile", { payload: ProfileUpdatePayload, success: ProfileResponse }),
    HttpApiEndpoint.get("listAddresses", "/addresses", { success: Schema.Array(Address) }),
    HttpApiEndpoint.post("createAddress", "/addresses", {
      payload: AddressCreatePayload,
      success: AddressResponse.pipe(HttpApiSchema.status(201))
    }),
    HttpApiEndpoint.put("updateAddress", "/addresses/:id", {
      params: IdParams,
      payload: AddressUpdatePayload,
      success: AddressResponse,
      error: [NotFound, ValidationError]
    }),
    HttpApiEndpoint.delete("deleteAddress", "/addresses/:id", {
      params: IdParams,
      success: Message,
      error: NotFound
    })
  )
  .middleware(Authentication)
  .prefix("/api/users")
  // Report every bad field at once, not just the first.
  .annotate(HttpApi.PayloadParseOptions, { errors: "all" })
  .annotateMerge(
    OpenApi.annotations({
      title: "Users",
      description: "The caller's profile and addresses. Another user's address id is a 404."
    })
  ) {}
