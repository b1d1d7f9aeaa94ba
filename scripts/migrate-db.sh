#!/usr/bin/env bash
# Applies migrations/ to the D1 database parit_db, then verifies it: the
# schema version in schema_metadata and every expected table.
#
#   scripts/migrate-db.sh [--local] [--persist-to DIR]   local state (default; DIR defaults to .parit/dev/state)
#   scripts/migrate-db.sh --remote [--create]            the Cloudflare database
#
# --create (remote) first creates parit_db and prints the database_id to put
# into workers/supervisor/wrangler.toml.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

mode=--local
persist="$ROOT/.parit/dev/state"
create=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --local) mode=--local; shift ;;
    --remote) mode=--remote; shift ;;
    --persist-to) persist="$2"; shift 2 ;;
    --create) create=true; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
config="workers/supervisor/wrangler.toml"
where=("$mode")
[[ "$mode" == --local ]] && where+=(--persist-to "$persist")

if [[ "$create" == true ]]; then
  [[ "$mode" == --remote ]] || die "--create only applies to --remote"
  say "creating the D1 database parit_db"
  out="$("$WRANGLER" d1 create parit_db 2>&1)" || { echo "$out" >&2; die "could not create parit_db"; }
  id="$(grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' <<< "$out" | head -n 1)"
  [[ -n "$id" ]] || { echo "$out"; die "created, but no database id in wrangler's output"; }
  ok "created parit_db: put this into $config under [[d1_databases]]:"
  echo "    database_id = \"$id\""
  grep -q "$id" "$config" || die "then run this script again (the config still has another database_id)"
fi

expected_version="$(find "$ROOT/migrations" -name '*.sql' | wc -l | tr -d ' ')"
say "applying migrations ($mode)"
"$WRANGLER" d1 migrations apply parit_db "${where[@]}" -c "$config" || die "migrations failed; the error above says why (no database? run with --create)"

query() {
  "$WRANGLER" d1 execute parit_db "${where[@]}" -c "$config" --json --command "$1" 2>/dev/null \
    | python3 -c 'import json,sys; print("\n".join(str(list(r.values())[0]) for r in json.load(sys.stdin)[0]["results"]))'
}
version="$(query "SELECT value FROM schema_metadata WHERE key = 'schema_version'")" || die "could not read schema_metadata"
[[ "$version" == "$expected_version" ]] || die "schema version is '$version', expected $expected_version"
tables="$(query "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")"
missing=()
for t in projects project_settings artifacts checkpoints execution_traces agent_activity schema_metadata runs api_tokens owner_usage run_estimates; do
  grep -qx "$t" <<< "$tables" || missing+=("$t")
done
[[ ${#missing[@]} -eq 0 ]] || die "missing tables: ${missing[*]}"
ok "parit_db is at schema version $version with every table ($mode)"
