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
cargo test --quiet -p parit-fleet-tests --no-run 2>/dev/null

out="$ROOT/.parit/soak"
rm -rf "$out"; mkdir -p "$out"
fleets="$out/fleets"
trap 'stop_test_fleets "$fleets"' EXIT

for ((round = 1; round <= runs; round++)); do
  log="$out/round-$round.log"
  started=$SECONDS
  start_test_fleets "$fleets" > "$log" 2>&1 || { cat "$log" >&2; die "round $round: the fleets did not start"; }
  # Names as cargo prints them ("test x ... ok"), prefixed with their suite.
  cargo test -p parit-fleet-tests --no-fail-fast -- --test-threads 4 --skip no_secret_reaches_any_surface "${filter[@]}" \
    >> "$log" 2>&1 || true
  if [[ "$fuzz" == true ]]; then
    if "$ROOT/tests/fuzz/run.sh" >> "$log" 2>&1; then echo "test fuzz::schemathesis ... ok" >> "$log"
    else echo "test fuzz::schemathesis ... FAILED" >> "$log"; fi
  fi
  stop_test_fleets "$fleets"
  awk '/Running (tests|unittests)\/?/ { n = $2; sub(/^tests\//, "", n); sub(/\.rs$/, "", n); suite = n }
       /^test .* \.\.\. (ok|FAILED)$/ { print $NF, suite "::" $2 }' \
    "$log" > "$out/round-$round.results"
  failed="$(grep -c '^FAILED' "$out/round-$round.results" || true)"
  total="$(wc -l < "$out/round-$round.results")"
  [[ "$total" -gt 0 ]] || { tail -n 40 "$log" >&2; die "round $round ran no test"; }
  say "round $round of $runs: $total tests, $failed failed ($((SECONDS - started)) s)"
done

cat "$out"/round-*.results | awk -v runs="$runs" '
  { seen[$2]++; if ($1 == "FAILED") bad[$2]++ }
  END {
    n = 0; for (t in seen) { tests++; if (bad[t]) { printf "FLAKY %s: failed %d of %d runs (%.0f%%)\n", t, bad[t], seen[t], 100 * bad[t] / seen[t]; n++ } }
    printf "%d tests, %d rounds, %d flaky\n", tests, runs, n
  }' | sort > "$out/report.txt"
cat "$out/report.txt"
! grep -q '^FLAKY' "$out/report.txt"
