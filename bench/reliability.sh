#!/usr/bin/env bash
# The security and reliability figures, at bench size: runs the fleet suites
# (scripts/test.sh --fleet-only: fault injection, isolation, limits, secrets)
# with a larger schemathesis pass and a longer wrk load, then writes
# docs/RELIABILITY.md from the figures they record.
#   FUZZ_EXAMPLES=60 LOAD_SECONDS=15 LOAD_CONNECTIONS=16 bench/reliability.sh
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"
PARIT_FUZZ_EXAMPLES="${FUZZ_EXAMPLES:-60}" PARIT_LOAD_SECONDS="${LOAD_SECONDS:-15}" \
PARIT_LOAD_CONNECTIONS="${LOAD_CONNECTIONS:-16}" PARIT_LOAD_RUNS="${LOAD_RUNS:-48}" \
  "$ROOT/scripts/test.sh" --fleet-only
python3 "$ROOT/bench/reliability_report.py" "$ROOT/.parit/test/figures" > "$ROOT/docs/RELIABILITY.md"
ok "wrote docs/RELIABILITY.md"
