"""Writes docs/RELIABILITY.md from the figures the fleet suites record."""
import datetime
import json
import os
import platform
import subprocess
import sys

figures = sys.argv[1]


def load(name):
    with open(os.path.join(figures, name)) as f:
        return json.load(f)


commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
cpus = os.cpu_count()
model = platform.machine()
try:
    with open("/proc/cpuinfo") as f:
        model = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
except (OSError, StopIteration):
    pass

fuzz, lo = load("fuzz/summary.json"), load("load/summary.json")
mf, sf, down = load("model-faults.json"), load("storage-faults.json"), load("agent-down.json")
iso, sec = load("isolation.json"), load("secrets.json")
fuzz, lo = load("fuzz/summary.json"), load("load/summary.json")
passes = {p["pass"]: p for p in fuzz["passes"]}
fuzz_total = sum(p["responses"] for p in fuzz["passes"])
fuzz_5xx = sum(p["5xx"] for p in fuzz["passes"])
b = passes.get("owner-b-on-a", {"responses": 0, "statuses": {}})

out = []
w = out.append
w("# Reliability and security figures\n")
w(f"Measured {datetime.date.today()} at commit `{commit}` on {cpus} × {model}, offline, against real workerd "
  "(`wrangler dev`, local D1 and R2) and the local Gemini-compatible server, by the fleet suites of "
  "`scripts/test.sh` — `bench/reliability.sh` runs them at bench size and writes this page. This run: "
  f"{fuzz['examplesPerOperation']} fuzz examples per operation, {lo['seconds']} s of load per endpoint. "
  "The threat model is in [SECURITY.md](SECURITY.md).\n")
w("## Summary\n")
w("| | figure |")
w("|---|---|")
w(f"| Faults injected / ended as designed | **{mf['injected'] + sf['injected'] + down['runs']} / "
  f"{mf['endedAsDesigned'] + sf['resumedIntact'] + down['endedAsDesigned']}** |")
w(f"| Fuzz responses / 5xx | **{fuzz_total} / {fuzz_5xx}** |")
lp = lo["endpoints"]
w(f"| Load held (wrk, {lo['connections']} connections, {lo['seconds']} s per endpoint) | "
  f"**{sum(e['requests'] for e in lp.values())} requests, "
  f"{sum(e['statuses']['other'] + sum(v for k, v in e['errors'].items() if k != 'status') for e in lp.values())} errors** |")
w(f"| Isolation attempts / leaks | **{iso['attempts'] + b['responses']} / {iso['leaks']}** |")
w(f"| Secret occurrences | **{sec['occurrences']}** in {sec['surfaces']} surfaces ({sec['bytes']:,} bytes) |")
w("")
w("## Fault injection\n")
w(f"* **Model failures**: each of the {mf['classes']} failure classes (`FailureClass`) injected once at each of the "
  f"{mf['stages']} stages, during full pipeline runs: {mf['injected']} runs. Transient classes (quota per minute, "
  "500, 503, 504, a hung call, malformed JSON, schema-invalid output) were retried and the run completed; "
  "permanent ones (quota per day, invalid or leaked key, unknown model, safety, recitation, blocked prompt, "
  "MAX_TOKENS, no candidates) failed that stage with its class, left its ancestors done and its descendants "
  "pending, and a resume re-ran exactly that stage and its descendants. "
  f"Ended as designed: **{mf['endedAsDesigned']} / {mf['injected']}**.")
w(f"* **Storage failures** (the test-only switch): an R2 put and a D1 commit failing at each stage: "
  f"{sf['injected']} runs. Each failed at that stage with the storage reason, kept no row for the failed write, "
  f"and resumed to completion. **{sf['resumedIntact']} / {sf['injected']}**.")
w(f"* **An agent down** (the logic agent not running): the run fails at logic with `agent_unreachable`, design "
  f"still completes, and a second run retries only logic without repeating any model call. **{down['endedAsDesigned']} / {down['runs']}**.")
w("* After every one of these runs every stored version was read back and its content hash checked; every stage "
  "had exactly one version (nothing lost, nothing half-written, nothing duplicated).\n")
w(f"## Fuzzing (schemathesis, {fuzz['examplesPerOperation']} examples per operation)\n")
w("Checks: no 5xx, documented status codes, content types, headers (`x-request-id` on every answer) and bodies "
  "matching `/openapi.json`.\n")
w("| pass | operations | responses | by status | 5xx |")
w("|---|---|---|---|---|")
for p in fuzz["passes"]:
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(p["statuses"].items()))
    w(f"| {p['pass']} | {p['operations']} | {p['responses']} | {statuses} | {p['5xx']} |")
w("\n*owner-a-pinned* and *owner-b-on-a* fix the project id to a completed project of owner A's; after owner B's "
  "pass, A's project, artifacts, activity and traces were compared byte for byte: unchanged.\n")
w("## Load (wrk on loopback)\n")
w("| endpoint | requests | req/s | p50 ms | p99 ms | 2xx | 429 | other | socket errors |")
w("|---|---|---|---|---|---|---|---|---|")
names = {"project": "GET /api/projects/:id", "artifact": "GET /api/projects/:id/artifacts/prd", "create": "POST /api/projects"}
for key, e in lp.items():
    sock = sum(v for k, v in e["errors"].items() if k != "status")
    w(f"| {names[key]} | {e['requests']} | {e['rps']:.0f} | {e['p50_ms']:.1f} | {e['p99_ms']:.1f} | "
      f"{e['statuses']['2xx']} | {e['statuses']['429']} | {e['statuses']['other']} | {sock} |")
cr = lo["concurrentRuns"]
w(f"\n{cr['requests']} concurrent `POST …/run` on one project: **{cr['started']} run started** (answers: {cr['statuses']}), "
  f"7 artifact versions, {cr['duplicateVersions']} duplicates.\n")
w("## Isolation\n")
w(f"Owner B tried each of the {iso['routes']} `/api` routes on owner A's completed project: every answer 404 and "
  "identical, apart from the id, to the answer for a project that does not exist; A's state unchanged. The fuzz pass "
  f"*owner-b-on-a* added {b['responses']} more requests pinned to A's project "
  f"({', '.join(f'{k}: {v}' for k, v in sorted(b['statuses'].items()))}; the 2xx are B's own projects and public routes). "
  f"Leaks: **{iso['leaks']}**.\n")
w("## Secrets\n")
w(f"After all suites, {sec['secrets']} secrets (the Gemini key, every API token, the fault secret) were searched for "
  f"in {sec['surfaces']} surfaces — every API answer about the projects (artifacts, views, traces, activity, exports), "
  f"error bodies, the fleets' logs, and every file D1, R2 and the Durable Objects wrote — {sec['bytes']:,} bytes: "
  f"**{sec['occurrences']} occurrences**.")
print("\n".join(out))
