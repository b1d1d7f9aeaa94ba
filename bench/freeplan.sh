#!/usr/bin/env bash
# What each invocation spends against Cloudflare's Workers Free plan, and what
# a free account holds a day: starts the test command's fleets (the main one
# runs the instrumented supervisor, scripts/build-workers.sh --meter), runs
# the fleet suite `free_plan` (a full run of each example and of a 100-entity
# data model, each followed by a session of browsing; anonymous /health), and
# splices its figures into docs/BENCHMARKS.md ("Free plan"). Counts, not
# timings: the suite asserts them too. About 5 minutes here, builds aside.
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source=../scripts/test-fleets.sh
source "$ROOT/scripts/test-fleets.sh"
cd "$ROOT"
"$ROOT/scripts/build-workers.sh" > /dev/null
"$ROOT/scripts/build-workers.sh" --meter supervisor > /dev/null
run="$ROOT/.parit/bench/freeplan-fleets"
trap 'stop_test_fleets "$run"' EXIT
start_test_fleets "$run"
export PARIT_FIGURES_DIR="$ROOT/.parit/bench/freeplan"
rm -rf "$PARIT_FIGURES_DIR"
cargo test --quiet -p parit-fleet-tests --test free_plan -- --test-threads 2
python3 "$ROOT/bench/report.py" --freeplan-only
ok "docs/BENCHMARKS.md: the Free plan section"
