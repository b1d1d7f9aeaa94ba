#!/usr/bin/env bash
# Time to first response of scripts/dev.sh on a warm machine (built Workers,
# installed tools: what it prints as "first 200 after"), median of RUNS, and
# the Worker build of a fresh clone (empty cargo target dir, tools installed).
# Prints one JSON object.  RUNS=3 FRESH=1 bench/devtime.sh
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"
runs="${RUNS:-3}"
dir="$ROOT/.parit/bench/devtime"; rm -rf "$dir"; mkdir -p "$dir"
"$ROOT/scripts/build-workers.sh" > "$dir/build.log" 2>&1

warm=()
for i in $(seq 1 "$runs"); do
  port="$(free_port)"
  setsid "$ROOT/scripts/dev.sh" --port "$port" > "$dir/dev-$i.log" 2>&1 < /dev/null &
  pid=$!
  for _ in $(seq 1 240); do grep -q "first 200 after" "$dir/dev-$i.log" && break; sleep 0.25; done
  ms="$(grep -o 'first 200 after [0-9]*' "$dir/dev-$i.log" | grep -o '[0-9]*$' || true)"
  kill -INT -- "-$pid" 2>/dev/null || true   # dev.sh stops its fleet on Ctrl-C
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  "$ROOT/scripts/fleet.sh" down --dir "$ROOT/.parit/dev" > /dev/null 2>&1 || true
  [[ -n "$ms" ]] || die "dev.sh did not come up: $(tail -n 20 "$dir/dev-$i.log")"
  warm+=("$ms")
done

fresh_ms=null
if [[ "${FRESH:-1}" == 1 ]]; then
  clone="$dir/clone"
  git clone --quiet "$ROOT" "$clone"
  ln -s "$ROOT/wrangler/node_modules" "$clone/wrangler/node_modules"   # tools installed, as on a warm machine
  started=$(date +%s%N)
  CARGO_TARGET_DIR="$clone/target" "$clone/scripts/build-workers.sh" > "$dir/fresh-build.log" 2>&1 \
    || { tail -n 20 "$dir/fresh-build.log" >&2; die "the fresh clone's build failed"; }
  fresh_ms=$(( ($(date +%s%N) - started) / 1000000 ))
fi
python3 -c 'import json, statistics, sys; w = [int(x) for x in sys.argv[2:]]; print(json.dumps({"devWarmFirst200Ms": w, "devWarmMedianMs": statistics.median(w), "freshCloneBuildMs": json.loads(sys.argv[1])}))' "$fresh_ms" "${warm[@]}"
