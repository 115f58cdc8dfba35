#!/usr/bin/env bash
# Operational checks of the deployment files, against an app that is already running.
#   bash .ci/ops-check.sh APP_PORT     (the app listens on 127.0.0.1:APP_PORT)
# 1. docker-compose.yml is valid (Debian's docker-compose; no Docker engine needed).
# 2. The Dockerfile passes dockerfile-utils' linter (from the npm registry, via npx).
# 3. nginx.conf, rendered for 127.0.0.1 and run by Debian's nginx in front of the
#    app: health, JSON 404, X-Request-Id echo, gzip and a JSON access log.
# Prints one PASS/FAIL line per check; exits non-zero if any failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

DOCKERFILE_LINTER=dockerfile-utils@0.16.3

passed=0
failed=0
pass() { passed=$((passed + 1)); printf 'PASS %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }
# Indented output of a log, for the lines after a FAIL.
show() { awk '{ print "    | " $0 }' "$@" | tail -n 40; }

NGINX_PID=""
WORK_DIR=""

stop_nginx() {
  [[ -n $NGINX_PID ]] || return 0
  if kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -QUIT "$NGINX_PID" 2>/dev/null || true # graceful: finish requests, then exit
    for _ in $(seq 50); do
      kill -0 "$NGINX_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$NGINX_PID" 2>/dev/null || true
  fi
  wait "$NGINX_PID" 2>/dev/null || true
  NGINX_PID=""
}

cleanup() {
  stop_nginx
  if [[ -n $WORK_DIR ]]; then rm -rf "$WORK_DIR"; fi
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
  local log="$WORK_DIR/compose.log"
  if JWT_SECRET=ops-check-dummy-secret docker-compose -f docker-compose.yml config -q >"$log" 2>&1; then
    pass "docker-compose.yml is valid (docker-compose config -q)"
  else
    fail "docker-compose.yml is invalid (docker-compose config -q)"
    show "$log"
  fi
  if env -u JWT_SECRET docker-compose -f docker-compose.yml config -q >"$log" 2>&1; then
    fail "docker-compose.yml accepted a missing JWT_SECRET"
  else
    pass "docker-compose.yml refuses to run without JWT_SECRET"
  fi
}

lint_dockerfile() {
  local out="$WORK_DIR/lint.json" err="$WORK_DIR/lint.err"
  # --json: a list of diagnostics; warnings count as failures too.
  npx --yes "$DOCKERFILE_LINTER" lint --json Dockerfile >"$out" 2>"$err" || true
  if node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.exit(Array.isArray(d) && d.length === 0 ? 0 : 1)' "$out" 2>/dev/null; then
    pass "Dockerfile lint ($DOCKERFILE_LINTER)"
  else
    fail "Dockerfile lint ($DOCKERFILE_LINTER)"
    show "$out" "$err"
  fi
}

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'
}

