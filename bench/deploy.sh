#!/usr/bin/env bash
# Wall time of `deploy-parallel.sh --dry-run` (seven agents bundled in
# parallel, then the supervisor) against `--sequential --dry-run`, with real
# wrangler bundling and no account. Median of RUNS runs each, alternated.
# Prints one JSON object.
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"
runs="${RUNS:-3}"
"$ROOT/scripts/build-workers.sh" > /dev/null
ms() { local s; s=$(date +%s%N); "$@" > /dev/null 2>&1 || die "$* failed"; echo $(( ($(date +%s%N) - s) / 1000000 )); }
parallel=(); sequential=()
for _ in $(seq 1 "$runs"); do
  parallel+=("$(ms "$ROOT/scripts/deploy-parallel.sh" --dry-run --skip-build)")
  sequential+=("$(ms "$ROOT/scripts/deploy-parallel.sh" --dry-run --skip-build --sequential)")
done
python3 - "${parallel[*]}" "${sequential[*]}" <<'PY'
import json, statistics, sys
p = [int(x) for x in sys.argv[1].split()]; s = [int(x) for x in sys.argv[2].split()]
print(json.dumps({"parallelMs": p, "sequentialMs": s, "parallelMedianMs": statistics.median(p),
                  "sequentialMedianMs": statistics.median(s),
                  "ratio": round(statistics.median(p) / statistics.median(s), 3)}))
PY
