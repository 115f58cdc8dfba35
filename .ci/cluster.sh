#!/usr/bin/env bash
# A short bench:cluster (README: "A small cluster on one machine"): two instances behind the shipped nginx.conf on
# Debian's nginx, a throwaway Redis and PostgreSQL, 100 bench:mix users for 40 s and one rolling deploy. Fails on any
# failed request, lost order or books that do not match.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
[[ -x /usr/sbin/nginx ]] || missing+=(nginx)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if ((${#missing[@]} > 0)); then
  echo "installing ${missing[*]} from Debian's packages"
  # policy-rc.d on CI machines keeps the packages from starting services.
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}") >/dev/null
fi

BENCH_USERS=${BENCH_USERS:-100} BENCH_SECONDS=${BENCH_SECONDS:-40} BENCH_RAMP=${BENCH_RAMP:-5} \
  CLUSTER_PRODUCTS=${CLUSTER_PRODUCTS:-2000} CLUSTER_ROUNDS=${CLUSTER_ROUNDS:-1} \
  npm run -s bench:cluster
