#!/usr/bin/env bash
# Starts or stops the whole fleet locally: the supervisor, the seven agents
# and the bridge in one `wrangler dev` (workerd, local D1 and R2), from already built
# Workers (scripts/build-workers.sh).
#
#   scripts/fleet.sh up --dir DIR --port PORT --gemini-url URL [options]
#   scripts/fleet.sh down --dir DIR
#
# up options:
#   --omit STAGE        leave that agent out (its binding is then unreachable)
#   --only STAGE        run just that agent, as the primary Worker on PORT
#   --timeout-ms N      the agents' Gemini client timeout (GEMINI_TIMEOUT_MS)
#   --rate-limit N      requests per minute per token (API_RATE_LIMIT) and per
#                       address or owner on /health (HEALTH_RATE_LIMIT)
#   --meter             run the instrumented supervisor (scripts/build-workers.sh
#                       --meter supervisor): each invocation logs a {"meter": ...}
#                       line of what it spent into DIR/wrangler.log
#   --var NAME=VALUE    a supervisor var for this fleet (repeatable), e.g.
#                       MAX_PROJECTS_PER_OWNER=5 or FAULT_INJECTION_SECRET=...
#                       (the test-only fault switch; never set in production)
#
# Each run's configs are generated under DIR/config from workers/*/wrangler.toml
# (absolute `main`, no build step) with each agent's .dev.vars holding
# GEMINI_API_KEY (from the environment, else a placeholder for local servers)
# and GEMINI_BASE_URL. The repo's own configs and .dev.vars are never touched.
# D1 and R2 state persist in DIR/state; migrations are applied before start.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; }

