import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { postgresDirs, postgresUser, servePostgres, startPostgres, type ThrowawayPostgres } from "./Throwaway.ts"

/**
 * A throwaway PostgreSQL 15 primary and a streaming replica of it (`pg_basebackup -R`), each on a free port in
 * a temp dir of its own, for tests and scripts that need a real replica to stop, pause or compare against.
 * Needs Debian's binaries (PG_BIN, default /usr/lib/postgresql/15/bin: pg_basebackup and psql); as root the
 * servers and tools run as the `postgres` user.
 *
 *   const { primary, replica, remove } = await startStreamingReplica()
 *   // primary.url, replica.url: postgres://postgres@127.0.0.1:<port>/postgres
 *   await query(primary.url, "CREATE TABLE t ()")   // psql -Atc, rows as text lines
 *   await replica.caughtUp()                       // waits until the replica replayed the primary's WAL
 *   await replica.pauseReplay() / resumeReplay()   // pg_wal_replay_pause() / pg_wal_replay_resume()
 *   await replica.stop() / start()                 // fast shutdown / start again on the same port
 *   await remove()                                 // both servers stopped, their dirs deleted
 */
export interface ThrowawayReplica extends ThrowawayPostgres {
  readonly pauseReplay: () => Promise<void>
  readonly resumeReplay: () => Promise<void>
  /** Resolves once the replica has replayed everything the primary had written when it was called. */
  readonly caughtUp: (ms?: number) => Promise<void>
}

export interface StreamingReplica {
  readonly primary: ThrowawayPostgres
  readonly replica: ThrowawayReplica
  readonly remove: () => Promise<void>
}

const bin = (name: string) => path.join(process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin", name)

/** Runs one SQL text with psql; the rows as lines of `|`-separated text. */
export const query = (url: string, sql: string): Array<string> =>
  execFileSync(bin("psql"), ["-X", "-v", "ON_ERROR_STOP=1", "-Atc", sql, url], {
    encoding: "utf8",
    env: { ...process.env, PGCONNECT_TIMEOUT: "5" }
  })
    .split("\n")
    .filter((line) => line !== "")

export const hasReplicaTools = () => fs.existsSync(bin("pg_basebackup")) && fs.existsSync(bin("psql"))

export const startStreamingReplica = async (): Promise<StreamingReplica> => {
  // wal_level=replica and max_wal_senders are PostgreSQL 15's defaults, and initdb's pg_hba.conf trusts
  // replication connections from 127.0.0.1: said here so that the test does not depend on them.
  const primary = await startPostgres({ settings: { wal_level: "replica", max_wal_senders: "5" } })
  const user = postgresUser()
  const { root, dir } = postgresDirs(user)
  try {
    // pg_basebackup fills the empty data dir (it could not create one in `root`, which is not the user's).
    execFileSync(
      bin("pg_basebackup"),
      ["-d", primary.url, "-D", dir, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"],
      { ...user, stdio: ["ignore", "ignore", "pipe"] }
    )
  } catch (error) {
    await primary.remove()
    fs.rmSync(root, { recursive: true, force: true })
    throw error
  }
  const server = await servePostgres(root, dir, { settings: { hot_standby: "on" } })
  const replica: ThrowawayReplica = {
    ...server,
    pauseReplay: async () => {
      // A pause is only requested at first: it takes hold at the next WAL record the replica reads, so
      // nudge the primary (a WAL record that changes no data) until the replica says it holds.
      query(server.url, "SELECT pg_wal_replay_pause()")
      const deadline = Date.now() + 30_000
      while (query(server.url, "SELECT pg_get_wal_replay_pause_state()")[0] !== "paused") {
        if (Date.now() > deadline) throw new Error("the replica did not pause its replay within 30 s")
        query(primary.url, "SELECT pg_logical_emit_message(false, 'shop-test', 'pause')")
        await new Promise((r) => setTimeout(r, 50))
      }
    },
    resumeReplay: async () => void query(server.url, "SELECT pg_wal_replay_resume()"),
    caughtUp: async (ms = 30_000) => {
      const [target] = query(primary.url, "SELECT pg_current_wal_lsn()")
      const deadline = Date.now() + ms
      while (Date.now() < deadline) {
        const [done] = query(server.url, `SELECT pg_last_wal_replay_lsn() >= '${target}'::pg_lsn`)
        if (done === "t") return
        await new Promise((r) => setTimeout(r, 50))
      }
      throw new Error(`the replica did not replay up to ${target} within ${ms} ms`)
    }
  }
  return {
    primary,
    replica,
    remove: async () => {
      await replica.remove()
      await primary.remove()
    }
  }
}
