#!/usr/bin/env bash
# Live progress, measured on the test fleets: idea → complete blueprint, wall
# time, for each example with the default model and the slowest current
# model, the local Gemini server writing at each model's documented speed,
# against the critical-path bound (tests/fleet/src/bin/live-bench.rs). Prints
# the table; docs/BENCHMARKS.md ("Live progress") records it. The runs wait
# on the model's pace, not on this machine: about as long as the slowest run.
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source=../scripts/test-fleets.sh
source "$ROOT/scripts/test-fleets.sh"
cd "$ROOT"
"$ROOT/scripts/build-workers.sh" > /dev/null
"$ROOT/scripts/build-workers.sh" --meter supervisor > /dev/null
run="$ROOT/.parit/bench/live-fleets"
trap 'stop_test_fleets "$run"' EXIT
start_test_fleets "$run"
export PARIT_FIGURES_DIR="$ROOT/.parit/bench/live"
rm -rf "$PARIT_FIGURES_DIR"
cargo run --quiet --release -p parit-fleet-tests --bin live-bench
ok "figures in $PARIT_FIGURES_DIR"
