#!/usr/bin/env bash
# Sets up the toolchain and runs every test Parit has:
#   1. cargo fmt --check, clippy -D warnings (host and wasm32)
#   2. the native suites (domain crate, local Gemini server)
#   3. the renders (DDL, OpenAPI, Mermaid, deploy config, export) checked by
#      sqlite3, PostgreSQL, openapi-spec-validator, Mermaid in Chromium,
#      wrangler and unzip, on the examples and on property-generated artifacts
#   4. a release build of the eight Workers
#   5. the fleet suites, against real workerd with local D1 and R2, on four
#      fleets sharing one local Gemini-compatible server: the full fleet (with
#      the test-only fault switch), one whose logic agent is stopped, a lone
#      data agent, and one with tight abuse limits. API tokens are minted per
#      fleet with scripts/create-token.sh. Then: schemathesis against
#      /openapi.json, a bounded wrk load, and the secrets search over
#      everything the suites left behind
#   6. the operations scripts (deploys against a recording fake wrangler,
#      migrations and dry-run bundling with the real one, shellcheck, actionlint)
#   7. the browser suite (e2e/, Playwright with Debian's Chromium): the built
#      frontend (served by Vite's preview server) against its own fleet and local
#      Gemini server, which its global setup starts and stops
# --fleet-only skips 1-3 and 7 (bench/reliability.sh uses it with larger sizes).
# Everything it starts is stopped when it ends, pass or fail.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

fleet_only=false
if [[ "${1:-}" == "--fleet-only" ]]; then fleet_only=true; shift; fi
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0
fi

"$ROOT/scripts/setup.sh"

if [[ "$fleet_only" == false ]]; then
say "formatting"
cargo fmt --all --check
say "clippy (host)"
cargo clippy --workspace --all-targets --quiet -- -D warnings
say "clippy (wasm32)"
wasm_crates=(-p parit-shared -p parit-agent-runtime -p parit-supervisor)
for a in "${AGENTS[@]}"; do wasm_crates+=(-p "parit-$a"); done
cargo clippy --target wasm32-unknown-unknown "${wasm_crates[@]}" --quiet -- -D warnings

say "native tests"
cargo test --quiet

say "renders, checked by independent tools"
"$ROOT/tests/truth/run.sh"
fi

say "building the Workers"
"$ROOT/scripts/build-workers.sh"

say "building the frontend (type check, then Vite)"
(cd "$ROOT/frontend" && npm run --silent build > "$ROOT/.wrangler/frontend-build.log" 2>&1) \
  || { tail -n 40 "$ROOT/.wrangler/frontend-build.log" >&2; die "the frontend did not build"; }

