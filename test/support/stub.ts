import { type Context, Effect, Layer } from "effect"

/**
 * A service whose methods the test gives; any other method dies, so a handler
 * calling something the test did not expect fails loudly.
 */
export const stub = <I, S extends object>(tag: Context.Service<I, S>, methods: Partial<S>) =>
  Layer.succeed(
    tag,
    new Proxy(methods as S, {
      get: (target, key) =>
        key in target
          ? target[key as keyof S]
          : () => Effect.die(new Error(`${tag.key}.${String(key)} was not expected in this test`))
    })
  )