# nginx.conf with its "# @ci:<name>" lines rewritten for a run on this machine.
render_nginx_conf() {
  local app_port=$1 port=$2 dir=$3 marker
  for marker in listen upstream temp-paths; do
    if ! grep -q "# @ci:$marker\$" nginx.conf; then
      echo "nginx.conf has lost its '# @ci:$marker' line" >&2
      return 1
    fi
  done
  sed -E \
    -e "s|^([[:space:]]*)listen[[:space:]].*# @ci:listen\$|\1listen 127.0.0.1:$port default_server;|" \
    -e "s|^([[:space:]]*)server[[:space:]].*# @ci:upstream\$|\1server 127.0.0.1:$app_port;|" \
    -e "s|^([[:space:]]*)# @ci:temp-paths\$|\1client_body_temp_path $dir/client_body;\n\1proxy_temp_path $dir/proxy;\n\1fastcgi_temp_path $dir/fastcgi;\n\1uwsgi_temp_path $dir/uwsgi;\n\1scgi_temp_path $dir/scgi;|" \
    nginx.conf
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

is_json() { node -e 'JSON.parse(require("fs").readFileSync(0, "utf8"))' 2>/dev/null; }

nginx_check() {
  local app_port=$1 nginx_bin port dir="$WORK_DIR/nginx" base code
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

  code=$(get direct "http://127.0.0.1:$app_port/health")
  if [[ $code != 200 ]]; then
    fail "the app answers GET /health on 127.0.0.1:$app_port directly (got $code)"
    return
  fi

  mkdir -p "$dir"
  chmod 755 "$WORK_DIR" "$dir" # nginx's workers run as nobody and use the temp paths
  port=${NGINX_PORT:-$(free_port)}
  base="http://127.0.0.1:$port"
  if ! render_nginx_conf "$app_port" "$port" "$dir" >"$dir/nginx.conf" 2>"$dir/render.err"; then
    fail "render nginx.conf for 127.0.0.1"
    show "$dir/render.err"
    return
  fi
  local nginx_cmd=("$nginx_bin" -p "$dir/" -c "$dir/nginx.conf" -e stderr -g "daemon off; pid $dir/nginx.pid;")

  if "${nginx_cmd[@]}" -t >"$dir/test.log" 2>&1; then
    pass "nginx -t accepts the rendered nginx.conf"
  else
    fail "nginx -t rejects the rendered nginx.conf"
    show "$dir/test.log"
    return
  fi

  "${nginx_cmd[@]}" >"$dir/access.log" 2>"$dir/error.log" &
  NGINX_PID=$!
  # nginx writes its pid file only once it has bound its port; a live process with
  # that file is listening (a bare connect could reach whoever else holds the port).
  local up=""
  for _ in $(seq 100); do
    kill -0 "$NGINX_PID" 2>/dev/null || break
    if [[ $(cat "$dir/nginx.pid" 2>/dev/null) == "$NGINX_PID" ]]; then
      up=1
      break
    fi
    sleep 0.1
  done
  if [[ -z $up ]]; then
    fail "nginx starts and listens on 127.0.0.1:$port"
    show "$dir/error.log"
    stop_nginx
    return
  fi
  pass "nginx starts and listens on 127.0.0.1:$port (upstream 127.0.0.1:$app_port)"

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
  get rl1 "$base/api" -H "X-Forwarded-For: 203.0.113.7" >/dev/null
  get rl2 "$base/api" -H "X-Forwarded-For: 198.51.100.9" >/dev/null
  first=$(header rl1 ratelimit-remaining)
  second=$(header rl2 ratelimit-remaining)
  get rl3 "http://127.0.0.1:$app_port/api" -H "X-Forwarded-For: 192.0.2.44" >/dev/null
  direct=$(header rl3 ratelimit-remaining)
  limit=$(header rl3 ratelimit-limit)
  # A fresh client starts at limit-1: the forged addresses must not look fresh (they share the budget of
  # the address nginx saw, already spent by earlier requests), while a client forwarded by a trusted proxy does.
  if [[ -n $first && -n $second && -n $limit && $first -lt $((limit - 1)) && $second -lt $((limit - 1)) &&
    $direct == $((limit - 1)) ]]; then
    pass "rate limits count the address nginx forwards, not a forged X-Forwarded-For ($first, $second; fresh $direct)"
  else
    fail "rate limit by forwarded client IP: remaining '$first' then '$second' through nginx, '$direct' of '$limit' for a fresh proxied client"
  fi

  # Several requests later, the line of the X-Request-Id request is surely written.
  if node -e '
      const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean)
      const entries = lines.map((l) => JSON.parse(l))
      process.exit(entries.some((e) => e.request_id === process.argv[2] && e.status === 200) ? 0 : 1)
    ' "$dir/access.log" "$rid" 2>/dev/null; then
    pass "the access log is JSON lines and carries the request id"
  else
    fail "the access log is JSON lines and carries the request id"
    show "$dir/access.log"
  fi

  stop_nginx
  if [[ -s $dir/error.log ]] && grep -qE '\[(emerg|alert|crit|error)\]' "$dir/error.log"; then
    fail "nginx error log is free of errors"
    show "$dir/error.log"
  fi
}

main() {
  if [[ $# -ne 1 || ! $1 =~ ^[0-9]+$ ]]; then
    echo "usage: bash .ci/ops-check.sh APP_PORT" >&2
    exit 2
  fi
  WORK_DIR=$(mktemp -d /tmp/ops-check.XXXXXX)

  install_tools
  compose_check
  lint_dockerfile
  nginx_check "$1"

  if ((failed > 0)); then
    echo "ops-check: $failed of $((passed + failed)) checks FAILED"
    exit 1
  fi
  echo "ops-check: all $passed checks passed"
}

main "$@"
