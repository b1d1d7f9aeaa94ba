#!/usr/bin/env bash
# What the import costs: the gzip WASM of each parser alone (a bare cdylib
# that parses with it, release profile, wasm-opt -Oz, gzip -9, against the
# same cdylib with no parser), and how long the import of each real public
# schema in import/tests/schemas takes natively (release). Prints one JSON
# object. Nothing is asserted.
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"
out="$ROOT/.parit/bench/import"
mkdir -p "$out"
wasm_opt="$ROOT/wrangler/node_modules/.bin/wasm-opt"
size() { # FEATURES → gzip bytes of the optimised WASM
  local target="$out/target"
  cargo build -q --release --target wasm32-unknown-unknown --manifest-path bench/import-cost/Cargo.toml \
    --target-dir "$target" --no-default-features ${1:+--features "$1"} >&2
  "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    "$target/wasm32-unknown-unknown/release/parit_import_cost.wasm" -o "$out/opt.wasm"
  gzip -9 -c "$out/opt.wasm" | wc -c
}
none="$(size "")"; sql="$(size sql)"; yaml="$(size yaml)"
times="$(cargo run -q --release -p parit-import --example render_imports -- "$out/rendered")"
python3 - "$none" "$sql" "$yaml" "$times" <<'PY'
import json, re, sys
none, sql, yaml, times = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
schemas = []
for line in times.splitlines():
    m = re.match(r"(\S+): (\d+) tables, (\d+) fields, (\d+) relationships, (\d+) indexes, (\d+) not imported; import ([0-9.]+) ms", line)
    if m:
        schemas.append({"schema": m[1], "tables": int(m[2]), "fields": int(m[3]), "relationships": int(m[4]),
                        "indexes": int(m[5]), "notImported": int(m[6]), "importMs": float(m[7])})
print(json.dumps({"baselineGzipBytes": none, "sqlparserGzipBytes": sql - none, "yamlRust2GzipBytes": yaml - none,
                  "schemas": schemas}))
PY
