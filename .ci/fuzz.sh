#!/usr/bin/env bash
# The OpenAPI-driven fuzz run: 10,000 requests generated from /openapi.json (seed FUZZ_SEED), no 5xx allowed.
set -euo pipefail
npm run -s test:fuzz
