#!/usr/bin/env bash
# Puts GEMINI_API_KEY into all seven agent Workers with `wrangler secret put`.
#
#   GEMINI_API_KEY=... scripts/set-secrets.sh [--dry-run] [--only prd,data]
#
# The key comes from the environment, or is asked for without echo when run
# at a terminal. It is passed to wrangler on stdin: never on a command line,
# never in a log. Running it again overwrites the secret (idempotent).
# --dry-run says what it would do and calls nothing. Needs CLOUDFLARE_API_TOKEN
# (and CLOUDFLARE_ACCOUNT_ID) for a real run, as wrangler does.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

dry_run=false
agents=("${AGENTS[@]}")
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) dry_run=true; shift ;;
    --only) mapfile -t agents < <(worker_names "$2" | grep -v '^supervisor$'); shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
for a in "${agents[@]}"; do
  [[ -f "workers/$a/wrangler.toml" ]] || die "no such agent: ${a%-agent}"
done

key="${GEMINI_API_KEY:-}"
if [[ -z "$key" && -t 0 && "$dry_run" == false ]]; then
  read -r -s -p "GEMINI_API_KEY: " key
  echo
fi
[[ -n "$key" ]] || die "GEMINI_API_KEY is not set: export it (or run at a terminal to be asked); nothing was changed"
[[ "$key" != "your_gemini_api_key_here" ]] || die "GEMINI_API_KEY is still the placeholder from .dev.vars.example"

failed=()
for a in "${agents[@]}"; do
  if [[ "$dry_run" == true ]]; then
    say "would run: wrangler secret put GEMINI_API_KEY -c workers/$a/wrangler.toml  (value on stdin, ${#key} characters)"
    continue
  fi
  if printf '%s' "$key" | "$WRANGLER" secret put GEMINI_API_KEY -c "workers/$a/wrangler.toml" > /dev/null 2>&1; then
    ok "parit-$a: GEMINI_API_KEY set"
  else
    warn "parit-$a: setting GEMINI_API_KEY failed (is the Worker deployed, and CLOUDFLARE_API_TOKEN set?)"
    failed+=("$a")
  fi
done
[[ ${#failed[@]} -eq 0 ]] || die "failed for: ${failed[*]}"
[[ "$dry_run" == true ]] || ok "GEMINI_API_KEY is set on ${#agents[@]} agent(s)"
