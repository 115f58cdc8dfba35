import type { SqlClient } from "effect/sql"

/** A timestamptz column as the API writes timestamps: ISO 8601 in UTC with milliseconds and a `Z`. */
export const isoTimestamp = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/** The fields of a partial update the client sent: `undefined` was not sent, `null` clears the column. */
export const sentFields = <T extends object, K extends keyof T & string>(
  input: T,
  keys: ReadonlyArray<K>
): Record<string, unknown> => Object.fromEntries(keys.filter((k) => input[k] !== undefined).map((k) => [k, input[k]]))

/** The SET list of a partial update: the sent columns, and updated_at in every case. */
export const updateSet = (sql: SqlClient.SqlClient, changes: Record<string, unknown>) =>
  Object.keys(changes).length > 0 ? sql`${sql.update(changes)}, updated_at = now()` : sql`updated_at = now()`
