#!/usr/bin/env bash
# Compares what the Gemini API serves to your key (models.list, every page)
# with Parit's model catalogue (shared/src/gemini/catalogue.rs) and lists the
# text models it lacks and those it describes differently (output limit,
# thinking). Exit 0: in step; 1: differences; 2: could not ask.
#   GEMINI_API_KEY=... scripts/check-models.sh
#   GEMINI_BASE_URL=http://127.0.0.1:8790 GEMINI_API_KEY=local scripts/check-models.sh   (the local server)
# The key goes to curl in a header file readable only by you, never on the
# command line or in the output.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

[[ -n "${GEMINI_API_KEY:-}" ]] || { echo "check-models: set GEMINI_API_KEY (see .dev.vars.example)" >&2; exit 2; }
base="${GEMINI_BASE_URL:-https://generativelanguage.googleapis.com}"
base="${base%/}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
umask 077
printf 'x-goog-api-key: %s\n' "$GEMINI_API_KEY" > "$work/headers"

# CATALOGUE_DIFF: a built catalogue-diff (the tests pass theirs); else build it.
diff_bin="${CATALOGUE_DIFF:-}"
if [[ -z "$diff_bin" ]]; then
  cargo build --quiet --release -p parit-gemini-local --bin catalogue-diff
  diff_bin="$ROOT/target/release/catalogue-diff"
fi
page_size="${CHECK_MODELS_PAGE_SIZE:-1000}"

token="" page=0
while :; do
  query=(--data-urlencode "pageSize=$page_size")
  [[ -n "$token" ]] && query+=(--data-urlencode "pageToken=$token")
  code="$(curl -sS -G "${query[@]}" -o "$work/page$page.json" -w '%{http_code}' -H @"$work/headers" "$base/v1beta/models")" \
    || { echo "check-models: could not reach $base" >&2; exit 2; }
  if [[ "$code" != 200 ]]; then
    echo "check-models: models.list answered HTTP $code:" >&2
    head -c 600 "$work/page$page.json" >&2; echo >&2
    exit 2
  fi
  token="$("$diff_bin" --next-page-token "$work/page$page.json")"
  [[ -n "$token" && $page -lt 50 ]] || break
  page=$((page + 1))
done
exec "$diff_bin" "$work"/page*.json
