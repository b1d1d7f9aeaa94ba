#!/usr/bin/env bash
# From a stage's first model byte to the first progress drawn in the
# browser (issue 31's goal: 500 ms): a fleet, the web app under `wrangler
# pages dev`, Chromium, RUNS runs (bench/first-byte.mjs says how). Prints one
# JSON object; docs/BENCHMARKS.md ("Live progress") records it.
#   RUNS=10 bench/first-byte.sh
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
cd "$ROOT"
dir="$ROOT/.parit/bench/first-byte"
(cd frontend && npm run --silent build > /dev/null 2>&1) || die "the web app did not build"
web_port="$(free_port)"; site="http://127.0.0.1:$web_port"
bench_fleet "$dir" 0 --var "ALLOWED_ORIGINS=$site"
serve_site "$dir" "$web_port"
node "$ROOT/bench/first-byte.mjs" "$site" "$base" "$gemini" "$BENCH_TOKEN" "${RUNS:-10}"
