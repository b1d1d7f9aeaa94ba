#!/usr/bin/env bash
# The web app: its build time, what a first visit downloads (gzip) against
# what loads only with a diagram, and how long Chromium takes to show the
# main screens against a local fleet (median of RUNS). Prints one JSON object.
#   RUNS=5 bench/web.sh
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
cd "$ROOT"
runs="${RUNS:-5}"
dir="$ROOT/.parit/bench/web"

builds=()
for _ in 1 2 3; do
  t0=$(date +%s%N)
  (cd frontend && npm run --silent build > /dev/null 2>&1) || die "the web app did not build"
  builds+=($(( ($(date +%s%N) - t0) / 1000000 )))
done

web_port="$(free_port)"; site="http://127.0.0.1:$web_port"
bench_fleet "$dir" 0 --var "ALLOWED_ORIGINS=$site"
id="$(new_project "Plan a week of meals from the pantry, web timing")"
read -r status _ _ <<< "$(run_project "$id")"
[[ "$status" == completed ]] || die "the run ended $status"
serve_site "$dir" "$web_port"

BUILD_MS="${builds[*]}" BENCH_OUT="$dir" node "$ROOT/bench/web-timing.mjs" "$ROOT/frontend/dist" "$site" "$BENCH_TOKEN" "$id" "$runs"
