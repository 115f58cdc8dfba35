import argon2 from "argon2"
import { Context, Effect, Layer } from "effect"
import { AppConfig } from "./AppConfig.ts"

export interface Argon2Params {
  readonly memoryCost: number
  readonly timeCost: number
  readonly parallelism: number
}

/**
 * argon2id password hashing. Hashes are self-describing (`$argon2id$v=19$m=...`),
 * so raising the cost later still verifies the old ones.
 */
export class PasswordHasher extends Context.Service<
  PasswordHasher,
  {
    readonly hash: (password: string) => Effect.Effect<string>
    readonly verify: (hash: string, password: string) => Effect.Effect<boolean>
  }
>()("shop/infra/PasswordHasher") {
  static readonly make = (params: Argon2Params) =>
    PasswordHasher.of({
      hash: Effect.fn("PasswordHasher.hash")((password: string) =>
        Effect.promise(() => argon2.hash(password, { type: argon2.argon2id, ...params }))
      ),
      // A hash argon2 cannot parse is a corrupt row, not a wrong password: let it be a defect.
      verify: Effect.fn("PasswordHasher.verify")((hash: string, password: string) =>
        Effect.promise(() => argon2.verify(hash, password))
      )
    })

  /** The cost from AppConfig (OWASP's minimum by default). */
  static readonly layer = Layer.effect(
    PasswordHasher,
    Effect.gen(function* () {
      const config = yield* AppConfig
      return PasswordHasher.make({
        memoryCost: config.argon2MemoryKib,
        timeCost: config.argon2TimeCost,
        parallelism: config.argon2Parallelism
      })
    })
  )

  /** Real argon2id at the lowest cost: for unit tests only, never for a server. */
  static readonly layerTest = Layer.succeed(
    PasswordHasher,
    PasswordHasher.make({ memoryCost: 64, timeCost: 1, parallelism: 1 })
  )
}
