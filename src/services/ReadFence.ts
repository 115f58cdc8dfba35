import { Duration, Effect, Option } from "effect"
import { ReadFloor, ReadReplica } from "../infra/ReadReplica.ts"
import { SharedStore } from "../infra/SharedStore.ts"

/** Where the primary's WAL position after the last write under a version key is kept (outside `cache:`). */
export const fenceKey = (version: string) => `${version}:written`

/** Longer than any lag a replica may have and still serve: by then every fenced write has been replayed. */
const FENCE_TTL = Duration.days(1)

/** A position no replica reaches: reads that must see a write whose position is unknown go to the primary. */
const PRIMARY_ONLY = Number.MAX_SAFE_INTEGER
/** How long PRIMARY_ONLY holds (it cannot be lowered before it expires). */
const PRIMARY_ONLY_TTL = Duration.minutes(1)

/**
 * Read-your-writes with a replica. After a write commits, `mark` records the primary's WAL position under the
 * keys the write invalidates (the catalog's versions, a product's reviews), in the shared store so every
 * instance sees it; `after` runs reads that depend on keys with ReadFloor set to the largest position recorded,
 * so the read client goes to the replica only if it has replayed that far. A write's response leaves after its
 * mark, so whoever reads after it (the writer or anyone else) reads at least that write. With the shared store
 * degraded (Redis away) marks cannot be seen elsewhere, so reads go to the primary. Without a replica both are
 * free: no position is asked for, nothing is stored.
 */
export const makeReadFence = Effect.gen(function* () {
  const store = yield* SharedStore
  const replica = yield* ReadReplica

  const mark = (keys: ReadonlyArray<string>): Effect.Effect<void> =>
    !replica.configured || keys.length === 0
      ? Effect.void
      : replica.writePosition.pipe(
          Effect.retry({ times: 2 }),
          Effect.flatMap((position) =>
            Effect.all(
              keys.map((key) => store.raise(fenceKey(key), position, FENCE_TTL)),
              { concurrency: "unbounded", discard: true }
            )
          ),
          Effect.catchCause(() =>
            Effect.andThen(
              Effect.logWarning("the primary's WAL position is unknown after a write: its reads go to the primary"),
              Effect.all(
                keys.map((key) => store.raise(fenceKey(key), PRIMARY_ONLY, PRIMARY_ONLY_TTL)),
                { concurrency: "unbounded", discard: true }
              )
            )
          )
        )

  /** The floor from fence values read (as `getMany` returns them), PRIMARY_ONLY while the store is degraded. */
  const floorOf = (values: ReadonlyArray<Option.Option<string>>) =>
    Effect.map(store.shared, (shared) =>
      shared
        ? values.reduce((floor, value) => Math.max(floor, Number(Option.getOrElse(value, () => "0"))), 0)
        : PRIMARY_ONLY
    )

  const withFloor =
    (floor: number) =>
    <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.provideService(effect, ReadFloor, floor)

  /** Runs reads that must see every write marked under `keys`. */
  const after = <A, E, R>(keys: ReadonlyArray<string>, effect: Effect.Effect<A, E, R>) =>
    replica.configured
      ? Effect.flatMap(Effect.flatMap(store.getMany(keys.map(fenceKey)), floorOf), (floor) => withFloor(floor)(effect))
      : effect

  return { configured: replica.configured, mark, after, floorOf, withFloor }
})

export type ReadFence = Effect.Success<typeof makeReadFence>
