#!/usr/bin/env bash
# The shop through PgBouncer in transaction pooling mode (Debian's pgbouncer):
#   bash .ci/pgbouncer.sh [TEST FILES...]     (default: the subset below)
# Starts pgbouncer on a free port in front of 127.0.0.1:5432 (every database, as
# the connecting user; few server connections), then runs the tests through it
# with DB_POOL_MODE=transaction. The default subset covers checkout, idempotent
# retries (a transaction-scoped advisory lock), row locking under contention,
# deadlock-free carts, and the migrations (each test file's database is created
# and migrated through pgbouncer). pgbouncer is stopped on every exit path.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

UPSTREAM_HOST=127.0.0.1
UPSTREAM_PORT=5432
tests=("$@")
((${#tests[@]} > 0)) || tests=(test/orders.test.ts test/connectionBudget.test.ts)

if ! command -v pgbouncer >/dev/null 2>&1 && [[ ! -x /usr/sbin/pgbouncer ]]; then
  echo "installing pgbouncer (Debian)"
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pgbouncer; } >/dev/null
fi
bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)

dir=$(mktemp -d /tmp/pgbouncer.XXXXXX)
pid=""
cleanup() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill -INT "$pid" 2>/dev/null || true # SIGINT: safe shutdown
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

port=$(node_modules/.bin/node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=$UPSTREAM_HOST port=$UPSTREAM_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
; Many clients, few server connections: that is the point of it.
max_client_conn = 500
default_pool_size = 8
max_db_connections = 8
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
echo '"postgres" ""' >"$dir/userlist.txt"
chmod 755 "$dir"
chmod 644 "$dir"/*
# pgbouncer refuses to run as root.
run_as=()
if [[ $(id -u) == 0 ]]; then
  chown postgres "$dir"
  run_as=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi
"${run_as[@]}" "$bin" -q "$dir/pgbouncer.ini" &
pid=$!
for _ in $(seq 50); do
  (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if ! (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  cat "$dir/pgbouncer.log" 2>/dev/null || true
  echo "pgbouncer did not start"
  exit 1
fi
echo "pgbouncer $("$bin" --version | head -n1 | awk '{print $2}') on 127.0.0.1:$port, transaction pooling, in front of $UPSTREAM_HOST:$UPSTREAM_PORT"

status=0
DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres" DB_POOL_MODE=transaction \
  npm test -- "${tests[@]}" || status=$?
echo "pgbouncer: tests done (exit $status)"
exit $status
