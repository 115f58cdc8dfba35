let counter = 0

/**
 * A name no other test uses, here or in a parallel worker or an earlier run on the same database: the time,
 * this process's counter and a few random characters, after `prefix`. Lower-case letters and digits only,
 * so it fits emails, usernames, SKUs, database names and Redis keys.
 */
export const unique = (prefix = "") =>
  `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`
