#!/usr/bin/env bash
# The fault tests (test/redisFreeze.test.ts) freeze a redis-server of their own with SIGSTOP: make sure the binary
# is there. The PostgreSQL fault tests use Debian's PostgreSQL 15 binaries, or embedded-postgres's when absent.
set -euo pipefail
if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing redis-server for the fault tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server) >/dev/null
fi
redis-server --version
