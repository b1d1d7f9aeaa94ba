#!/usr/bin/env bash
# Runs every benchmark and writes docs/BENCHMARKS.md with the machine, date
# and commit. Figures are printed as they come. No timing is ever asserted.
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh" > /dev/null
mkdir -p "$ROOT/.parit/bench"
say "WASM sizes"
"$ROOT/bench/sizes.sh" | tee "$ROOT/.parit/bench/sizes.json"
say "deploy: parallel against sequential (dry run)"
"$ROOT/bench/deploy.sh" | tee "$ROOT/.parit/bench/deploy.json"
say "pipeline wall time"
"$ROOT/bench/pipeline.sh" | tee "$ROOT/.parit/bench/pipeline.json"
python3 "$ROOT/bench/report.py" > "$ROOT/docs/BENCHMARKS.md"
ok "wrote docs/BENCHMARKS.md"
