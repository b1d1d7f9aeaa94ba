#!/usr/bin/env bash
# Checks Parit's renders with tools nobody here wrote, on the example products
# and on TRUTH_CASES property-generated artifacts with hostile names:
#   SQLite DDL      → sqlite3 (in memory)
#   PostgreSQL DDL  → a real PostgreSQL server, started here on loopback, stopped after
#   OpenAPI 3.1     → openapi-spec-validator (every $ref resolved)
#   Mermaid         → Mermaid's own parser and renderer in headless Chromium
#   deployment      → `wrangler deploy --dry-run` of the example's wrangler config
#   export          → `unzip -t`, and its listing against the files written
#   SQL import      → real public schemas (import/tests/schemas): the original and
#                     the rendered DDL of its import in sqlite3 and PostgreSQL have
#                     the same tables, columns and foreign keys (import.sh)
# Prints each validator's count and ends with "truth: N passed, N failed".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../scripts/lib.sh
source "$ROOT/scripts/lib.sh"
cd "$ROOT" || exit 1

cases="${TRUTH_CASES:-300}"
out="$ROOT/.parit/truth"
rm -rf "$out"; mkdir -p "$out"
cargo run --quiet --release -p parit-truth-cases -- "$out/cases" "$cases" > "$out/generated.json" || die "the case generator failed"
say "cases: $(cat "$out/generated.json")"
passed=0; failed=0
report() { # NAME CHECKED FAILURES_FILE
  local n_fail; n_fail=$(grep -c . "$3" 2>/dev/null || true)
  if [[ "$n_fail" -eq 0 ]]; then
    passed=$((passed + 1)); echo "ok - $1: $2 checked, 0 failed"
  else
    failed=$((failed + 1)); echo "not ok - $1: $2 checked, $n_fail failed"; head -n 10 "$3" | sed 's/^/    /'
  fi
}

# SQLite
: > "$out/sqlite.fail"; n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  sqlite3 -bail :memory: < "$f" > /dev/null 2> "$out/err" || echo "$f: $(head -c 300 "$out/err")" >> "$out/sqlite.fail"
done < <(find "$out/cases" -name 'schema.sqlite.sql' -print0)
report "SQLite DDL applies to sqlite3" "$n" "$out/sqlite.fail"

# PostgreSQL, a private server on loopback
pg_bin="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
[[ -x "$pg_bin/initdb" ]] || die "PostgreSQL is not installed (scripts/setup.sh installs it)"
pg_dir="$(mktemp -d /tmp/parit-pg.XXXXXX)"; pg_port="$(free_port)"
run_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[[ $(id -u) -eq 0 ]] && chown postgres "$pg_dir"
run_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 > "$out/initdb.log" 2>&1 || die "initdb failed: $(tail -5 "$out/initdb.log")"
run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off" start > /dev/null || die "postgres did not start: $(tail -5 "$pg_dir/server.log")"
trap 'run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop > /dev/null 2>&1; rm -rf "$pg_dir"' EXIT
: > "$out/postgres.fail"; n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  { echo "CREATE SCHEMA c$n; SET search_path TO c$n;"; cat "$f"; } \
    | psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 --single-transaction > /dev/null 2> "$out/err" \
    || echo "$f: $(head -c 300 "$out/err")" >> "$out/postgres.fail"
done < <(find "$out/cases" -name 'schema.postgres.sql' -print0)
report "PostgreSQL DDL applies to PostgreSQL $(basename "$(dirname "$pg_bin")")" "$n" "$out/postgres.fail"

# Imports of real public schemas, round-tripped through both databases
# shellcheck source=import.sh
source "$ROOT/tests/truth/import.sh"

# OpenAPI
mapfile -t docs < <(find "$out/cases" -name 'openapi.json' | sort)
"$ROOT/.parit/venv/bin/python" "$ROOT/tests/truth/openapi_check.py" "${docs[@]}" > "$out/openapi.json" || die "openapi-spec-validator did not run"
python3 -c 'import json,sys; [print(f"{p}: {e}") for p, e in json.load(open(sys.argv[1]))["failed"]]' "$out/openapi.json" > "$out/openapi.fail"
report "OpenAPI passes openapi-spec-validator" "${#docs[@]}" "$out/openapi.fail"

# Mermaid: the renders, and the diagrams in the project's own docs
mkdir -p "$out/docs"
python3 - "$ROOT/docs" "$out/docs" <<'PY'
import pathlib, re, sys
for doc in sorted(pathlib.Path(sys.argv[1]).glob("*.md")):
    for k, block in enumerate(re.findall(r"```mermaid\n(.*?)```", doc.read_text(), re.S)):
        pathlib.Path(sys.argv[2], f"{doc.stem}-{k}.mmd").write_text(block)
PY
mapfile -t diagrams < <(find "$out/cases" "$out/docs" -name '*.mmd' | sort)
node "$ROOT/tests/truth/mermaid.mjs" "${diagrams[@]}" > "$out/mermaid.json" || die "the Mermaid check did not run"
python3 -c 'import json,sys; [print(f"{p}: {e}") for p, e in json.load(open(sys.argv[1]))["failed"]]' "$out/mermaid.json" > "$out/mermaid.fail"
report "Mermaid diagrams parse and render" "${#diagrams[@]}" "$out/mermaid.fail"

# The example deployments bundle with wrangler
: > "$out/wrangler.fail"; n=0
for d in "$out"/cases/examples/*/deployment/files; do
  n=$((n + 1))
  "$WRANGLER" deploy --dry-run --outdir "$out/dry-$n" -c "$d/wrangler.toml" > "$out/dry-$n.log" 2>&1 \
    || echo "$d: $(grep -m1 -i error "$out/dry-$n.log")" >> "$out/wrangler.fail"
done
report "example deployments pass wrangler deploy --dry-run" "$n" "$out/wrangler.fail"

# The exports unzip, and hold exactly the files written
: > "$out/zip.fail"; n=0
for z in "$out"/cases/examples/*/export.zip; do
  n=$((n + 1))
  unzip -tq "$z" > /dev/null 2>&1 || echo "$z: unzip -t failed" >> "$out/zip.fail"
  diff <(unzip -Z1 "$z") "${z%.zip}.list" > /dev/null || echo "$z: listing differs" >> "$out/zip.fail"
done
report "exports unzip and match their listing" "$n" "$out/zip.fail"

echo "truth: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
