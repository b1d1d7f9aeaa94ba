#!/usr/bin/env bash
# Runs every benchmark and writes docs/BENCHMARKS.md with the machine, date
# and commit. Figures are printed as they come. No timing is ever asserted.
# (The security and reliability figures are bench/reliability.sh's.)
# About 10 minutes on this 2-core machine.
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh" > /dev/null
mkdir -p "$ROOT/.parit/bench"
# The commit measured, for the report (which may be rendered again later).
git -C "$ROOT" rev-parse --short HEAD > "$ROOT/.parit/bench/commit"
say "WASM sizes"
"$ROOT/bench/sizes.sh" | tee "$ROOT/.parit/bench/sizes.json"
say "deploy: parallel against sequential (dry run)"
"$ROOT/bench/deploy.sh" | tee "$ROOT/.parit/bench/deploy.json"
say "pipeline wall time"
"$ROOT/bench/pipeline.sh" | tee "$ROOT/.parit/bench/pipeline.json"
say "re-run cost"
"$ROOT/bench/rerun.sh" | tee "$ROOT/.parit/bench/rerun.json"
say "the run plan's estimates against actual"
"$ROOT/bench/estimates.sh" | tee "$ROOT/.parit/bench/estimates.json" | cut -c1-300
say "domain CPU per stage (criterion)"
"$ROOT/bench/cpu.sh" | tee "$ROOT/.parit/bench/cpu.json" | cut -c1-300
say "prompt economy"
cargo run --quiet --release -p parit-bench --bin prompt_economy | tee "$ROOT/.parit/bench/prompts.json" | cut -c1-300
say "a full run's cost on each model"
cargo run --quiet --release -p parit-bench --bin model_cost | tee "$ROOT/.parit/bench/models.json" | cut -c1-300
say "supervisor throughput against a Hono peer"
"$ROOT/bench/throughput.sh" | tee "$ROOT/.parit/bench/throughput.json"
say "dev.sh time to first response; a fresh clone's Worker build"
"$ROOT/bench/devtime.sh" | tee "$ROOT/.parit/bench/devtime.json"
say "the web app: build, bundle, screens in Chromium"
"$ROOT/bench/web.sh" | tee "$ROOT/.parit/bench/web.json"
say "the import: each parser's WASM cost, the import of real schemas"
"$ROOT/bench/import.sh" | tee "$ROOT/.parit/bench/import.json" | cut -c1-300
say "the artifact editor's located JSON parse"
"$ROOT/bench/jsonpos.sh" | tee "$ROOT/.parit/bench/jsonpos.json"
python3 "$ROOT/bench/report.py" > "$ROOT/docs/BENCHMARKS.md"
ok "wrote docs/BENCHMARKS.md"
