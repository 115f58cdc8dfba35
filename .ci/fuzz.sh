#!/usr/bin/env bash
# The OpenAPI-driven fuzz run: 10,000 requests generated from /openapi.json (seed FUZZ_SEED), no 5xx allowed,
# on the machine's PostgreSQL so that its log can be read for ERROR lines the requests caused.
set -euo pipefail
DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} npm run -s test:fuzz
