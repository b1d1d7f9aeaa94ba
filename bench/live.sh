#!/usr/bin/env bash
# Live progress, measured on a fleet of its own (the agents' timeouts as
# deployed, not the test fleets' 4 s): idea → complete blueprint, wall time,
# for each example with the default model and with the slowest current model
# whose speed is published, the local Gemini server writing at each model's
# documented speed, against the critical-path bound; then VIEWERS viewers
# (default 100) of one run, each holding the project's event stream
# (tests/fleet/src/bin/live-bench.rs). Prints the tables; docs/BENCHMARKS.md
# ("Live progress") records them. The runs wait on the model's pace, not on
# this machine: about as long as the slowest run.
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"
# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
bench_fleet "$ROOT/.parit/bench/live" 0
# The fleet suites' helpers name four fleets; this bench has one, which
# stands for each (the bench calls only the supervisor and the Gemini server).
export PARIT_SUPERVISOR_URL="$base" PARIT_DEGRADED_URL="$base" PARIT_AGENT_URL="$base" \
  PARIT_GEMINI_URL="$gemini" PARIT_TEST_KEY=unused PARIT_FLEET_DIR="$BENCH_DIR" PARIT_WRANGLER="$WRANGLER" \
  PARIT_TOKEN="$BENCH_TOKEN" PARIT_TOKEN_B="$BENCH_TOKEN" PARIT_DEGRADED_TOKEN="$BENCH_TOKEN" \
  PARIT_FIGURES_DIR="$ROOT/.parit/bench/live/figures"
cargo build --quiet --release -p parit-fleet-tests --bin live-bench
"$ROOT/target/release/live-bench"
"$ROOT/target/release/live-bench" viewers "${VIEWERS:-100}"
