#!/usr/bin/env bash
# The whole release: tests → remote migrations → deploy (agents in parallel,
# then the supervisor) → verification of the live fleet → the web app on
# Cloudflare Pages (scripts/deploy-web.sh).
#
#   scripts/deploy-full.sh [--skip-tests] [--skip-web] [--sequential] [--url SUPERVISOR_URL]
#
# Stops at the first failing step and says what to do next. The supervisor's
# URL for verification comes from --url, $PARIT_SUPERVISOR_URL, or the
# workers.dev URL wrangler printed when deploying it.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

skip_tests=false; skip_web=false; deploy_args=(); url="${PARIT_SUPERVISOR_URL:-}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --skip-tests) skip_tests=true; shift ;;
    --skip-web) skip_web=true; shift ;;
    --sequential) deploy_args+=(--sequential); shift ;;
    --url) url="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

step() { say "step $1: $2"; }
if [[ "$skip_tests" == true ]]; then
  warn "skipping tests (--skip-tests)"
else
  step 1 "tests"
  "$ROOT/scripts/test.sh" || die "tests failed: fix them, or deploy anyway with --skip-tests"
fi

step 2 "migrations (remote)"
"$ROOT/scripts/migrate-db.sh" --remote || die "migrations failed: check CLOUDFLARE_API_TOKEN and the database_id in workers/supervisor/wrangler.toml (scripts/migrate-db.sh --remote --create makes one)"

step 3 "deploy"
deploy_out="$(mktemp)"
"$ROOT/scripts/deploy-parallel.sh" "${deploy_args[@]}" | tee "$deploy_out" || die "deploy failed: read the per-Worker logs above, fix, and run scripts/deploy-parallel.sh --only <the failed ones>"
if [[ -z "$url" ]]; then
  logs="$(sed -n 's/^logs: //p' "$deploy_out" | tail -n 1)"
  url="$(grep -ohE 'https://parit-supervisor\.[A-Za-z0-9.-]+\.workers\.dev' "$logs/supervisor.log" 2>/dev/null | head -n 1 || true)"
fi
rm -f "$deploy_out"
[[ -n "$url" ]] || die "deployed, but the supervisor's URL is unknown: run scripts/verify-deployment.sh <url>"

step 4 "verify $url"
"$ROOT/scripts/verify-deployment.sh" "$url" || die "the fleet is deployed but not healthy: follow the fixes above, then run scripts/verify-deployment.sh $url"

if [[ "$skip_web" == true ]]; then
  warn "skipping the web app (--skip-web)"
else
  step 5 "web app"
  "$ROOT/scripts/deploy-web.sh" --supervisor-url "$url" || die "the fleet is live but the web app was not published: fix the above, then run scripts/deploy-web.sh --supervisor-url $url"
fi
ok "released: $url"
