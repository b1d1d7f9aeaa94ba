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
cargo test --quiet -p parit-fleet-tests --no-run

out="$ROOT/.parit/soak"
rm -rf "$out"; mkdir -p "$out"
fleets="$out/fleets"
log=""
# On a failure, the round's log says why (start_test_fleets dies into it).
trap 'status=$?; stop_test_fleets "$fleets"; if [[ $status -ne 0 && -n "$log" ]]; then tail -n 40 "$log" >&2; fi' EXIT

for ((round = 1; round <= runs; round++)); do
  log="$out/round-$round.log"
  started=$SECONDS
  start_test_fleets "$fleets" > "$log" 2>&1
  # Names as cargo prints them ("test x ... ok"), after their suite's "Running" line.
  status=0
  cargo test --color never -p parit-fleet-tests --no-fail-fast -- --color never --test-threads 4 \
    --skip no_secret_reaches_any_surface "${filter[@]}" >> "$log" 2>&1 || status=$?
  awk '/Running (tests|unittests)\/?/ { n = $2; sub(/^tests\//, "", n); sub(/\.rs$/, "", n); suite = n }
       /^test .* \.\.\. (ok|FAILED)$/ { print $NF, suite "::" $2 }' "$log" > "$out/round-$round.results"
  # A suite that crashed or did not build loses its tests' lines: count that too.
  if [[ $status -ne 0 ]] && ! grep -q '^FAILED' "$out/round-$round.results"; then
    echo "FAILED cargo::the-run-ended-with-status-$status" >> "$out/round-$round.results"
  fi
  if [[ "$fuzz" == true ]]; then
    if "$ROOT/tests/fuzz/run.sh" >> "$log" 2>&1; then echo "ok fuzz::schemathesis" >> "$out/round-$round.results"
    else echo "FAILED fuzz::schemathesis" >> "$out/round-$round.results"; fi
  fi
  stop_test_fleets "$fleets"
  failed="$(grep -c '^FAILED' "$out/round-$round.results" || true)"
  total="$(wc -l < "$out/round-$round.results")"
  [[ "$total" -gt 0 ]] || { tail -n 40 "$log" >&2; die "round $round ran no test"; }
  say "round $round of $runs: $total tests, $failed failed ($((SECONDS - started)) s)"
done

cat "$out"/round-*.results | awk -v runs="$runs" '
  { seen[$2]++; if ($1 == "FAILED") bad[$2]++ }
  END {
    # A test missing from a round (its suite crashed) failed that round.
    n = 0; for (t in seen) { tests++; f = bad[t] + runs - seen[t]
      if (f) { printf "FLAKY %s: failed %d of %d runs (%.0f%%)\n", t, f, runs, 100 * f / runs; n++ } }
    printf "%d tests, %d rounds, %d flaky\n", tests, runs, n
  }' | sort > "$out/report.txt"
cat "$out/report.txt"
! grep -q '^FLAKY' "$out/report.txt"
