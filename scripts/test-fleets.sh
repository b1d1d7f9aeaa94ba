# shellcheck shell=bash
# The test command's four fleets, shared by scripts/test.sh and
# scripts/soak-tests.sh. Source it (after lib.sh); do not run it.
#
#   start_test_fleets DIR   starts, under DIR: a local Gemini-compatible server
#                           and four fleets on it (main, with the test-only fault
#                           switch; degraded, without the logic agent; a lone data
#                           agent; limits, with tight abuse limits), mints their
#                           API tokens and exports every PARIT_* variable the
#                           fleet suites read
#   stop_test_fleets DIR    stops all of them (safe to call twice)

start_test_fleets() {
  local run="$1"
  rm -rf "$run"
  mkdir -p "$run"
  # The local Gemini server, and the `parit` CLI the cli suite runs.
  cargo build --quiet -p parit-gemini-local -p parit-cli
  "$ROOT/target/debug/gemini-local" --port 0 > "$run/gemini.log" 2>&1 &
  echo $! > "$run/gemini.pid"
  local i
  for ((i = 0; i < 200; i++)); do grep -q listening "$run/gemini.log" 2>/dev/null && break; sleep 0.05; done
  local gemini_url
  gemini_url="$(grep -o 'http://[0-9.:]*' "$run/gemini.log" | head -n 1 || true)"
  [[ -n "$gemini_url" ]] || die "the local Gemini server did not start: $(cat "$run/gemini.log")"

  # A fake key, random per run, so the suites can prove it never leaks.
  GEMINI_API_KEY="parit-test-key-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  export GEMINI_API_KEY
  local main_port degraded_port agent_port limits_port
  main_port="$(free_port)"; degraded_port="$(free_port)"; agent_port="$(free_port)"; limits_port="$(free_port)"
  local common=(--gemini-url "$gemini_url" --timeout-ms 4000)
  # The test-only fault switch is on in the main fleet alone, with a random secret.
  # The main fleet runs the instrumented supervisor (build-workers.sh --meter):
  # the free_plan suite reads what each invocation spent from its log.
  PARIT_FAULT_SECRET="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  local pids=()
  "$ROOT/scripts/fleet.sh" up --dir "$run/main" --port "$main_port" "${common[@]}" --rate-limit 1000000 --meter \
    --var MAX_PROJECTS_PER_OWNER=0 --var DAILY_TOKENS_PER_OWNER=0 --var "FAULT_INJECTION_SECRET=$PARIT_FAULT_SECRET" > "$run/main.up" 2>&1 &
  pids+=($!)
  "$ROOT/scripts/fleet.sh" up --dir "$run/degraded" --port "$degraded_port" --omit logic "${common[@]}" > "$run/degraded.up" 2>&1 &
  pids+=($!)
  "$ROOT/scripts/fleet.sh" up --dir "$run/agent" --port "$agent_port" --only data "${common[@]}" > "$run/agent.up" 2>&1 &
  pids+=($!)
  # Tight limits, for the abuse-limit suite.
  "$ROOT/scripts/fleet.sh" up --dir "$run/limits" --port "$limits_port" "${common[@]}" --rate-limit 60 \
    --var MAX_PROJECTS_PER_OWNER=3 --var DAILY_TOKENS_PER_OWNER=12000 > "$run/limits.up" 2>&1 &
  pids+=($!)
  local p
  for p in "${pids[@]}"; do wait "$p" || { cat "$run"/*.up >&2; die "a fleet did not start"; }; done
  ok "fleets up: supervisor $main_port, degraded $degraded_port, data agent $agent_port, limits $limits_port, gemini $gemini_url"

  mint() { "$ROOT/scripts/create-token.sh" --owner "$2" --label "test" --persist-to "$run/$1/state" 2>/dev/null; }
  PARIT_TOKEN="$(mint main alice)"; PARIT_TOKEN_B="$(mint main bob)"; PARIT_DEGRADED_TOKEN="$(mint degraded alice)"
  PARIT_LIMITS_TOKEN="$(mint limits carol)"; PARIT_LIMITS_TOKEN_2="$(mint limits dave)"; PARIT_LIMITS_TOKEN_3="$(mint limits erin)"
  [[ -n "$PARIT_TOKEN" && -n "$PARIT_TOKEN_B" && -n "$PARIT_DEGRADED_TOKEN" && -n "$PARIT_LIMITS_TOKEN" \
    && -n "$PARIT_LIMITS_TOKEN_2" && -n "$PARIT_LIMITS_TOKEN_3" ]] || die "could not mint the fleets' API tokens"
  export PARIT_TOKEN PARIT_TOKEN_B PARIT_DEGRADED_TOKEN PARIT_LIMITS_TOKEN PARIT_LIMITS_TOKEN_2 PARIT_LIMITS_TOKEN_3 PARIT_FAULT_SECRET

  # Each fleet's URL is the one fleet.sh printed: the Workers' own socket, not
  # wrangler dev's proxy on the port above (fleet.sh says why).
  fleet_url() { grep -o '^http://127\.0\.0\.1:[0-9]*$' "$run/$1.up" | tail -n 1; }
  PARIT_SUPERVISOR_URL="$(fleet_url main)"; PARIT_DEGRADED_URL="$(fleet_url degraded)"
  PARIT_LIMITS_URL="$(fleet_url limits)"; PARIT_AGENT_URL="$(fleet_url agent)"
  [[ -n "$PARIT_SUPERVISOR_URL" && -n "$PARIT_DEGRADED_URL" && -n "$PARIT_LIMITS_URL" && -n "$PARIT_AGENT_URL" ]] \
    || die "a fleet did not say its URL: $(cat "$run"/*.up)"
  export PARIT_SUPERVISOR_URL PARIT_DEGRADED_URL PARIT_LIMITS_URL PARIT_AGENT_URL
  export PARIT_GEMINI_URL="$gemini_url"
  export PARIT_TEST_KEY="$GEMINI_API_KEY"
  export PARIT_FLEET_DIR="$run/main"
  export PARIT_WRANGLER="$WRANGLER"
  export PARIT_ROOT="$ROOT"
  # Figures for docs/RELIABILITY.md (bench/reliability.sh runs test.sh with larger sizes).
  export PARIT_FIGURES_DIR="$run/figures" PARIT_FUZZ_OUT="$run/figures/fuzz" PARIT_LOAD_OUT="$run/figures/load"
}

stop_test_fleets() {
  local run="$1" f
  for f in main degraded agent limits; do "$ROOT/scripts/fleet.sh" down --dir "$run/$f" 2>/dev/null || true; done
  if [[ -f "$run/gemini.pid" ]]; then kill "$(cat "$run/gemini.pid")" 2>/dev/null || true; rm -f "$run/gemini.pid"; fi
}
