import { Clock, Context, Duration, Effect, Layer, Option, Redacted, Schema, SchemaTransformation } from "effect"
import { jwtVerify, SignJWT } from "jose"
import { Unauthorized } from "../domain/errors.ts"
import { AppConfig } from "./AppConfig.ts"

export type TokenType = "access" | "refresh"

export interface IssuedToken {
  readonly token: string
  readonly jti: string
  readonly expiresAt: Date
}

export interface VerifiedToken {
  readonly userId: number
  readonly jti: string
  readonly expiresAt: Date
}

const ALGORITHM = "HS256"

/** The claims this service signs, as a verified token must carry them; `sub` is the user id in digits. */
const Claims = Schema.Struct({
  sub: Schema.String.check(Schema.isPattern(/^[1-9][0-9]{0,15}$/)).pipe(
    Schema.decodeTo(Schema.Int, SchemaTransformation.numberFromString)
  ),
  type: Schema.Literals(["access", "refresh"]),
  jti: Schema.NonEmptyString,
  iat: Schema.Int,
  exp: Schema.Int
})
const decodeClaims = Schema.decodeUnknownOption(Claims)

/**
 * Signed JWTs (HS256 via jose): `sub` is the user id as a string, `type` tells
 * access from refresh tokens, `jti` makes every token unique. Verification
 * accepts HS256 only, so `alg: none` and algorithm swaps fail like a bad signature.
 */
export class Tokens extends Context.Service<
  Tokens,
  {
    readonly issue: (userId: number, type: TokenType) => Effect.Effect<IssuedToken>
    readonly verify: (token: string, type: TokenType) => Effect.Effect<VerifiedToken, Unauthorized>
  }
>()("shop/infra/Tokens") {
  static readonly make = (options: {
    readonly secret: Redacted.Redacted<string>
    readonly accessTokenTtl: Duration.Duration
    readonly refreshTokenTtl: Duration.Duration
  }) => {
    // Imported once: handing jose the raw bytes makes it import a CryptoKey on every sign and verify.
    let imported: Promise<CryptoKey> | undefined
    const cryptoKey = () =>
      (imported ??= crypto.subtle.importKey(
        "raw",
        new TextEncoder().encode(Redacted.value(options.secret)),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign", "verify"]
      ))
    const ttl = { access: options.accessTokenTtl, refresh: options.refreshTokenTtl }
    const invalid = (type: TokenType) => new Unauthorized({ error: `Invalid or expired ${type} token` })

    const issue = Effect.fn("Tokens.issue")(function* (userId: number, type: TokenType) {
      const now = yield* Clock.currentTimeMillis
      const iat = Math.floor(now / 1000)
      const exp = iat + Math.max(1, Math.floor(Duration.toSeconds(ttl[type])))
      const jti = crypto.randomUUID()
      const token = yield* Effect.promise(async () =>
        new SignJWT({ type })
          .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
          .setSubject(String(userId))
          .setJti(jti)
          .setIssuedAt(iat)
          .setExpirationTime(exp)
          .sign(await cryptoKey())
      )
      return { token, jti, expiresAt: new Date(exp * 1000) }
    })

    const verify = Effect.fn("Tokens.verify")(function* (token: string, type: TokenType) {
      const now = yield* Clock.currentTimeMillis
      const { payload } = yield* Effect.tryPromise({
        try: async () =>
          jwtVerify(token, await cryptoKey(), {
            algorithms: [ALGORITHM],
            currentDate: new Date(now),
            requiredClaims: ["sub", "jti", "iat", "exp"]
          }),
        catch: () => invalid(type)
      })
      const claims = decodeClaims(payload)
      if (Option.isNone(claims) || claims.value.type !== type) return yield* invalid(type)
      return { userId: claims.value.sub, jti: claims.value.jti, expiresAt: new Date(claims.value.exp * 1000) }
    })

    return Tokens.of({ issue, verify })
  }

  /** Secret and lifetimes from AppConfig (JWT_SECRET, ACCESS_TOKEN_TTL, REFRESH_TOKEN_TTL). */
  static readonly layer = Layer.effect(
    Tokens,
    Effect.gen(function* () {
      const config = yield* AppConfig
      return Tokens.make({
        secret: config.jwtSecret,
        accessTokenTtl: config.accessTokenTtl,
        refreshTokenTtl: config.refreshTokenTtl
      })
    })
  )
}
