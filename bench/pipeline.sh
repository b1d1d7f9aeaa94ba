#!/usr/bin/env bash
# Pipeline wall time against the DAG's bounds. The local Gemini server answers
# every call after a fixed latency L; a full run of the seven stages is timed
# (run start to run finish, as the supervisor records them) and divided by the
# critical-path bound (longest chain, 6 stages, × L) and the sequential bound
# (7 × L). Prints one JSON object; median of RUNS runs.
#   LATENCY_MS=1000 RUNS=3 bench/pipeline.sh
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"

latency="${LATENCY_MS:-1000}"
runs="${RUNS:-3}"
dir="$ROOT/.parit/bench/pipeline"
rm -rf "$dir"; mkdir -p "$dir"

"$ROOT/scripts/build-workers.sh" > "$dir/build.log" 2>&1
cargo build --quiet --release -p parit-gemini-local
gemini_port="$(free_port)"; port="$(free_port)"
"$ROOT/target/release/gemini-local" --port "$gemini_port" --latency-ms "$latency" > "$dir/gemini.log" 2>&1 &
gemini_pid=$!
trap '"$ROOT/scripts/fleet.sh" down --dir "$dir" >/dev/null 2>&1 || true; kill $gemini_pid 2>/dev/null || true' EXIT
wait_for "http://127.0.0.1:$gemini_port/__control/health" 20
"$ROOT/scripts/fleet.sh" up --dir "$dir" --port "$port" --gemini-url "http://127.0.0.1:$gemini_port" > /dev/null
base="http://127.0.0.1:$port"

walls=()
for i in $(seq 1 "$runs"); do
  id="$(curl -sf -X POST "$base/api/projects" -H 'content-type: application/json' \
    -d "{\"name\":\"Bench $i\",\"idea\":\"Plan a week of meals from the pantry, bench run $i\"}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
  curl -sf -o /dev/null -X POST "$base/api/projects/$id/run"
  while :; do
    run="$(curl -sf "$base/api/projects/$id" | python3 -c 'import json,sys; r=json.load(sys.stdin)["run"]; print(r["status"], r["startedAt"], r["finishedAt"] or 0)')"
    read -r status started finished <<< "$run"
    [[ "$status" == "running" ]] || break
    sleep 0.2
  done
  [[ "$status" == "completed" ]] || die "bench run $i ended $status"
  walls+=($((finished - started)))
done

python3 - "$latency" "${walls[@]}" <<'PY'
import json, statistics, sys
latency = int(sys.argv[1]); walls = [int(w) for w in sys.argv[2:]]
median = statistics.median(walls)
print(json.dumps({
    "latencyMs": latency, "runs": walls, "medianMs": median,
    "criticalPathMs": 6 * latency, "sequentialMs": 7 * latency,
    "ratioToCriticalPath": round(median / (6 * latency), 3),
    "ratioToSequential": round(median / (7 * latency), 3),
}))
PY