say "starting the fleets"
run="$ROOT/.parit/test"
rm -rf "$run"
mkdir -p "$run"
cargo build --quiet -p parit-gemini-local
gemini_pid=""
cleanup() {
  for f in main degraded agent limits; do "$ROOT/scripts/fleet.sh" down --dir "$run/$f" 2>/dev/null || true; done
  if [[ -n "$gemini_pid" ]]; then kill "$gemini_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

"$ROOT/target/debug/gemini-local" --port 0 > "$run/gemini.log" 2>&1 &
gemini_pid=$!
for _ in $(seq 1 40); do grep -q listening "$run/gemini.log" 2>/dev/null && break; sleep 0.25; done
gemini_url="$(grep -o 'http://[0-9.:]*' "$run/gemini.log" | head -n 1)"
[[ -n "$gemini_url" ]] || die "the local Gemini server did not start: $(cat "$run/gemini.log")"

# A fake key, random per run, so the suites can prove it never leaks.
GEMINI_API_KEY="parit-test-key-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export GEMINI_API_KEY
main_port="$(free_port)"; degraded_port="$(free_port)"; agent_port="$(free_port)"; limits_port="$(free_port)"
common=(--gemini-url "$gemini_url" --timeout-ms 4000)
# The test-only fault switch is on in the main fleet alone, with a random secret.
PARIT_FAULT_SECRET="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
"$ROOT/scripts/fleet.sh" up --dir "$run/main" --port "$main_port" "${common[@]}" --rate-limit 1000000 \
  --var MAX_PROJECTS_PER_OWNER=0 --var DAILY_TOKENS_PER_OWNER=0 --var "FAULT_INJECTION_SECRET=$PARIT_FAULT_SECRET" > "$run/main.up" 2>&1 &
p1=$!
"$ROOT/scripts/fleet.sh" up --dir "$run/degraded" --port "$degraded_port" --omit logic "${common[@]}" > "$run/degraded.up" 2>&1 &
p2=$!
"$ROOT/scripts/fleet.sh" up --dir "$run/agent" --port "$agent_port" --only data "${common[@]}" > "$run/agent.up" 2>&1 &
p3=$!
# Tight limits, for the abuse-limit suite.
"$ROOT/scripts/fleet.sh" up --dir "$run/limits" --port "$limits_port" "${common[@]}" --rate-limit 60 \
  --var MAX_PROJECTS_PER_OWNER=3 --var DAILY_TOKENS_PER_OWNER=12000 > "$run/limits.up" 2>&1 &
p4=$!
for p in $p1 $p2 $p3 $p4; do wait "$p" || { cat "$run"/*.up >&2; die "a fleet did not start"; }; done
ok "fleets up: supervisor $main_port, degraded $degraded_port, data agent $agent_port, limits $limits_port, gemini $gemini_url"

say "minting API tokens"
mint() { "$ROOT/scripts/create-token.sh" --owner "$2" --label "test" --persist-to "$run/$1/state" 2>/dev/null; }
PARIT_TOKEN="$(mint main alice)"; PARIT_TOKEN_B="$(mint main bob)"; PARIT_DEGRADED_TOKEN="$(mint degraded alice)"
PARIT_LIMITS_TOKEN="$(mint limits carol)"; PARIT_LIMITS_TOKEN_2="$(mint limits dave)"; PARIT_LIMITS_TOKEN_3="$(mint limits erin)"
export PARIT_TOKEN PARIT_TOKEN_B PARIT_DEGRADED_TOKEN PARIT_LIMITS_TOKEN PARIT_LIMITS_TOKEN_2 PARIT_LIMITS_TOKEN_3 PARIT_FAULT_SECRET

say "fleet tests"
export PARIT_SUPERVISOR_URL="http://127.0.0.1:$main_port"
export PARIT_DEGRADED_URL="http://127.0.0.1:$degraded_port"
export PARIT_LIMITS_URL="http://127.0.0.1:$limits_port"
export PARIT_AGENT_URL="http://127.0.0.1:$agent_port"
export PARIT_GEMINI_URL="$gemini_url"
export PARIT_TEST_KEY="$GEMINI_API_KEY"
export PARIT_FLEET_DIR="$run/main"
export PARIT_WRANGLER="$WRANGLER"
export PARIT_ROOT="$ROOT"
# Figures for docs/RELIABILITY.md (bench/reliability.sh runs this with larger sizes).
export PARIT_FIGURES_DIR="$run/figures" PARIT_FUZZ_OUT="$run/figures/fuzz" PARIT_LOAD_OUT="$run/figures/load"
cargo test --quiet -p parit-fleet-tests -- --test-threads 4 --skip no_secret_reaches_any_surface

say "fuzzing the API with schemathesis"
"$ROOT/tests/fuzz/run.sh"

say "load: wrk on loopback"
"$ROOT/tests/load/run.sh"

say "secrets: searching every surface the suites left behind"
cargo test --quiet -p parit-fleet-tests --test secrets -- --nocapture

say "operations scripts"
"$ROOT/tests/ops/run.sh"

# The browser suite starts its own fleet; these four are done.
cleanup
if [[ "$fleet_only" == false ]]; then
  say "browser end-to-end scenarios (Playwright, Chromium)"
  (cd "$ROOT/e2e" && npx --no-install playwright test)
fi
ok "all tests passed"
