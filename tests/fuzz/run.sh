#!/usr/bin/env bash
# Fuzzes the supervisor with schemathesis against its own /openapi.json, on a
# running fleet (scripts/test.sh sets PARIT_SUPERVISOR_URL and the tokens).
# Four passes, each checked for: no 5xx, documented status codes, content
# types, headers (x-request-id) and response bodies matching their schemas.
#   1. owner A, generated ids
#   2. owner A, pinned to a completed project of A's (reaches real artifacts)
#   3. no token at all
#   4. owner B, pinned to A's project (must see 404s only; A's project unchanged)
# PARIT_FUZZ_EXAMPLES sets the examples per operation (default 15; bench/ uses more).
set -euo pipefail
# shellcheck source=../../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

url="${PARIT_SUPERVISOR_URL:?PARIT_SUPERVISOR_URL is not set: run scripts/test.sh}"
: "${PARIT_TOKEN:?}" "${PARIT_TOKEN_B:?}"
examples="${PARIT_FUZZ_EXAMPLES:-15}"
out="${PARIT_FUZZ_OUT:-$ROOT/.parit/fuzz}"
rm -rf "$out"; mkdir -p "$out"
st="$ROOT/.parit/venv/bin/schemathesis"
# Two worker threads, unless the venv's CPython has the thread-unsafe AST
# constructor (before 3.11.8, 3.12.0-3.12.1; see tests/python-requirements.lock).
workers=2
if ! "$ROOT/.parit/venv/bin/python" -c 'import sys; v = sys.version_info[:3]; sys.exit(not ((3, 11, 8) <= v < (3, 12) or v >= (3, 12, 2)))'; then
  workers=1
  warn "fuzzing with one worker thread: $("$ROOT/.parit/venv/bin/python" --version) crashes schemathesis with two"
fi
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance

api() { curl -sf -H "authorization: Bearer $1" "${@:3}" "$url$2"; }
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

"$ROOT/.parit/venv/bin/openapi-spec-validator" "$ROOT/workers/supervisor/public/openapi.json" > /dev/null \
  || die "workers/supervisor/public/openapi.json is not a valid OpenAPI document"

# The fleet suites ran first on the same local Gemini server, and the fuzzer
# reaches their projects too (owner A's list names them): drop any fault a
# suite queued and did not use, so every model call here is answered normally.
# (A fault left queued once made a fuzzed POST /api/execute on a fleet test's
# project fail with INTERNAL four times: a 5xx the fuzzer rightly reported.)
curl -sf -X DELETE "${PARIT_GEMINI_URL:?PARIT_GEMINI_URL is not set: run scripts/test.sh}/__control/faults" > /dev/null \
  || die "could not clear the local Gemini server's faults"

# A completed project of A's, to pin the deep passes to.
project="$(api "$PARIT_TOKEN" /api/projects -X POST -H 'content-type: application/json' \
  -d '{"name":"Fuzz target","idea":"Plan a week of meals from the pantry, fuzzed"}' | json_field '["id"]')"
api "$PARIT_TOKEN" "/api/projects/$project/run" -X POST > /dev/null
for _ in $(seq 1 240); do
  status="$(api "$PARIT_TOKEN" "/api/projects/$project" | json_field '["run"]["status"]')"
  [[ "$status" != running ]] && break
  sleep 0.25
done
[[ "$status" == completed ]] || die "the fuzz target's run ended $status"
snapshot() {
  for p in "" /artifacts /activity?limit=1000 /traces; do api "$PARIT_TOKEN" "/api/projects/$project$p"; done \
    | python3 -c 'import sys; print(len(sys.stdin.read()))'
}

# run NAME [schemathesis args...]
pass() {
  local name="$1"; shift
  local config="$out/$name.toml"
  # The event stream stays open for minutes: read its first event (the snapshot) only.
  printf '[[operations]]\ninclude-path-regex = "/events$"\nmax-stream-events = 1\n' > "$config"
  if [[ "${PIN:-}" == 1 ]]; then printf '\n[parameters]\n"path.id" = "%s"\n' "$project" >> "$config"; fi
  say "fuzz pass: $name ($examples examples per operation)"
  rm -rf "${out:?}/$name"
  if ! (cd "$out" && "$st" --config-file "$config" run "$url/openapi.json" --checks "$checks" \
      -n "$examples" --seed 20261123 --generation-database none --workers "$workers" \
      --phases examples,coverage,fuzzing --no-color --suppress-health-check all \
      --report junit,ndjson --report-dir "$out/$name" "$@" > "$out/$name.log" 2>&1); then
    tail -n 60 "$out/$name.log" >&2
    die "fuzz pass $name failed (log: $out/$name.log)"
  fi
  python3 - "$out/$name" "$name" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
cases = sum(int(s.get("tests", 0)) for f in glob.glob(sys.argv[1] + "/*.xml") for s in ET.parse(f).getroot().iter("testsuite"))
import json
statuses = {}
for f in glob.glob(sys.argv[1] + "/*.ndjson"):
    for line in open(f):
        for code in __import__("re").findall(r'"status_code":\s*(\d{3})', line):
            statuses[code] = statuses.get(code, 0) + 1
five = sum(n for c, n in statuses.items() if c.startswith("5"))
print(f"{sys.argv[2]}: {sum(statuses.values())} responses from {cases} operations, by status {dict(sorted(statuses.items()))}, 5xx: {five}")
json.dump({"pass": sys.argv[2], "operations": cases, "responses": sum(statuses.values()), "statuses": statuses, "5xx": five},
          open(sys.argv[1] + ".json", "w"))
if five:
    sys.exit(1)
PY
}

before="$(snapshot)"
pass owner-a -H "Authorization: Bearer $PARIT_TOKEN" --exclude-method DELETE
PIN=1 pass owner-a-pinned -H "Authorization: Bearer $PARIT_TOKEN" --exclude-method DELETE --exclude-path-regex 'stages/.*/regenerate|/run$'
pass anonymous
before="$(snapshot)"
PIN=1 pass owner-b-on-a -H "Authorization: Bearer $PARIT_TOKEN_B"
after="$(snapshot)"
[[ "$before" == "$after" ]] || die "owner B's pass changed owner A's project"
python3 -c 'import glob, json, sys; json.dump({"examplesPerOperation": int(sys.argv[2]), "passes": [json.load(open(f)) for f in sorted(glob.glob(sys.argv[1] + "/*.json"))]}, open(sys.argv[1] + "/summary.json", "w"))' "$out" "$examples"
ok "fuzzing: no 5xx, every answer as documented, owner B changed nothing of owner A's"
