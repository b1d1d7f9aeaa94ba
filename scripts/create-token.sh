#!/usr/bin/env bash
# Mints, lists and revokes API tokens for the supervisor.
#
#   scripts/create-token.sh --owner NAME [--label TEXT] [WHERE]   mint: prints the token once, on stdout
#   scripts/create-token.sh --list [WHERE]                        every token (never the token itself)
#   scripts/create-token.sh --revoke ID [WHERE]                   revoke: it stops working at once
#
# WHERE: --local [--persist-to DIR] (default; DIR defaults to .parit/dev/state)
#        or --remote (the Cloudflare database; needs CLOUDFLARE_API_TOKEN).
#
# A token is 256 random bits; D1 keeps only its SHA-256, with the owner (every
# project made with the token belongs to it), the label, when it was made and
# last used, and whether it is revoked. Lost tokens cannot be recovered: mint
# another and revoke the old one.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

mode=--local
persist="$ROOT/.parit/dev/state"
action=""; owner=""; label="api token"; revoke_id=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --owner) action=create; owner="$2"; shift 2 ;;
    --label) label="$2"; shift 2 ;;
    --list) action=list; shift ;;
    --revoke) action=revoke; revoke_id="$2"; shift 2 ;;
    --local) mode=--local; shift ;;
    --remote) mode=--remote; shift ;;
    --persist-to) persist="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
[[ -n "$action" ]] || die "say --owner NAME, --list or --revoke ID (see --help)"
where=("$mode")
[[ "$mode" == --local ]] && where+=(--persist-to "$persist")
config="workers/supervisor/wrangler.toml"

# Runs one SQL statement; its JSON result on stdout. A local database that a
# running fleet is writing can be briefly locked: try a few times.
sql() {
  local out err attempt
  err="$(mktemp)"
  for attempt in 1 2 3 4 5; do
    if out="$("$WRANGLER" d1 execute parit_db "${where[@]}" -c "$config" --json --command "$1" 2> "$err")"; then
      rm -f "$err"
      printf '%s\n' "$out"
      return 0
    fi
    cat "$err" - <<< "$out" | grep -qE 'SQLITE_BUSY|database is locked' || break
    sleep "0.$attempt"
  done
  { tail -n 5 "$err"; printf '%s\n' "$out" | tail -n 8; } >&2
  rm -f "$err"
  die "D1 failed (are the migrations applied? scripts/migrate-db.sh)"
}
now_ms="$(date +%s%3N)"

case "$action" in
  create)
    # Checked strictly: these values go into SQL text.
    [[ "$owner" =~ ^[A-Za-z0-9_.@-]{1,64}$ ]] || die "--owner must be 1-64 of A-Z a-z 0-9 _ . @ -"
    [[ "$label" =~ ^[A-Za-z0-9\ _.@:-]{1,100}$ ]] || die "--label must be 1-100 of letters, digits, spaces and _ . @ : -"
    token="parit_$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
    hash="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
    id="$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
    sql "INSERT INTO api_tokens (id, token_hash, owner_id, label, created_at) VALUES ('$id', '$hash', '$owner', '$label', $now_ms)" > /dev/null
    printf '%s\n' "minted token $id for owner $owner ($label); it is shown once:" >&2
    printf '%s\n' "$token"
    ;;
  list)
    sql "SELECT id, owner_id, label, created_at, last_used_at, revoked FROM api_tokens ORDER BY created_at" \
      | python3 -c '
import json, sys, time
rows = json.load(sys.stdin)[0]["results"]
when = lambda ms: "-" if ms is None else time.strftime("%Y-%m-%d %H:%M", time.gmtime(ms / 1000))
line = "%-18s%-20s%-18s%-18s%-9s%s"
print(line % ("id", "owner", "created", "last used", "state", "label"))
for r in rows:
    state = "revoked" if r["revoked"] else "live"
    print(line % (r["id"], r["owner_id"], when(r["created_at"]), when(r["last_used_at"]), state, r["label"]))'
    ;;
  revoke)
    [[ "$revoke_id" =~ ^[0-9a-f]{16}$ ]] || die "--revoke takes a token id (16 hex digits, from --list)"
    changed="$(sql "UPDATE api_tokens SET revoked = 1, revoked_at = $now_ms WHERE id = '$revoke_id' AND revoked = 0 RETURNING id" \
      | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[0]["results"]))')"
    [[ "$changed" == 1 ]] || die "no live token has id $revoke_id"
    ok "revoked token $revoke_id" >&2
    ;;
esac
