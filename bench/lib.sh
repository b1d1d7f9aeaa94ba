# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are for the benches that source this file
# Shared by the fleet benchmarks: a local Gemini server with a fixed latency,
# a fleet, an API token, and small helpers. Source after scripts/lib.sh.

# bench_fleet DIR LATENCY_MS [FLEET_ARGS...]: starts both (stopped on exit);
# sets base, auth, gemini. FLEET_ARGS go to `scripts/fleet.sh up`.
bench_fleet() {
  local dir="$1" latency="$2" gemini_port port
  shift 2
  rm -rf "$dir"; mkdir -p "$dir"
  "$ROOT/scripts/build-workers.sh" > "$dir/build.log" 2>&1 || { tail -n 20 "$dir/build.log" >&2; die "build failed"; }
  cargo build --quiet --release -p parit-gemini-local
  gemini_port="$(free_port)"; port="$(free_port)"
  "$ROOT/target/release/gemini-local" --port "$gemini_port" --latency-ms "$latency" > "$dir/gemini.log" 2>&1 &
  BENCH_GEMINI_PID=$!
  BENCH_DIR="$dir"
  trap '"$ROOT/scripts/fleet.sh" down --dir "$BENCH_DIR" >/dev/null 2>&1 || true; kill "$BENCH_GEMINI_PID" 2>/dev/null || true' EXIT
  gemini="http://127.0.0.1:$gemini_port"
  wait_for "$gemini/__control/health" 20 || die "the local Gemini server did not start"
  base="$("$ROOT/scripts/fleet.sh" up --dir "$dir" --port "$port" --gemini-url "$gemini" --rate-limit 1000000 \
    --var MAX_PROJECTS_PER_OWNER=0 --var DAILY_TOKENS_PER_OWNER=0 "$@")"
  local token
  token="$("$ROOT/scripts/create-token.sh" --owner bench --label bench --persist-to "$dir/state" 2>/dev/null)"
  auth=(-H "authorization: Bearer $token")
  BENCH_TOKEN="$token"
}

# api METHOD PATH [JSON]: the answer's body.
api() {
  curl -sf "${auth[@]}" -X "$1" "$base$2" ${3:+-H 'content-type: application/json' -d "$3"}
}

# new_project IDEA: its id.
new_project() {
  api POST /api/projects "{\"name\":\"Bench\",\"idea\":\"$1\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

# edit_data_model ID WHO: saves the data model with one more optional field on
# its first entity, as a person would (the stages built from it go stale).
edit_data_model() {
  api GET "/api/projects/$1/artifacts/data" | python3 -c '
import json, sys
a = json.load(sys.stdin)["artifact"]
a["entities"][0]["fields"].append({"name": "bench_note", "fieldType": "text", "required": False, "unique": False, "references": None, "description": "A note added by the " + sys.argv[1] + "."})
print(json.dumps(a))' "$2" > "$BENCH_DIR/data.json"
  curl -sf "${auth[@]}" -X PUT "$base/api/projects/$1/artifacts/data" -H 'content-type: application/json' \
    --data-binary "@$BENCH_DIR/data.json" > /dev/null || die "the data model edit was refused"
}

# run_project ID: runs it to the end; prints "status startedAt finishedAt".
run_project() {
  api POST "/api/projects/$1/run" > /dev/null
  local run status
  while :; do
    run="$(api GET "/api/projects/$1" | python3 -c 'import json,sys; r=json.load(sys.stdin)["run"]; print(r["status"], r["startedAt"], r["finishedAt"] or 0)')"
    read -r status _ _ <<< "$run"
    [[ "$status" == running ]] || break
    sleep 0.1
  done
  echo "$run"
}

# serve_site DIR SITE_PORT: the built web app (frontend/dist) under `wrangler
# pages dev` on SITE_PORT, pointed at the bench fleet ($base); stopped on exit
# with the fleet and the Gemini server.
serve_site() {
  local dir="$1" port="$2"
  cp -r "$ROOT/frontend/dist" "$dir/site"
  printf '{"supervisorUrl": "%s"}\n' "$base" > "$dir/site/config.json"
  setsid "$WRANGLER" pages dev "$dir/site" --port "$port" --ip 127.0.0.1 --inspector-port "$(free_port)" --compatibility-date 2026-04-01 \
    --persist-to "$dir/pages-state" > "$dir/pages.log" 2>&1 &
  BENCH_PAGES_PID=$!
  trap '"$ROOT/scripts/fleet.sh" down --dir "$BENCH_DIR" >/dev/null 2>&1 || true; kill "$BENCH_GEMINI_PID" 2>/dev/null || true; kill -- "-$BENCH_PAGES_PID" 2>/dev/null || true' EXIT
  wait_for "http://127.0.0.1:$port/config.json" 60 || die "the site did not start"
}
