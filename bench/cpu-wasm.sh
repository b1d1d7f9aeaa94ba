#!/usr/bin/env bash
# CPU per request in WASM: the heaviest requests (consistency, export,
# hand-off, views, plan, import, the object's stores, each agent's
# /generate) as the Workers run them, compiled to wasm32-unknown-unknown with
# the Workers' release profile, wasm-opt -O (as worker-build runs it) and
# wasm-bindgen, then timed in V8 by bench/cpu-wasm.mjs: CPU median and p95
# once warm, and the first call in a fresh process. Prints a table per
# product, then one JSON line. Nothing is asserted.
#
#   bench/cpu-wasm.sh                 pantry, clinic, large-50, large-100; the JSON
#                                     goes to .parit/bench/cpu-wasm.json and the
#                                     section "CPU per request in WASM" of
#                                     docs/BENCHMARKS.md is rendered from it
#   bench/cpu-wasm.sh large-100       just the named products (the document is left alone)
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"
products=("$@")
report=false
[[ ${#products[@]} -eq 0 ]] && { products=(pantry clinic large-50 large-100); report=true; }
out="$ROOT/.parit/bench/cpu-wasm"
mkdir -p "$out"
cargo build -q --release --target wasm32-unknown-unknown -p parit-bench-cpu >&2
wasm-bindgen --target nodejs --out-dir "$out/pkg" "$ROOT/target/wasm32-unknown-unknown/release/parit_bench_cpu.wasm"
"$ROOT/wrangler/node_modules/.bin/wasm-opt" -O --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals "$out/pkg/parit_bench_cpu_bg.wasm" -o "$out/pkg/parit_bench_cpu_bg.wasm"
printf 'commit %s, %s, %s\n' "$(git rev-parse --short HEAD)" "$(node --version)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
node "$ROOT/bench/cpu-wasm.mjs" "$out/pkg" "${products[@]}" | tee "$out/run.txt"
if [[ "$report" == true ]]; then
  tail -n 1 "$out/run.txt" > "$ROOT/.parit/bench/cpu-wasm.json"
  python3 "$ROOT/bench/report.py" --cpu-wasm-only
fi
