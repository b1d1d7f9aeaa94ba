#!/usr/bin/env bash
# Sets up the toolchain and runs every test Parit has:
#   1. cargo fmt --check, clippy -D warnings (host and wasm32)
#   2. the native suites (domain crate, local Gemini server)
#   3. the renders (DDL, OpenAPI, Mermaid, deploy config, export) checked by
#      sqlite3, PostgreSQL, openapi-spec-validator, Mermaid in Chromium,
#      wrangler and unzip, on the examples and on property-generated artifacts
#   4. a release build of the eight Workers
#   5. the fleet suites, against real workerd with local D1 and R2:
#      the full fleet, a fleet whose logic agent is stopped, and a lone data
#      agent, all pointed at one local Gemini-compatible server
#   6. the operations scripts (deploys against a recording fake wrangler,
#      migrations and dry-run bundling with the real one, shellcheck, actionlint)
# Everything it starts is stopped when it ends, pass or fail.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0
fi

"$ROOT/scripts/setup.sh"

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

say "building the Workers"
"$ROOT/scripts/build-workers.sh"

say "starting the fleets"
run="$ROOT/.parit/test"
rm -rf "$run"
mkdir -p "$run"
cargo build --quiet -p parit-gemini-local
gemini_pid=""
cleanup() {
  for f in main degraded agent; do "$ROOT/scripts/fleet.sh" down --dir "$run/$f" 2>/dev/null || true; done
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
main_port="$(free_port)"; degraded_port="$(free_port)"; agent_port="$(free_port)"
common=(--gemini-url "$gemini_url" --timeout-ms 2000)
"$ROOT/scripts/fleet.sh" up --dir "$run/main" --port "$main_port" "${common[@]}" > "$run/main.up" 2>&1 &
p1=$!
"$ROOT/scripts/fleet.sh" up --dir "$run/degraded" --port "$degraded_port" --omit logic "${common[@]}" > "$run/degraded.up" 2>&1 &
p2=$!
"$ROOT/scripts/fleet.sh" up --dir "$run/agent" --port "$agent_port" --only data "${common[@]}" > "$run/agent.up" 2>&1 &
p3=$!
for p in $p1 $p2 $p3; do wait "$p" || { cat "$run"/*.up >&2; die "a fleet did not start"; }; done
ok "fleets up: supervisor $main_port, degraded $degraded_port, data agent $agent_port, gemini $gemini_url"

say "fleet tests"
PARIT_SUPERVISOR_URL="http://127.0.0.1:$main_port" \
PARIT_DEGRADED_URL="http://127.0.0.1:$degraded_port" \
PARIT_AGENT_URL="http://127.0.0.1:$agent_port" \
PARIT_GEMINI_URL="$gemini_url" \
PARIT_TEST_KEY="$GEMINI_API_KEY" \
PARIT_FLEET_DIR="$run/main" \
PARIT_WRANGLER="$WRANGLER" \
PARIT_ROOT="$ROOT" \
  cargo test --quiet -p parit-fleet-tests -- --test-threads 4

say "operations scripts"
PARIT_SUPERVISOR_URL="http://127.0.0.1:$main_port" \
PARIT_DEGRADED_URL="http://127.0.0.1:$degraded_port" \
  "$ROOT/tests/ops/run.sh"
ok "all tests passed"
