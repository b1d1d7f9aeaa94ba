#!/usr/bin/env bash
# Builds and deploys Parit's nine Workers: the seven agents and the bridge in
# parallel, then the supervisor (it binds to them, so it goes last, and not at
# all if any of them failed).
#
#   scripts/deploy-parallel.sh [--dry-run] [--sequential] [--only prd,data,supervisor] [--skip-build]
#
#   --dry-run      `wrangler deploy --dry-run --outdir`: real bundling, no account needed
#   --sequential   one Worker at a time (clearer errors)
#   --only LIST    deploy a subset (agents by stage or name, bridge, supervisor)
#   --skip-build   use the Workers already built
#
# Each Worker logs to .parit/deploy/<time>/<worker>.log. Prints a summary
# (worker, result, seconds) and exits non-zero naming every Worker that failed.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

dry_run=false; sequential=false; build=true
targets=("${WORKERS[@]}")
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) dry_run=true; shift ;;
    --sequential) sequential=true; shift ;;
    --skip-build) build=false; shift ;;
    --only) mapfile -t targets < <(worker_names "$2"); shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
for w in "${targets[@]}"; do
  [[ -f "workers/$w/wrangler.toml" ]] || die "no such Worker: $w"
done

logs="$ROOT/.parit/deploy/$(date +%Y%m%d-%H%M%S)-$$"
mkdir -p "$logs"
if [[ "$build" == true ]]; then
  say "building ${targets[*]}"
  # One target dir for all: cargo builds them one after another anyway.
  "$ROOT/scripts/build-workers.sh" "${targets[@]}" > "$logs/build.log" 2>&1 || { tail -n 30 "$logs/build.log" >&2; die "build failed; see $logs/build.log"; }
fi

# deploy_one WORKER: deploys and records "worker rc seconds" in $logs/results.
deploy_one() {
  local w="$1" started ended rc=0
  local args=(deploy -c "workers/$w/wrangler.toml")
  [[ "$dry_run" == true ]] && args+=(--dry-run --outdir "$logs/out/$w")
  started=$(date +%s%N)
  PARIT_SKIP_BUILD=1 "$WRANGLER" "${args[@]}" > "$logs/$w.log" 2>&1 < /dev/null || rc=$?
  ended=$(date +%s%N)
  printf '%s %s %s\n' "$w" "$rc" "$(( (ended - started) / 1000000 ))" >> "$logs/results"
}

# "agents" here: every Worker but the supervisor (the seven agents and the
# bridge), which its service bindings need deployed first.
agents=(); supervisor=false
for w in "${targets[@]}"; do
  if [[ "$w" == supervisor ]]; then supervisor=true; else agents+=("$w"); fi
done
touch "$logs/results"
verb=$([[ "$dry_run" == true ]] && echo "bundling (dry run)" || echo "deploying")
done_verb=$([[ "$dry_run" == true ]] && echo "bundled (dry run)" || echo "deployed")
if [[ ${#agents[@]} -gt 0 ]]; then
  say "$verb ${#agents[@]} Worker(s) before the supervisor, $([[ "$sequential" == true ]] && echo "one at a time" || echo "in parallel")"
  if [[ "$sequential" == true ]]; then
    for a in "${agents[@]}"; do deploy_one "$a"; done
  else
    pids=()
    for a in "${agents[@]}"; do deploy_one "$a" & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p" || true; done
  fi
fi
agent_failures=()
while read -r w rc _; do [[ "$rc" == 0 ]] || agent_failures+=("$w"); done < "$logs/results"
if [[ "$supervisor" == true ]]; then
  if [[ ${#agent_failures[@]} -eq 0 ]]; then
    say "$verb the supervisor"
    deploy_one supervisor
  else
    printf '%s %s %s\n' supervisor skipped 0 >> "$logs/results"
  fi
fi

echo
printf '%-20s %-10s %8s\n' WORKER RESULT SECONDS
failed=()
while read -r w rc ms; do
  case "$rc" in
    0) result="${C_GREEN}ok${C_RESET}" ;;
    skipped) result="${C_YELLOW}skipped${C_RESET}"; failed+=("$w (not deployed: an agent failed)") ;;
    *) result="${C_RED}FAILED${C_RESET}"; failed+=("$w") ;;
  esac
  printf '%-20s %-10s %8s\n' "parit-$w" "$result" "$(awk -v ms="$ms" 'BEGIN { printf "%.1f", ms / 1000 }')"
done < <(sort -k1,1 "$logs/results")
echo "logs: $logs"
if [[ ${#failed[@]} -gt 0 ]]; then
  for f in "${failed[@]}"; do
    w="${f%% *}"
    [[ -f "$logs/$w.log" ]] && { echo "--- parit-$w (last lines of $logs/$w.log)"; tail -n 5 "$logs/$w.log"; }
  done
  die "failed: ${failed[*]}"
fi
ok "all ${#targets[@]} Worker(s) $done_verb"
