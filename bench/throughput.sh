#!/usr/bin/env bash
# Supervisor throughput on workerd (wrangler dev, local D1 and R2) against a
# peer: a minimal TypeScript Worker on Hono (bench/peer-hono, not part of
# Parit) doing the same token lookup, rate limiter call, D1 queries and R2
# read over the same local state, under the same wrangler. wrk on loopback,
# runs alternated, ROUNDS rounds of SECONDS each; prints one JSON object with
# the median requests/s and p99 of each, and their ratio.
#   SECONDS_PER_RUN=8 ROUNDS=3 CONNECTIONS=8 bench/throughput.sh
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source=lib.sh
source "$ROOT/bench/lib.sh"
cd "$ROOT"
seconds="${SECONDS_PER_RUN:-8}"; rounds="${ROUNDS:-3}"; connections="${CONNECTIONS:-8}"
dir="$ROOT/.parit/bench/throughput"
bench_fleet "$dir" 0

id="$(new_project "Plan a week of meals from the pantry, throughput")"
read -r status _ _ <<< "$(run_project "$id")"
[[ "$status" == completed ]] || die "the project's run ended $status"

peer="$ROOT/bench/peer-hono"
want="$(sha256sum "$peer/package-lock.json" | cut -d' ' -f1)"
if [[ "$(cat "$peer/node_modules/.parit-lock-sha256" 2>/dev/null)" != "$want" ]]; then
  (cd "$peer" && npm ci --no-audit --no-fund --loglevel=error) > /dev/null
  echo "$want" > "$peer/node_modules/.parit-lock-sha256"
fi
peer_port="$(free_port)"
setsid "$WRANGLER" dev -c "$peer/wrangler.toml" --port "$peer_port" --ip 127.0.0.1 --inspector-port "$(free_port)" \
  --persist-to "$dir/state" --show-interactive-dev-session=false > "$dir/peer.log" 2>&1 < /dev/null &
peer_pid=$!
trap 'kill -TERM -- -$peer_pid 2>/dev/null || true; "$ROOT/scripts/fleet.sh" down --dir "$BENCH_DIR" >/dev/null 2>&1 || true; kill "$BENCH_GEMINI_PID" 2>/dev/null || true' EXIT
peer_url="http://127.0.0.1:$peer_port"
for _ in $(seq 1 120); do
  [[ "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$peer_url/api/projects/$id")" == 200 ]] && break
  sleep 0.5
done
[[ "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$peer_url/api/projects/$id")" == 200 ]] \
  || die "the Hono peer did not answer: $(tail -n 20 "$dir/peer.log")"

# wrk_json URL: one JSON line of figures.
wrk_json() {
  PARIT_WRK_TOKEN="$BENCH_TOKEN" wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$ROOT/tests/load/wrk.lua" "$1" | tail -n 1
}
results="$dir/results.jsonl"; : > "$results"
for path in "/api/projects/$id" "/api/projects/$id/artifacts/prd"; do
  wrk_json "$base$path" > /dev/null; wrk_json "$peer_url$path" > /dev/null   # warm both
  for round in $(seq 1 "$rounds"); do
    for who in parit hono; do
      url="$base$path"; [[ "$who" == hono ]] && url="$peer_url$path"
      printf '{"who": "%s", "path": "%s", "round": %d, "wrk": %s}\n' "$who" "${path//$id/:id}" "$round" "$(wrk_json "$url")" >> "$results"
    done
  done
done
python3 - "$results" "$seconds" "$rounds" "$connections" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
out = {"secondsPerRun": int(sys.argv[2]), "rounds": int(sys.argv[3]), "connections": int(sys.argv[4]), "endpoints": {}}
for path in dict.fromkeys(r["path"] for r in rows):
    e = {}
    for who in ("parit", "hono"):
        mine = [r["wrk"] for r in rows if r["path"] == path and r["who"] == who]
        bad = sum(m["statuses"]["other"] + m["statuses"]["429"] for m in mine)
        e[who] = {"rps": round(statistics.median(m["rps"] for m in mine), 1),
                  "p99Ms": round(statistics.median(m["p99_ms"] for m in mine), 2), "non2xx": bad}
    e["rpsRatio"] = round(e["parit"]["rps"] / e["hono"]["rps"], 3)
    out["endpoints"]["GET " + path] = e
print(json.dumps(out))
PY
