#!/usr/bin/env bash
# Sets up the toolchain and runs every test Parit has:
#   1. cargo fmt --check, no import cycles between files or folders
#      (tests/imports.py), docs/ARCHITECTURE.md's module trees against the
#      code (tests/architecture.py), clippy -D warnings (host and wasm32)
#   2. the native suites (domain crate, importers, CLI, local Gemini server,
#      the supervisor's request, error and row mapping)
#   3. the renders (DDL, OpenAPI, Mermaid, deploy config, export) checked by
#      sqlite3, PostgreSQL, openapi-spec-validator, Mermaid in Chromium,
#      wrangler and unzip, on the examples and on property-generated artifacts
#   4. a release build of the Workers (the supervisor also instrumented, for
#      the main fleet) and of the web app, and the web
#      app's unit tests (frontend/tests, Node's test runner)
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
# shellcheck source=test-fleets.sh
source "$ROOT/scripts/test-fleets.sh"
cd "$ROOT"

fleet_only=false
if [[ "${1:-}" == "--fleet-only" ]]; then fleet_only=true; shift; fi
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0
fi

"$ROOT/scripts/setup.sh"
# The browser for Mermaid's renders and the browser suite (Debian's chromium
# here, Google Chrome on GitHub's runners, or $PARIT_CHROMIUM).
PARIT_CHROMIUM="$(find_chromium)" || die "no Chromium or Chrome found: scripts/doctor.sh"
export PARIT_CHROMIUM

if [[ "$fleet_only" == false ]]; then
say "formatting"
cargo fmt --all --check
say "no import cycles between files or folders (every crate of the product, the CLI, the web app)"
python3 tests/imports.py
say "docs/ARCHITECTURE.md draws every source folder as it is (tests/architecture.py)"
python3 tests/architecture.py
say "clippy (host)"
cargo clippy --workspace --all-targets --quiet -- -D warnings
say "clippy (wasm32)"
wasm_crates=(-p parit-shared -p parit-agent-runtime -p parit-supervisor -p parit-bridge)
for a in "${AGENTS[@]}"; do wasm_crates+=(-p "parit-$a"); done
cargo clippy --target wasm32-unknown-unknown "${wasm_crates[@]}" --quiet -- -D warnings

say "native tests (the domain, importers, CLI, local Gemini server, and the supervisor's mapping and rows)"
cargo test --quiet
cargo test --quiet -p parit-supervisor

say "renders, checked by independent tools"
"$ROOT/tests/truth/run.sh"
fi

say "building the Workers"
"$ROOT/scripts/build-workers.sh"
say "building the instrumented supervisor (the main test fleet runs it: the free_plan suite reads what each invocation spent)"
"$ROOT/scripts/build-workers.sh" --meter supervisor

say "building the frontend (type check, then Vite)"
(cd "$ROOT/frontend" && npm run --silent build > "$ROOT/.wrangler/frontend-build.log" 2>&1) \
  || { tail -n 40 "$ROOT/.wrangler/frontend-build.log" >&2; die "the frontend did not build"; }
say "web app unit tests"
"$ROOT/frontend/tests/run.sh" > "$ROOT/.wrangler/frontend-unit.log" 2>&1 \
  || { cat "$ROOT/.wrangler/frontend-unit.log" >&2; die "the web app's unit tests failed"; }

say "starting the fleets"
run="$ROOT/.parit/test"
trap 'stop_test_fleets "$run"' EXIT
start_test_fleets "$run"

say "fleet tests"
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
stop_test_fleets "$run"
if [[ "$fleet_only" == false ]]; then
  say "browser end-to-end scenarios (Playwright, Chromium)"
  (cd "$ROOT/e2e" && npx --no-install playwright test)
fi
ok "all tests passed"
