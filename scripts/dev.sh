#!/usr/bin/env bash
# The whole fleet on this machine, with one command.
#
#   scripts/dev.sh [--port 8787] [--web-port 8788] [--dir .parit/dev]
#
# Installs what is missing, builds the eight Workers, applies the local D1
# migrations and starts the supervisor and the seven agents in one
# `wrangler dev` (workerd, local D1 and R2; state kept in DIR/state between
# runs). From its first second the web app's port shows a page with what it
# is doing, which becomes the web app when the fleet is up. With
# GEMINI_API_KEY set (in the environment or in .dev.vars at the repo root)
# the agents call the real Gemini API; without it they call a local
# Gemini-compatible server that this script starts: fully offline.
# Builds the web app (frontend/) and serves it with `wrangler pages dev`.
# Prints both URLs, an API token and a curl to try. Ctrl-C, kill (TERM) or
# a closed terminal stop everything, and the script exits with the fleet.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

port=8787
web_port=8788
run="$ROOT/.parit/dev"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --web-port) web_port="$2"; shift 2 ;;
    --dir) mkdir -p "$2"; run="$(cd "$2" && pwd)"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

started=$(date +%s%N)
since_start() { echo $(( ($(date +%s%N) - started) / 1000000 )); }
mkdir -p "$run" "$ROOT/.wrangler"
log="$run/dev.log"
: > "$log"

# Everything this script starts, stopped on any exit: Ctrl-C, kill (TERM),
# a failure or the fleet stopping. Long steps run in the background under
# `wait`, which a trapped signal interrupts at once.
child="" status_pid="" gemini_pid="" web_pid="" tail_pid=""
# shellcheck disable=SC2317 # invoked by the traps
cleanup() {
  trap - INT TERM HUP EXIT
  echo
  say "stopping the fleet"
  local p
  for p in "$child" "$tail_pid" "$status_pid" "$gemini_pid"; do [[ -n "$p" ]] && kill_tree "$p"; done
  if [[ -n "$web_pid" ]]; then kill -- "-$web_pid" 2>/dev/null || true; fi
  "$ROOT/scripts/fleet.sh" down --dir "$run" || true
}
# shellcheck disable=SC2317
on_signal() { cleanup; exit "$1"; }
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP
trap 'rc=$?; cleanup; [[ $rc -eq 0 ]] || warn "scripts/doctor.sh says what this machine has and lacks"; exit $rc' EXIT
in_background() { # COMMAND...
  "$@" &
  child=$!
  local rc=0
  wait "$child" || rc=$?
  child=""
  return $rc
}

web="http://127.0.0.1:$web_port"
if port_taken "$web_port"; then die "port $web_port is taken (pass --web-port)"; fi
if port_taken "$port"; then die "port $port is taken (pass --port)"; fi
# Output on the terminal and in $log, which the start-up page shows.
# shellcheck disable=SC2317 # run through in_background
logged() { "$@" 2>&1 | tee -a "$log"; }
# shellcheck disable=SC2317
build_workers() { # the whole output in .wrangler/build.log, a line a Worker built here
  "$ROOT/scripts/build-workers.sh" 2>&1 | tee "$ROOT/.wrangler/build.log" | { grep --line-buffered '^building ' || true; } | tee -a "$log"
}

# Until the web app is built, its port shows what this script is doing.
node "$ROOT/scripts/dev-status.mjs" "$web_port" "$log" &
status_pid=$!
wait_for "$web/" 10 || die "the start-up page did not answer on $web"
ok "$web answers now (after $(since_start) ms) with the start-up progress; it becomes the web app when the fleet is up"

in_background logged "$ROOT/scripts/setup.sh"
say "building the Workers (incremental; all eight from nothing take about $(duration "$EXPECT_WORKERS") here)" | tee -a "$log"
in_background build_workers || { tail -n 40 "$ROOT/.wrangler/build.log" >&2; die "build failed"; }

# A key from the environment wins; else one from .dev.vars at the repo root.
GEMINI_API_KEY="$(gemini_key)"
export GEMINI_API_KEY

