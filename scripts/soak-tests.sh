#!/usr/bin/env bash
# Runs the fleet suites again and again, each time on fresh fleets (the four
# of scripts/test.sh, on a fresh local Gemini server), and reports every test
# that failed in any run, by name, with its failure rate.
#
#   scripts/soak-tests.sh [--runs N] [--fuzz] [--filter TEXT]
#
#   --runs N       how many rounds (default 10)
#   --fuzz         also run the schemathesis passes (tests/fuzz/run.sh) each round
#   --filter TEXT  only the fleet tests whose name contains TEXT
#
# Each round's output is kept in .parit/soak/round-K.log; the tally goes to
# .parit/soak/report.txt. Exits 1 when any test failed in any round.
# Needs what scripts/test.sh builds (it runs scripts/setup.sh and builds the
# Workers first, both no-ops when current).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=test-fleets.sh
source "$ROOT/scripts/test-fleets.sh"
cd "$ROOT"

runs=10; fuzz=false; filter=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --fuzz) fuzz=true; shift ;;
    --filter) filter=("$2"); shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "--runs takes a whole number above 0"

"$ROOT/scripts/setup.sh" > /dev/null
"$ROOT/scripts/build-workers.sh" > /dev/null
"$ROOT/scripts/build-workers.sh" --meter supervisor > /dev/null
cargo test --quiet -p parit-fleet-tests --no-run

out="$ROOT/.parit/soak"
rm -rf "$out"; mkdir -p "$out"
fleets="$out/fleets"
log=""
# On a failure, the round's log says why (start_test_fleets dies into it).
trap 'status=$?; stop_test_fleets "$fleets"; if [[ $status -ne 0 && -n "$log" ]]; then tail -n 40 "$log" >&2; fi' EXIT

# One round, in a subshell so that a fleet that fails to start (which dies)
# ends the round, not the soak: it counts as a failed round.
round_of() {
  local results="$1" log="$2" status=0
  start_test_fleets "$fleets" > "$log" 2>&1 || exit 3
  # Names as cargo prints them ("test x ... ok"), after their suite's "Running" line.
  cargo test --color never -p parit-fleet-tests --no-fail-fast -- --color never --test-threads 4 \
    --skip no_secret_reaches_any_surface "${filter[@]}" >> "$log" 2>&1 || status=$?
  awk '/Running (tests|unittests)\/?/ { n = $2; sub(/^tests\//, "", n); sub(/\.rs$/, "", n); suite = n }
       /^test .* \.\.\. (ok|FAILED)$/ { print $NF, suite "::" $2 }' "$log" > "$results"
  # A suite that crashed or did not build loses its tests' lines: count that too.
  if [[ $status -ne 0 ]] && ! grep -q '^FAILED' "$results"; then
    echo "FAILED cargo::the-run-ended-with-status-$status" >> "$results"
  fi
  if [[ "$fuzz" == true ]]; then
    if "$ROOT/tests/fuzz/run.sh" >> "$log" 2>&1; then echo "ok fuzz::schemathesis" >> "$results"
    else echo "FAILED fuzz::schemathesis" >> "$results"; fi
  fi
}

for ((round = 1; round <= runs; round++)); do
  log="$out/round-$round.log" results="$out/round-$round.results"
  started=$SECONDS
  : > "$results"
  ( round_of "$results" "$log" ) || echo "FAILED fleets::the-four-fleets-start" >> "$results"
  stop_test_fleets "$fleets"
  failed="$(grep -c '^FAILED' "$results" || true)"
  total="$(wc -l < "$results")"
  say "round $round of $runs: $total results, $failed failed ($((SECONDS - started)) s)"
  [[ "$failed" == 0 ]] || grep '^FAILED' "$results" | sed 's/^/    /'
done

awk -v runs="$runs" '
  $2 ~ /^fleets::/ { down[FILENAME] = 1 }
  { seen[$2]++; if ($1 == "FAILED") bad[$2]++ }
  END {
    for (f in down) nodown++
    ran = runs - nodown
    # A test missing from a round whose fleets started (its suite crashed) failed it.
    n = 0; for (t in seen) { tests++; f = bad[t] + (t ~ /^(fleets|cargo)::/ ? 0 : ran - seen[t]); of = (t ~ /^fleets::/ ? runs : ran)
      if (f) { printf "FLAKY %s: failed %d of %d runs (%.0f%%)\n", t, f, of, 100 * f / of; n++ } }
    printf "%d tests, %d rounds (%d with all fleets up), %d flaky\n", tests, runs, ran, n
  }' "$out"/round-*.results | sort > "$out/report.txt"
cat "$out/report.txt"
! grep -q '^FLAKY' "$out/report.txt"
