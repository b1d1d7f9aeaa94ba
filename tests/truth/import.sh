# shellcheck shell=bash
# Import round trip, sourced by run.sh once its PostgreSQL server is up ($ROOT,
# $out, $pg_port, run_pg and report come from there). Each real public schema
# in import/tests/schemas (NAME.sqlite.sql, NAME.postgres.sql or
# NAME.mysql.sql) is applied as published to its own database, imported by
# Parit, and the imported model's DDL rendered for both dialects is applied to
# sqlite3 and to PostgreSQL; the tables, columns and foreign keys of each must
# match the original's, except what the import lists as not imported. A psql
# script's `\copy` lines read CSV files that are not kept here: the original
# is applied without them (its tables stay empty). No MySQL server runs here:
# a MySQL original is not applied, and both renders are held to the imported
# model itself.
imp="$out/import"; rm -rf "$imp"; mkdir -p "$imp"; : > "$imp/fail"; n_imp=0
pg_imp() { psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 "$@"; }
# FILE DATABASE: a dump in one transaction; a psql script that loads its data
# with `\copy` (whose CSV files are not kept) without those lines and its
# INSERTs, and without stopping at the data statements that fail for want of
# the rows.
apply_original() {
  if grep -q '^\\copy ' "$1"; then
    grep -v '^\\copy ' "$1" | sed '/^INSERT INTO/,/;[[:space:]]*$/d' | psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d "$2" -f - > /dev/null 2>&1
  else
    pg_imp -d "$2" --single-transaction -f "$1"
  fi
}
cargo run -q --release -p parit-import --example render_imports -- "$imp/rendered" > "$imp/timings.txt" 2> "$imp/render.err" \
  || echo "render_imports failed: $(head -c 300 "$imp/render.err")" >> "$imp/fail"
for f in "$ROOT"/import/tests/schemas/*.sql; do
  base="$(basename "$f" .sql)"; name="${base%.*}"; dialect="${base##*.}"; r="$imp/rendered/$name"
  [[ -f "$r/import.json" ]] || { echo "$name: the import wrote nothing" >> "$imp/fail"; continue; }
  if [[ "$dialect" == mysql ]]; then
    original="json:$r/import.json"
  elif [[ "$dialect" == sqlite ]]; then
    original="sqlite:$imp/$name.original.db"
    sqlite3 -bail "$imp/$name.original.db" < "$f" > /dev/null 2> "$imp/err" \
      || { echo "$name: the original does not apply to sqlite3: $(head -c 300 "$imp/err")" >> "$imp/fail"; continue; }
  else
    original="pg:imp_${name}_original"
    { pg_imp -d postgres -c "CREATE DATABASE imp_${name}_original" && apply_original "$f" "imp_${name}_original"; } > /dev/null 2> "$imp/err" \
      || { echo "$name: the original does not apply to PostgreSQL: $(head -c 300 "$imp/err")" >> "$imp/fail"; continue; }
  fi
  rendered=()
  n_imp=$((n_imp + 1))
  if sqlite3 -bail "$imp/$name.rendered.db" < "$r/schema.sqlite.sql" > /dev/null 2> "$imp/err"; then
    rendered+=("sqlite:$imp/$name.rendered.db")
  else
    echo "$name: the rendered SQLite DDL does not apply: $(head -c 300 "$imp/err")" >> "$imp/fail"
  fi
  n_imp=$((n_imp + 1))
  if { pg_imp -d postgres -c "CREATE DATABASE imp_${name}_rendered" && pg_imp -d "imp_${name}_rendered" --single-transaction -f "$r/schema.postgres.sql"; } > /dev/null 2> "$imp/err"; then
    rendered+=("pg:imp_${name}_rendered")
  else
    echo "$name: the rendered PostgreSQL DDL does not apply: $(head -c 300 "$imp/err")" >> "$imp/fail"
  fi
  [[ ${#rendered[@]} -gt 0 ]] || continue
  python3 "$ROOT/tests/truth/ddl_compare.py" --port "$pg_port" --import "$r/import.json" \
    --original "$original" --rendered "${rendered[@]}" >> "$imp/fail" 2>&1 \
    || echo "$name: ddl_compare.py failed" >> "$imp/fail"
done
# OpenAPI descriptions of real public APIs, imported with no data model: the
# render of each passes openapi-spec-validator, and the data model derived
# from its schemas applies to sqlite3 and to PostgreSQL.
: > "$imp/openapi.fail"; n_api=0
for r in "$imp"/rendered/openapi/*/; do
  [[ -f "$r/openapi.json" ]] || continue
  name="$(basename "$r")"; n_api=$((n_api + 1))
  "$ROOT/.parit/venv/bin/python" "$ROOT/tests/truth/openapi_check.py" "$r/openapi.json" > "$imp/check.json" 2>&1 \
    && python3 -c 'import json,sys; [print(f"{p}: {e}") for p, e in json.load(open(sys.argv[1]))["failed"]]' "$imp/check.json" >> "$imp/openapi.fail" \
    || echo "$name: openapi-spec-validator did not run: $(head -c 300 "$imp/check.json")" >> "$imp/openapi.fail"
  sqlite3 -bail ":memory:" < "$r/schema.sqlite.sql" > /dev/null 2> "$imp/err" \
    || echo "$name: the derived SQLite DDL does not apply: $(head -c 300 "$imp/err")" >> "$imp/openapi.fail"
  { pg_imp -d postgres -c "CREATE DATABASE api_${name//-/_}" && pg_imp -d "api_${name//-/_}" --single-transaction -f "$r/schema.postgres.sql"; } > /dev/null 2> "$imp/err" \
    || echo "$name: the derived PostgreSQL DDL does not apply: $(head -c 300 "$imp/err")" >> "$imp/openapi.fail"
done
report "real OpenAPI descriptions import with their own entities; renders pass openapi-spec-validator, sqlite3 and PostgreSQL" "$n_api" "$imp/openapi.fail"
report "imported schemas round-trip through sqlite3 and PostgreSQL (tables, columns, foreign keys)" "$n_imp" "$imp/fail"
sed 's/^/    /' "$imp/timings.txt"
