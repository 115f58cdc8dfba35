import { Effect } from "effect"
import { isSqlError, type SqlError } from "effect/sql/SqlError"

/**
 * The one way a SqlError leaves a service: as a defect. A database that is away becomes a 503 at the edge
 * (DatabaseUnavailable), anything else a 500; the service's own refusals stay in the error channel.
 */
export const dieOnSqlError = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, Exclude<E, SqlError>, R> =>
  Effect.catch(self, (error) => (isSqlError(error) ? Effect.die(error) : Effect.fail(error as Exclude<E, SqlError>)))

/**
 * A write whose unique violation the client can act on: `refusal` gives the error for the violated
 * constraint (undefined: not one the client caused); any other SqlError is a defect as in `dieOnSqlError`.
 */
export const refuseUniqueViolation =
  <F>(refusal: (constraint: string) => F | undefined) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, Exclude<E, SqlError> | F, R> =>
    Effect.catch(self, (error): Effect.Effect<never, Exclude<E, SqlError> | F> => {
      if (!isSqlError(error)) return Effect.fail(error as Exclude<E, SqlError>)
      const refused = error.reason._tag === "UniqueViolation" ? refusal(error.reason.constraint) : undefined
      return refused === undefined ? Effect.die(error) : Effect.fail(refused)
    })
