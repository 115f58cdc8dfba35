#!/usr/bin/env bash
# CI for the web UI: Debian's Chromium (installed if missing), a fresh build,
# then the browser tests and Lighthouse against a real shop (npm run test:e2e).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "installing Debian's chromium"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium) >/dev/null
fi
"${CHROMIUM_PATH:-/usr/bin/chromium}" --version

npm run -s build:web
npm run -s test:e2e -- --reporter=default
