#!/usr/bin/env bash
# WASM size of each Worker: raw and gzip of the .wasm, and the upload size
# `wrangler deploy --dry-run` reports. Prints one JSON object.
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"
"$ROOT/scripts/build-workers.sh" > /dev/null
out="$ROOT/.parit/bench/dry-run"
rm -rf "$out"; mkdir -p "$out"
{
  for w in "${WORKERS[@]}"; do
    wasm="$ROOT/workers/$w/build/index_bg.wasm"
    upload="$(PARIT_SKIP_BUILD=1 "$WRANGLER" deploy --dry-run --outdir "$out/$w" -c "workers/$w/wrangler.toml" 2>&1 \
      | grep -o 'Total Upload: .*' | head -n 1)"
    printf '%s\t%s\t%s\t%s\n' "$w" "$(stat -c %s "$wasm")" "$(gzip -9 -c "$wasm" | wc -c)" "$upload"
  done
} | python3 -c '
import json, sys
rows = []
for line in sys.stdin:
    w, raw, gz, upload = line.rstrip("\n").split("\t")
    rows.append({"worker": w, "wasmBytes": int(raw), "wasmGzipBytes": int(gz), "dryRun": upload})
print(json.dumps({"workers": rows}))'