cmd="${1:-}"; shift || true
if [[ "$cmd" == -h || "$cmd" == --help ]]; then usage; exit 0; fi
dir=""; port=""; gemini_url=""; timeout_ms=""; omit=(); only=""; rate_limit=""; vars=(); meter=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --gemini-url) gemini_url="$2"; shift 2 ;;
    --timeout-ms) timeout_ms="$2"; shift 2 ;;
    --omit) omit+=("$2-agent"); shift 2 ;;
    --only) only="$2-agent"; shift 2 ;;
    --rate-limit) rate_limit="$2"; shift 2 ;;
    --meter) meter=true; shift ;;
    --var) [[ "$2" == *=* ]] || die "--var takes NAME=VALUE"; vars+=("$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
[[ -n "$dir" ]] || { usage >&2; die "--dir is required"; }
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
# wrangler's dev registry joins service bindings across every `wrangler dev`
# sharing it: give each fleet its own, or a test fleet without an agent would
# quietly reach another fleet's.
export WRANGLER_REGISTRY_PATH="$dir/registry"

down() {
  if [[ -f "$dir/pid" ]]; then
    local pid; pid="$(cat "$dir/pid")"
    # wrangler was started in its own process group; workerd is in it too.
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$dir/pid"
  fi
}

generate_config() {
  local w="$1" out="$dir/config/$1" build=build
  if [[ "$w" == supervisor && "$meter" == true ]]; then build="build-meter"; fi
  mkdir -p "$out"
  [[ -f "$ROOT/workers/$w/$build/index.js" ]] || die "workers/$w/$build is not built: run scripts/build-workers.sh"
  # Drop the [build] table (already built), make paths absolute.
  awk -v main="$ROOT/workers/$w/$build/index.js" -v migrations="$ROOT/migrations" -v assets="$ROOT/workers/$w/public" \
    -v limit="$rate_limit" '
    /^\[build\]/ { skip = 1; next }
    /^\[/ { skip = 0 }
    skip { next }
    /^main = / { print "main = \"" main "\""; next }
    /^migrations_dir = / { print "migrations_dir = \"" migrations "\""; next }
    /^directory = / { print "directory = \"" assets "\""; next }
    /^simple = / && limit != "" { sub(/limit = [0-9]+/, "limit = " limit) }
    { print }
  ' "$ROOT/workers/$w/wrangler.toml" > "$out/wrangler.toml"
  if [[ "$w" == supervisor && ${#vars[@]} -gt 0 ]]; then
    printf '%s\n' "${vars[@]}" > "$out/.dev.vars"
    chmod 600 "$out/.dev.vars"
  fi
  if [[ "$w" == *-agent ]]; then
    {
      echo "GEMINI_API_KEY=${GEMINI_API_KEY:-parit-local-placeholder-key}"
      echo "GEMINI_BASE_URL=$gemini_url"
      [[ -n "$timeout_ms" ]] && echo "GEMINI_TIMEOUT_MS=$timeout_ms"
      [[ -n "${GEMINI_MODEL:-}" ]] && echo "GEMINI_MODEL=$GEMINI_MODEL"
      true
    } > "$out/.dev.vars"
    chmod 600 "$out/.dev.vars"
  fi
}

up() {
  [[ -n "$port" ]] || die "--port is required"
  [[ -n "$gemini_url" ]] || die "--gemini-url is required"
  down
  rm -rf "$dir/config"
  local configs=()
  if [[ -n "$only" ]]; then
    generate_config "$only"
    configs+=(-c "$dir/config/$only/wrangler.toml")
  else
    generate_config supervisor
    configs+=(-c "$dir/config/supervisor/wrangler.toml")
    for a in "${AGENTS[@]}" bridge; do
      if [[ " ${omit[*]:-} " == *" $a "* ]]; then continue; fi
      generate_config "$a"
      configs+=(-c "$dir/config/$a/wrangler.toml")
    done
    mkdir -p "$dir/state"
    "$WRANGLER" d1 migrations apply parit_db --local -c "$dir/config/supervisor/wrangler.toml" \
      --persist-to "$dir/state" > "$dir/migrate.log" 2>&1 || { cat "$dir/migrate.log" >&2; die "migrations failed"; }
  fi
  local inspector; inspector="$(free_port)"
  setsid "$WRANGLER" dev "${configs[@]}" --port "$port" --ip 127.0.0.1 --inspector-port "$inspector" \
    --persist-to "$dir/state" --show-interactive-dev-session=false > "$dir/wrangler.log" 2>&1 < /dev/null &
  echo $! > "$dir/pid"
  local path="/"
  [[ -n "$only" ]] && path="/health"
  if ! wait_for "http://127.0.0.1:$port$path" 90; then
    tail -n 30 "$dir/wrangler.log" >&2
    down
    die "the fleet did not answer on port $port"
  fi
  local url
  if ! url="$(workers_url "$(cat "$dir/pid")" "$port" "$path")"; then
    down
    die "could not find the Workers' own socket behind wrangler dev's proxy on port $port"
  fi
  echo "$url"
}

# The URL of the Workers' own socket in workerd, behind wrangler dev's proxy
# on --port. Clients use it rather than the proxy: the proxy's workerd keeps
# its connections to the Workers' workerd alive exactly as long as that
# workerd keeps them open (5 s), so a request the proxy sends on a connection
# idle for about 5 s meets it closing. The proxy then retries a GET, but
# answers any other method (a CORS preflight too) 503 "Your worker restarted
# mid-request" (wrangler 4.86; 4.164 still retries only GET and HEAD).
# Measured: of 108 POSTs through the proxy sent 4.98 to 5.02 s after the one
# before (two series), 7 met it, all 4.99 s after; of 54 on this socket, none.
# It is the one port of a workerd in the fleet's process group (wrangler's,
# $1) that answers PATH ($3) exactly as the proxy ($2) does.
workers_url() {
  local group="$1" public="$2" path="$3" want pid p
  want="$(curl -sf -m 10 "http://127.0.0.1:$public$path")" || return 1
  for pid in $(pgrep -g "$group" -x workerd); do
    for p in $(ss -Hltnp | awk -v pid="pid=$pid," 'index($0, pid) { n = split($4, a, ":"); print a[n] }'); do
      [[ "$p" == "$public" ]] && continue
      if [[ "$(curl -sf -m 2 "http://127.0.0.1:$p$path" 2>/dev/null)" == "$want" ]]; then
        echo "http://127.0.0.1:$p"
        return 0
      fi
    done
  done
  return 1
}

case "$cmd" in
  up) up ;;
  down) down ;;
  *) usage >&2; exit 2 ;;
esac
