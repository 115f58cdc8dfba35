import { closeSync, openSync, readSync, statSync } from "node:fs"

/** The cluster log of the PostgreSQL the tests use (Debian's default location unless POSTGRES_LOG says otherwise). */
const LOG = process.env.POSTGRES_LOG ?? "/var/log/postgresql/postgresql-15-main.log"

const sizeOf = (path: string) => {
  try {
    return statSync(path).size
  } catch {
    return undefined
  }
}

/** Constraint violations are how the database refuses a duplicate SKU, email or review: the API answers them 409/400. */
const CONSTRAINT_VIOLATION = /violates (unique|foreign key|check) constraint/

/**
 * Watches PostgreSQL's own log from now on: `errors()` gives the ERROR lines
 * logged since for `database` (Debian's log_line_prefix names user@database),
 * other than constraint violations. `readable` is false when this process
 * cannot read the log (an embedded server, another machine).
 */
export const watchPostgresLog = (database: string) => {
  const start = sizeOf(LOG)
  return {
    readable: start !== undefined,
    errors: (): ReadonlyArray<string> => {
      const end = sizeOf(LOG)
      if (start === undefined || end === undefined || end <= start) return []
      const buffer = Buffer.alloc(end - start)
      const fd = openSync(LOG, "r")
      try {
        readSync(fd, buffer, 0, buffer.length, start)
      } finally {
        closeSync(fd)
      }
      return buffer
        .toString("utf8")
        .split("\n")
        .filter((line) => line.includes(`@${database} `) && line.includes(" ERROR: "))
        .filter((line) => !CONSTRAINT_VIOLATION.test(line))
    }
  }
}
