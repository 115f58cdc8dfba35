import { Cause } from "effect"
import { isSqlError, type SqlError } from "effect/sql/SqlError"

/**
 * SQLSTATEs that say PostgreSQL cannot serve right now, not that the statement
 * is wrong: class 53 (insufficient resources, e.g. 53300 too many connections)
 * and the shutdown family (57P01 admin shutdown, 57P02 crash shutdown, 57P03
 * cannot connect now, 57P05 idle session timeout).
 */
const UNAVAILABLE_STATE = /^(53|57P0[1235])/

/** A SqlError that says the database is away (unreachable, restarting, out of connections), not that we erred. */
export const isUnavailableSqlError = (u: unknown): u is SqlError => {
  if (!isSqlError(u)) return false
  const reason = u.reason
  if (reason._tag === "ConnectionError") return true
  const code = (reason.cause as { code?: unknown } | undefined)?.code
  return typeof code === "string" && UNAVAILABLE_STATE.test(code)
}

/**
 * Whether a request failed because the database is unavailable, whichever way
 * the SqlError travelled (as a failure, or as a defect after `orDie`): such a
 * request is answered 503 with Retry-After, and logged once per outage by the
 * pool (PgPoolClient.ts), not per request.
 */
export const isDatabaseUnavailable = (cause: Cause.Cause<unknown>): boolean =>
  cause.reasons.some(
    (reason) =>
      (Cause.isFailReason(reason) && isUnavailableSqlError(reason.error)) ||
      (Cause.isDieReason(reason) && isUnavailableSqlError(reason.defect))
  )
