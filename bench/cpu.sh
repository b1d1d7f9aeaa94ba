#!/usr/bin/env bash
# Domain CPU per stage (criterion, native): prompt building, parse + validate,
# renders, and the consistency check, for the example products and synthetic
# ones with 10, 50 and 100 entities. Prints one JSON object: the median time
# of each benchmark in microseconds, and each stage's request-path total
# (prompt + parse/validate: what an agent spends outside the model call).
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"
rm -rf "$ROOT/target/criterion"
cargo bench --quiet -p parit-bench --bench domain > "$ROOT/.parit/bench/criterion.log" 2>&1 \
  || { tail -n 30 "$ROOT/.parit/bench/criterion.log" >&2; die "cargo bench failed"; }
python3 - "$ROOT/target/criterion" "$ROOT/.parit/bench/criterion.log" <<'PY'
import glob, json, os, re, sys
root, log = sys.argv[1], sys.argv[2]
medians = {}
for bench in glob.glob(os.path.join(root, "*", "new", "benchmark.json")):
    title = json.load(open(bench))["title"]
    est = json.load(open(os.path.join(os.path.dirname(bench), "estimates.json")))
    medians[title] = round(est["median"]["point_estimate"] / 1000, 2)
sizes = {m[0]: {"entities": int(m[1]), "endpoints": int(m[2]), "stories": int(m[3])}
         for m in re.findall(r"product (\S+): (\d+) entities, (\d+) endpoints, (\d+) stories", open(log).read())}
products = {}
for title, us in medians.items():
    product, stage, what = title.split("/")
    products.setdefault(product, {}).setdefault(stage, {})[what] = us
for product, stages in products.items():
    for stage, m in stages.items():
        if "prompt" in m:
            m["requestPath"] = round(m["prompt"] + m["parse_validate"], 2)
print(json.dumps({"unit": "microseconds (median)", "sizes": sizes, "products": products}))
PY