if [[ -n "${GEMINI_API_KEY:-}" ]]; then
  gemini_url="${GEMINI_BASE_URL:-https://generativelanguage.googleapis.com}"
  ok "GEMINI_API_KEY is set: the agents call $gemini_url"
else
  in_background cargo build --quiet -p parit-gemini-local
  gemini_port="$(free_port)"
  "$ROOT/target/debug/gemini-local" --port "$gemini_port" > "$run/gemini.log" 2>&1 &
  gemini_pid=$!
  gemini_url="http://127.0.0.1:$gemini_port"
  wait_for "$gemini_url/__control/health" 20 || die "the local Gemini server did not start"
  warn "GEMINI_API_KEY is not set: running OFFLINE against the local Gemini-compatible server at $gemini_url"
  warn "(it answers with example products; put a key in .dev.vars or the environment to use the real API)"
fi

say "starting the fleet (supervisor + 7 agents)" | tee -a "$log"
# fleet.sh prints the Workers' own socket, which the web app uses: wrangler
# dev's proxy on $port drops a write now and then (fleet.sh says why). People
# and their curls use the port they asked for.
in_background "$ROOT/scripts/fleet.sh" up --dir "$run" --port "$port" --gemini-url "$gemini_url" \
  --var "ALLOWED_ORIGINS=$web,http://localhost:$web_port" > "$run/url"
url="$(cat "$run/url")"
ok "Parit is up at http://127.0.0.1:$port (first 200 after $(since_start) ms)"

say "building and serving the web app" | tee -a "$log"
in_background env -C "$ROOT/frontend" PARIT_WEB_SUPERVISOR_URL="$url" npm run --silent build > "$run/web-build.log" 2>&1 \
  || { tail -n 40 "$run/web-build.log" >&2; die "the web app did not build"; }
kill_tree "$status_pid"; status_pid=""
# Its own inspector port: wrangler's default, 9229, is taken by any other
# wrangler on the machine (two dev.sh at once met it as "Address already in use").
setsid "$WRANGLER" pages dev "$ROOT/frontend/dist" --port "$web_port" --ip 127.0.0.1 --inspector-port "$(free_port)" \
  --compatibility-date 2026-04-01 --persist-to "$run/pages-state" > "$run/web.log" 2>&1 &
web_pid=$!
wait_for "$web/config.json" 60 || { tail -n 20 "$run/web.log" >&2; die "the web app did not start"; }
ok "the web app is up at $web (after $(since_start) ms)"

# The local owner's API token: kept (mode 600) in $run/token while it works.
token="$(cat "$run/token" 2>/dev/null || true)"
if [[ -z "$token" ]] || [[ "$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $token" "$url/api/projects?limit=1")" != 200 ]]; then
  token="$("$ROOT/scripts/create-token.sh" --owner local --label "dev.sh" --persist-to "$run/state" 2>/dev/null)"
  (umask 077 && printf '%s\n' "$token" > "$run/token")
fi
cat <<TRY

  Web app:  $web   (paste the token below under Connection, once)

  API token (owner "local"; also in $run/token):
    $token

  Try it:
    export PARIT_TOKEN=$token
    curl -s http://127.0.0.1:$port/health
    curl -s -X POST http://127.0.0.1:$port/api/projects -H "authorization: Bearer \$PARIT_TOKEN" -H 'content-type: application/json' \\
      -d '{"name":"Pantry","idea":"Plan a week of meals from what is in the pantry"}'
    curl -s -X POST http://127.0.0.1:$port/api/projects/<id from above>/run -H "authorization: Bearer \$PARIT_TOKEN"
    curl -sN http://127.0.0.1:$port/api/projects/<id>/events -H "authorization: Bearer \$PARIT_TOKEN"

  Logs: $run/wrangler.log, $run/web.log      Stop: Ctrl-C
TRY

# Stay in the foreground while the fleet runs, showing its log.
tail -n 0 -F "$run/wrangler.log" &
tail_pid=$!
while kill -0 "$(cat "$run/pid" 2>/dev/null || echo 0)" 2>/dev/null; do sleep 1 & wait $!; done
die "the fleet stopped unexpectedly; see $run/wrangler.log"
