#!/usr/bin/env bash
# Builds Parit's Worker crates to WASM with worker-build, fully offline.
#
#   scripts/build-workers.sh              every Worker of fleet.toml, one after another
#   scripts/build-workers.sh prd-agent    just the named ones
#   scripts/build-workers.sh --meter supervisor
#                                         the instrumented supervisor (cargo feature
#                                         `meter`: every invocation logs what it spent
#                                         against the Workers Free plan) into
#                                         workers/supervisor/build-meter, beside the
#                                         normal build (the main test fleet and
#                                         bench/freeplan.sh run it)
#
# The Workers share one target directory, so they are built in turn (building
# them in parallel only makes them wait for each other's cargo lock).
# A Worker whose inputs (its crate, the agent runtime, the domain crate,
# Cargo.toml/Cargo.lock) hash the same as at its last build is skipped, so a
# warm start does not pay for eight no-op worker-build runs.
# PARIT_SKIP_BUILD=1 makes this a no-op: scripts that build once and then
# start `wrangler dev` set it so wrangler does not rebuild at start-up.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
[[ "${PARIT_SKIP_BUILD:-}" == "1" ]] && exit 0

meter=false
if [[ "${1:-}" == "--meter" ]]; then meter=true; shift; fi
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${WORKERS[@]}")

# worker-build would download wasm-bindgen and wasm-opt; point it at ours.
WASM_BINDGEN_BIN="$(command -v wasm-bindgen || true)"
[[ -n "$WASM_BINDGEN_BIN" ]] || { echo "wasm-bindgen not found: run .ci/setup first" >&2; exit 1; }
export WASM_BINDGEN_BIN
export WASM_OPT_BIN="$ROOT/wrangler/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$ROOT/wrangler/node_modules/.bin/esbuild"
[[ -x "$WASM_OPT_BIN" ]] || { echo "wasm-opt not found: run .ci/setup first" >&2; exit 1; }

# Hash of everything that goes into worker $1's WASM.
inputs_hash() {
  local dirs=("$ROOT/shared" "$ROOT/workers/$1")
  [[ "$1" == *-agent ]] && dirs+=("$ROOT/workers/agent-runtime")
  [[ "$1" == bridge ]] && dirs+=("$ROOT/import")
  {
    # (.mjs and .ts too: the domain crate include_str!s the starter's sources)
    find "${dirs[@]}" -type f \( -name '*.rs' -o -name 'Cargo.toml' -o -name '*.json' -o -name '*.mjs' -o -name '*.ts' \) \
      -not -path '*/build/*' -not -path '*/build-meter/*' -not -path '*/node_modules/*' -print0 \
      | sort -z | xargs -0 sha256sum
    sha256sum "$ROOT/Cargo.toml" "$ROOT/Cargo.lock"
    wasm-bindgen --version
  } | sha256sum | cut -d' ' -f1
}

n=0
for w in "${targets[@]}"; do
  n=$((n + 1))
  [[ " ${WORKERS[*]} " == *" $w "* ]] || { echo "no such worker: $w (fleet.toml lists ${WORKERS[*]})" >&2; exit 1; }
  out=build; extra=()
  if [[ "$meter" == true ]]; then
    [[ "$w" == supervisor ]] || { echo "--meter builds only the supervisor" >&2; exit 1; }
    out=build-meter; extra=(--features meter)
  fi
  stamp="$ROOT/workers/$w/$out/.inputs-sha256"
  hash="$(inputs_hash "$w")"
  if [[ -f "$ROOT/workers/$w/$out/index.js" && "$(cat "$stamp" 2>/dev/null)" == "$hash" ]]; then
    echo "$w${extra[*]:+ (metered)} is up to date ($n of ${#targets[@]})"
    continue
  fi
  echo "building $w${extra[*]:+ (metered)} ($n of ${#targets[@]})"
  (cd "$ROOT/workers/$w" && worker-build --release --out-dir "$out" "${extra[@]}" 2>&1 | grep -vE '^\s*$' | tail -n 3)
  [[ -f "$ROOT/workers/$w/$out/index.js" ]] || { echo "build of $w produced no $out/index.js" >&2; exit 1; }
  echo "$hash" > "$stamp"
done
