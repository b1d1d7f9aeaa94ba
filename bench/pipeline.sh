#!/usr/bin/env bash
# Pipeline wall time against the DAG's bounds. The local Gemini server answers
# every call after a fixed latency L; a full run of the seven stages is timed
# (run start to run finish, as the supervisor records them) and divided by the
# critical-path bound (the longest chain of stages × L) and the sequential
# bound (every stage × L), both counted by the domain from its stage graph
# (bench/domain's critical_path). Prints one JSON object; median of RUNS runs.
#   LATENCY_MS=1000 RUNS=3 bench/pipeline.sh
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"

latency="${LATENCY_MS:-1000}"
runs="${RUNS:-3}"
dir="$ROOT/.parit/bench/pipeline"

bounds="$(cargo run --quiet --release -p parit-bench --bin critical_path)"

# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
bench_fleet "$dir" "$latency"

walls=()
for i in $(seq 1 "$runs"); do
  id="$(new_project "Plan a week of meals from the pantry, bench run $i")"
  read -r status started finished <<< "$(run_project "$id")"
  [[ "$status" == "completed" ]] || die "bench run $i ended $status"
  walls+=($((finished - started)))
done

python3 - "$bounds" "$latency" "${walls[@]}" <<'PY'
import json, statistics, sys
bounds = json.loads(sys.argv[1])
latency = int(sys.argv[2]); walls = [int(w) for w in sys.argv[3:]]
median = statistics.median(walls)
critical, sequential = bounds["criticalPathStages"] * latency, bounds["stages"] * latency
print(json.dumps({
    "latencyMs": latency, "runs": walls, "medianMs": median,
    "criticalPathMs": critical, "sequentialMs": sequential,
    "ratioToCriticalPath": round(median / critical, 3),
    "ratioToSequential": round(median / sequential, 3),
}))
PY
