#!/usr/bin/env bash
# Checks a running Parit fleet end to end and says what to fix.
#
#   PARIT_TOKEN=... scripts/verify-deployment.sh https://parit-supervisor.<subdomain>.workers.dev
#
# GET / and GET /health (D1, R2, the bridge, every agent), then a smoke test: create a
# throwaway project, execute its PRD stage, read the artifact back, delete the
# project (with the API token in PARIT_TOKEN: scripts/create-token.sh
# mints one). One ✅/❌ line per check; exits non-zero on any ❌. Known failures
# (invalid API key, missing database, missing service binding, missing R2
# bucket) come with the fix.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

url="${1:-}"
[[ "$url" == -h || "$url" == --help ]] && { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
[[ -n "$url" ]] || die "usage: PARIT_TOKEN=... scripts/verify-deployment.sh SUPERVISOR_URL"
url="${url%/}"
failures=0
pass() { printf '✅ %s\n' "$*"; }
fail() { printf '❌ %s\n' "$1"; [[ -n "${2:-}" ]] && printf '   fix: %s\n' "$2"; failures=$((failures + 1)); }

# The fix for an error text, from the failures users hit most.
advice() {
  case "$1" in
    *unauthorized*|*"token is unknown"*)
      echo "set PARIT_TOKEN to an API token: scripts/create-token.sh --remote --owner you" ;;
    *"API key not valid"*|*api_key_invalid*|*"no GEMINI_API_KEY"*|*missing_api_key*)
      echo "set the key on every agent: GEMINI_API_KEY=... scripts/set-secrets.sh" ;;
    *"no such table"*|*"schema_version"*|*"Database not found"*|*D1_ERROR*|*"binding DB"*)
      echo "create and migrate the database: scripts/migrate-db.sh --remote --create" ;;
    *": not_found"*)
      echo "the agents' model is not served: set GEMINI_MODEL to a current model (shared/src/gemini/catalogue.rs) and redeploy" ;;
    *": key_invalid"*)
      echo "the Gemini key is not valid: GEMINI_API_KEY=... scripts/set-secrets.sh" ;;
    *": no_quota"*)
      echo "the key's Google Cloud project has no quota for the model: enable billing, or set GEMINI_MODEL to one with free-tier quota" ;;
    *": unreachable"*)
      echo "the agents could not reach the Gemini API: check GEMINI_BASE_URL and the network" ;;
    *"R2"*|*"bucket"*)
      echo "create the bucket: wrangler r2 bucket create parit-artifacts" ;;
    bridge*)
      echo "deploy the bridge before the supervisor: scripts/deploy-parallel.sh" ;;
    *binding*|*"could not be reached"*|*agent_unreachable*|*"HTTP 503"*)
      echo "deploy the agents before the supervisor: scripts/deploy-parallel.sh" ;;
    *) echo "see docs/DEPLOYMENT.md (Troubleshooting)" ;;
  esac
}

request() { # METHOD PATH [BODY] → sets $status and $body
  local out
  local auth=()
  [[ -n "${PARIT_TOKEN:-}" ]] && auth=(-H "authorization: Bearer $PARIT_TOKEN")
  out="$(curl -s -m 120 -w '\n%{http_code}' -X "$1" "$url$2" -H 'content-type: application/json' "${auth[@]}" ${3:+-d "$3"} || true)"
  status="${out##*$'\n'}"; body="${out%$'\n'*}"
}
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" <<< "$body" 2>/dev/null || true; }

request GET /
if [[ "$status" == 200 && "$(field 'd["status"]')" == supervisor_active ]]; then pass "GET / answers supervisor_active"; else fail "GET / answered HTTP $status" "is the supervisor deployed at $url? scripts/deploy-parallel.sh"; fi

request GET /health
for component in d1 r2 bridge; do
  if [[ "$(field "d['components']['$component']['ok']")" == True ]]; then pass "health: $component"; else
    err="$(field "d['components']['$component'].get('error', '')")"; fail "health: $component ($err)" "$(advice "$component $err")"; fi
done
for stage in "${STAGES[@]}"; do
  ok_="$(field "d['components']['agents']['$stage']['ok']")"
  if [[ "$ok_" == True ]]; then pass "health: $stage agent"; else
    a="d['components']['agents']['$stage']"
    err="$(field "$a.get('error') or ('no GEMINI_API_KEY' if not $a.get('keyConfigured') else '') or ('model ' + ($a.get('model') or '') + ': ' + ($a.get('modelCheck') or ''))")"
    fail "health: $stage agent ($err)" "$(advice "$err")"
  fi
done

request POST /api/projects '{"name":"verify-deployment","idea":"A throwaway project created by scripts/verify-deployment.sh"}'
project="$(field 'd["id"]')"
if [[ "$status" == 201 && -n "$project" ]]; then pass "create a project"; else fail "create a project: HTTP $status $(field 'd["error"]["message"]')" "$(advice "$body")"; fi
if [[ -n "$project" ]]; then
  request POST /api/execute "{\"projectId\":\"$project\",\"stage\":\"prd\"}"
  if [[ "$status" == 200 ]]; then pass "execute the PRD stage ($(field 'd["usage"]["promptTokens"]+d["usage"]["outputTokens"]') tokens)"; else
    msg="$(field 'd["error"]["message"]')"; fail "execute the PRD stage: HTTP $status $msg" "$(advice "$msg")"; fi
  request GET "/api/projects/$project/artifacts/prd"
  if [[ "$status" == 200 && -n "$(field 'd["artifact"]["productName"]')" ]]; then pass "read the PRD back"; else fail "read the PRD back: HTTP $status" "$(advice "$body")"; fi
  request DELETE "/api/projects/$project"
  if [[ "$status" == 200 ]]; then pass "delete the project"; else fail "delete the project: HTTP $status" "$(advice "$body")"; fi
fi

if [[ $failures -gt 0 ]]; then
  die "$failures check(s) failed"
fi
ok "the deployment at $url works"
