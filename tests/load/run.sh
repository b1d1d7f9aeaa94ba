#!/usr/bin/env bash
# A bounded load run against a running fleet (scripts/test.sh sets
# PARIT_SUPERVISOR_URL, PARIT_TOKEN and PARIT_GEMINI_URL): wrk on loopback against two read
# endpoints and project creation, then N concurrent `run` requests on one
# project. Fails on any error but a designed 429, on more than one run
# starting, or on a duplicate artifact version.
#   PARIT_LOAD_SECONDS (default 4), PARIT_LOAD_CONNECTIONS (default 8),
#   PARIT_LOAD_RUNS (concurrent run requests, default 24)
set -euo pipefail
# shellcheck source=../../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

url="${PARIT_SUPERVISOR_URL:?PARIT_SUPERVISOR_URL is not set: run scripts/test.sh}"
: "${PARIT_TOKEN:?}"
seconds="${PARIT_LOAD_SECONDS:-4}"
connections="${PARIT_LOAD_CONNECTIONS:-8}"
runs="${PARIT_LOAD_RUNS:-24}"
out="${PARIT_LOAD_OUT:-$ROOT/.parit/load}"
rm -rf "$out"; mkdir -p "$out"
auth=(-H "authorization: Bearer $PARIT_TOKEN")
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

new_project() {
  curl -sf "${auth[@]}" -H 'content-type: application/json' -X POST "$url/api/projects" \
    -d "{\"name\":\"Load\",\"idea\":\"Plan a week of meals from the pantry, $1\"}" | field '["id"]'
}
wait_run() {
  local status
  for _ in $(seq 1 240); do
    status="$(curl -sf "${auth[@]}" "$url/api/projects/$1" | field '["run"]["status"]')"
    [[ "$status" != running && "$status" != None ]] && { echo "$status"; return; }
    sleep 0.25
  done
  echo "$status"
}

project="$(new_project "load target")"
curl -sf "${auth[@]}" -X POST "$url/api/projects/$project/run" > /dev/null
[[ "$(wait_run "$project")" == completed ]] || die "the load target's run did not complete"

# wrk NAME PATH [METHOD BODY]. wrk counts an answer slower than its timeout
# (2 s by default) as a socket error; a fresh-clone run sharing two cores with
# another saw p99 1.5 s and 3 such "timeouts" of requests that were answered.
# The bound is 30 s: it ends a hung connection, not a slow one, and the
# latencies printed say how slow it was.
load() {
  local name="$1" path="$2"
  PARIT_WRK_TOKEN="$PARIT_TOKEN" PARIT_WRK_METHOD="${3:-GET}" PARIT_WRK_BODY="${4:-}" \
    wrk -t2 -c"$connections" -d"${seconds}s" --timeout 30s --latency -s "$ROOT/tests/load/wrk.lua" "$url$path" > "$out/$name.txt"
  tail -n 1 "$out/$name.txt" > "$out/$name.json"
  python3 - "$out/$name.json" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
bad = {s: n for s, n in r["statuses"].items() if s == "other" and n}
errors = {k: v for k, v in r["errors"].items() if k != "status" and v}
print(f'{sys.argv[2]}: {r["requests"]} requests in {r["seconds"]:.1f} s = {r["rps"]:.0f}/s, p50 {r["p50_ms"]:.1f} ms, p99 {r["p99_ms"]:.1f} ms, statuses {r["statuses"]}')
if bad or errors:
    sys.exit(f"{sys.argv[2]}: unexpected answers {bad} or socket errors {errors}")
PY
}
say "wrk: ${seconds}s per endpoint, $connections connections"
load project "/api/projects/$project"
load artifact "/api/projects/$project/artifacts/prd"
load create "/api/projects" POST '{"name":"Load","idea":"Plan a week of meals from the pantry, under load"}'

say "$runs concurrent run requests on one project"
# Slow model answers for this project keep its run going while every request arrives.
word="concurrent$RANDOM$RANDOM"
curl -sf -X POST "${PARIT_GEMINI_URL:?}/__control/faults" -H 'content-type: application/json' \
  -d "{\"kind\":\"slow\",\"match\":\"$word\",\"times\":7,\"delayMs\":1500}" > /dev/null
target="$(new_project "$word")"
seq 1 "$runs" | xargs -P "$runs" -I{} curl -s -o "$out/run-{}.json" -w '%{http_code}\n' "${auth[@]}" -X POST \
  "$url/api/projects/$target/run" > "$out/run-statuses.txt"
started="$(cat "$out"/run-*.json | grep -o '"started":true' | wc -l | tr -d ' ')"
others="$(grep -cvE '^(200|202|409)$' "$out/run-statuses.txt" || true)"
[[ "$others" == 0 ]] || die "unexpected answers to concurrent runs: $(sort "$out/run-statuses.txt" | uniq -c | tr '\n' ' ')"
[[ "$started" == 1 ]] || die "$started runs started (expected exactly 1)"
[[ "$(wait_run "$target")" == completed ]] || die "the concurrent run did not complete"
versions="$(curl -sf "${auth[@]}" "$url/api/projects/$target/artifacts" | field '["versions"]' | python3 -c '
import ast, sys; v = ast.literal_eval(sys.stdin.read()); print(len(v), len({(x["stage"], x["version"]) for x in v}), max(x["version"] for x in v))')"
[[ "$versions" == "7 7 1" ]] || die "artifact versions after concurrent runs: $versions (expected 7 distinct, all v1)"
python3 - "$out" "$seconds" "$connections" "$runs" "$(sort "$out/run-statuses.txt" | uniq -c | tr -s ' ' | tr '\n' ';')" <<'PY'
import json, sys
out, seconds, connections, runs, statuses = sys.argv[1:]
endpoints = {n: json.load(open(f"{out}/{n}.json")) for n in ("project", "artifact", "create")}
json.dump({"seconds": int(seconds), "connections": int(connections), "endpoints": endpoints,
           "concurrentRuns": {"requests": int(runs), "started": 1, "statuses": statuses.strip(";"), "duplicateVersions": 0}},
          open(f"{out}/summary.json", "w"))
PY
ok "load: no errors but designed 429s; $runs concurrent runs → 1 run, 7 versions, no duplicates ($(sort "$out/run-statuses.txt" | uniq -c | tr -s ' ' | tr '\n' ';'))"
