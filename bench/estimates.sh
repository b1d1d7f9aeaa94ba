#!/usr/bin/env bash
# The run plan's estimator against what runs really use: for each example
# product, a fresh project's first run (every stage estimated from the
# example figures) and a run after a data-model edit (estimated from the
# project's own history). The estimates are the ones each run recorded as it
# started (GET …/traces "estimates"); the error of a stage is
# |actual − estimate| / actual, with the one-call (low) estimate. Prints one
# JSON object: the median and the largest error of each phase, and every stage.
#   LATENCY_MS=0 bench/estimates.sh
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
cd "$ROOT"
bench_fleet "$ROOT/.parit/bench/estimates" "${LATENCY_MS:-0}"

# estimates ID PHASE PRODUCT: the run's per-stage estimates against actual, as JSON lines.
estimates() {
  api GET "/api/projects/$1/traces" | python3 -c '
import json, sys
phase, product = sys.argv[1], sys.argv[2]
for e in json.load(sys.stdin)["estimates"]:
    if e["actualCalls"]:
        print(json.dumps({"phase": phase, "product": product, "stage": e["stage"],
                          "estimate": e["tokens"]["low"], "high": e["tokens"]["high"], "actual": e["actualTokens"]}))' "$2" "$3"
}

rows="$BENCH_DIR/rows.jsonl"
: > "$rows"
for product in "Plan a week of meals from the pantry" "Book appointments at a small clinic"; do
  id="$(new_project "$product, estimator benchmark")"
  read -r status _ <<< "$(run_project "$id")"
  [[ "$status" == completed ]] || die "$product: the first run ended $status"
  estimates "$id" examples "$product" >> "$rows"
  edit_data_model "$id" "estimator benchmark"
  read -r status _ <<< "$(run_project "$id")"
  [[ "$status" == completed ]] || die "$product: the run after the edit ended $status"
  estimates "$id" edits "$product" >> "$rows"
done
python3 - "$rows" "${LATENCY_MS:-0}" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for r in rows:
    r["error"] = abs(r["actual"] - r["estimate"]) / r["actual"]
    r["withinRange"] = r["estimate"] <= r["actual"] <= r["high"]
out = {"latencyMs": int(sys.argv[2]), "stages": rows}
for phase in ("examples", "edits"):
    errors = [r["error"] for r in rows if r["phase"] == phase]
    out[phase] = {"n": len(errors), "medianError": statistics.median(errors), "maxError": max(errors),
                  "withinRange": sum(r["withinRange"] for r in rows if r["phase"] == phase)}
print(json.dumps(out))
PY
