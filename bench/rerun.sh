#!/usr/bin/env bash
# Re-run cost: tokens and wall time of (a) running an unchanged project again
# and (b) editing the data model then running again, against the first full
# run — with the local Gemini server at a fixed latency. Prints one JSON object.
#   LATENCY_MS=300 bench/rerun.sh
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
cd "$ROOT"
latency="${LATENCY_MS:-300}"
bench_fleet "$ROOT/.parit/bench/rerun" "$latency"

totals() { api GET "/api/projects/$1/traces" | python3 -c '
import json, sys
d = json.load(sys.stdin)
calls = sum(1 for t in d["traces"] if not t["cacheHit"])
print(d["totals"]["totalTokens"], calls)'; }
# phase NAME ID: runs the project, prints a JSON fragment with the deltas.
phase() {
  local before_tokens before_calls after_tokens after_calls status started finished
  read -r before_tokens before_calls <<< "$(totals "$2")"
  read -r status started finished <<< "$(run_project "$2")"
  [[ "$status" == completed ]] || die "$1: the run ended $status"
  read -r after_tokens after_calls <<< "$(totals "$2")"
  printf '"%s": {"tokens": %d, "modelCalls": %d, "wallMs": %d}' "$1" \
    $((after_tokens - before_tokens)) $((after_calls - before_calls)) $((finished - started))
}

id="$(new_project "Plan a week of meals from the pantry, re-run cost")"
full="$(phase full "$id")"
unchanged="$(phase unchanged "$id")"
edit_data_model "$id" "re-run benchmark"
stale="$(api GET "/api/projects/$id" | python3 -c 'import json,sys; print(json.dumps([s["stage"] for s in json.load(sys.stdin)["stages"] if s["status"] == "stale"]))')"
edited="$(phase editDataModel "$id")"
echo "{\"latencyMs\": $latency, $full, $unchanged, $edited, \"staleAfterEdit\": $stale}"
