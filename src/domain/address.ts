import { Schema } from "effect"
import { isMaxChars } from "./text.ts"
import { EntityId, MessageText } from "./values.ts"

/**
 * Addresses as the API shows them and the bodies that create or change one.
 * Limits match the CHECKs of migrations/0001_identity.sql.
 */

const text = (field: string, max: number) =>
  Schema.String.check(
    Schema.isPattern(/\S/u, { message: `${field} must not be blank` }),
    isMaxChars(max, `${field} must be at most ${max} characters`)
  )

export const AddressType = text("address_type", 20)
export const Street = text("street", 255)
export const City = text("city", 100)
export const State = text("state", 100)
export const Country = text("country", 100)
export const Pincode = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$/u, {
    message: "pincode must be 2-10 letters, digits, spaces or '-'"
  })
)

export const DEFAULT_COUNTRY = "India"
export const DEFAULT_ADDRESS_TYPE = "home"

const INDIAN_PINCODE = /^[0-9]{6}$/
export const INDIAN_PINCODE_MESSAGE = "pincode must be 6 digits for India"

/** India's postal codes are 6 digits; other countries keep the general shape. */
export const pincodeFits = (country: string, pincode: string) =>
  country.trim().toLowerCase() !== "india" || INDIAN_PINCODE.test(pincode)

/** `address` of API.md. */
export const Address = Schema.Struct({
  id: EntityId,
  address_type: Schema.String,
  street: Schema.String,
  city: Schema.String,
  state: Schema.String,
  pincode: Schema.String,
  country: Schema.String,
  is_default: Schema.Boolean
}).annotate({ identifier: "Address" })
export type Address = typeof Address.Type

export const AddressCreatePayload = Schema.Struct({
  street: Street,
  city: City,
  state: State,
  pincode: Pincode,
  address_type: Schema.optionalKey(AddressType.annotate({ default: DEFAULT_ADDRESS_TYPE })),
  country: Schema.optionalKey(Country.annotate({ default: DEFAULT_COUNTRY })),
  is_default: Schema.optionalKey(
    Schema.Boolean.annotate({ description: "Make this the default address (the first address always is)." })
  )
})
  .annotate({
    examples: [
      { street: "123 Main Street, Apt 4B", city: "Mumbai", state: "Maharashtra", pincode: "400001", is_default: true }
    ]
  })
  .check(
    Schema.makeFilter((a) =>
      pincodeFits(a.country ?? DEFAULT_COUNTRY, a.pincode)
        ? undefined
        : { path: ["pincode"], issue: INDIAN_PINCODE_MESSAGE }
    )
  )
  .annotate({ identifier: "AddressCreate" })
export type AddressCreatePayload = typeof AddressCreatePayload.Type

/** Any address field; the India pincode rule is checked against the merged address by the service. */
export const AddressUpdatePayload = Schema.Struct({
  street: Schema.optionalKey(Street),
  city: Schema.optionalKey(City),
  state: Schema.optionalKey(State),
  pincode: Schema.optionalKey(Pincode),
  address_type: Schema.optionalKey(AddressType),
  country: Schema.optionalKey(Country),
  is_default: Schema.optionalKey(Schema.Boolean)
}).annotate({ identifier: "AddressUpdate", examples: [{ street: "456 Business Park", is_default: true }] })
export type AddressUpdatePayload = typeof AddressUpdatePayload.Type

export const AddressResponse = Schema.Struct({ message: MessageText, address: Address }).annotate({
  identifier: "AddressResponse"
})
