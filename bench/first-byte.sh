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
cp -r frontend/dist "$dir/site"
printf '{"supervisorUrl": "%s"}\n' "$base" > "$dir/site/config.json"
setsid "$WRANGLER" pages dev "$dir/site" --port "$web_port" --ip 127.0.0.1 --inspector-port "$(free_port)" --compatibility-date 2026-04-01 \
  --persist-to "$dir/pages-state" > "$dir/pages.log" 2>&1 &
pages_pid=$!
trap '"$ROOT/scripts/fleet.sh" down --dir "$BENCH_DIR" >/dev/null 2>&1 || true; kill "$BENCH_GEMINI_PID" 2>/dev/null || true; kill -- "-$pages_pid" 2>/dev/null || true' EXIT
wait_for "$site/config.json" 60 || die "the site did not start"
node "$ROOT/bench/first-byte.mjs" "$site" "$base" "$gemini" "$BENCH_TOKEN" "${RUNS:-10}"
