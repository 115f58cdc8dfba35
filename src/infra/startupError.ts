import { Cause } from "effect"

/**
 * One line that names what to fix, for the start-up failures an operator can
 * cause: a bad setting, an unreachable database, a failed migration, a taken port.
 */
export const describeStartupError = (cause: Cause.Cause<unknown>): string => {
  const error: any = Cause.squash(cause)
  const tag: string | undefined = error?._tag
  const message = String(error?.message ?? error).split("\n")[0]
  switch (tag) {
    case "ConfigError":
      return `invalid configuration: ${String(error.cause?.message ?? error.message).replace(/\s*\n\s*/g, " ")}`
    case "SqlError":
      return `cannot use the database (check DATABASE_URL): ${String(error.cause?.message ?? message).split("\n")[0]}`
    case "MigrationError":
      return `database migration failed: ${message}${error.cause ? ` (${String(error.cause?.cause?.message ?? error.cause?.message ?? error.cause).split("\n")[0]})` : ""}`
    case "EmbeddedPostgresError":
      return `${message} (set DATABASE_URL to use your own PostgreSQL, or DATA_DIR)`
    case "ServeError":
      return `cannot listen (check HOST and PORT): ${String(error.cause?.message ?? message)}`
    default:
      return message
  }
}
