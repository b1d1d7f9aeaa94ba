#!/usr/bin/env bash
# Says what this machine has for Parit and what it lacks, without installing
# anything: the toolchain setup.sh installs (with what each missing piece costs
# here, measured), the built Workers, the browser, Node's version, free disk,
# and whether the ports scripts/dev.sh uses are free.
#
#   scripts/doctor.sh [--port 8787] [--web-port 8788]
#
# Exits 0 when everything is present, 1 when something is missing or wrong.
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

port=8787
web_port=8788
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --web-port) web_port="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

missing=0 cost=0
have() { ok "$1"; }
lack() { # WHAT FIX [SECONDS]
  missing=$((missing + 1)); cost=$((cost + ${3:-0}))
  printf '%s\n' "${C_RED}✘${C_RESET} $1 — $2${3:+ (about $(duration "$3") here)}"
}

say "system"
cores="$(nproc 2> /dev/null || echo 1)"
mem_mb="$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo 2> /dev/null || echo 0)"
disk_mb="$(df -Pm "$ROOT" | awk 'NR == 2 { print $4 }')"
have "$cores cores, ${mem_mb} MB memory available"
# A bare setup and a build fill about 4 GB (cargo targets, node_modules, venv).
if [[ "${disk_mb:-0}" -ge 4000 ]]; then have "${disk_mb} MB free on $(df -P "$ROOT" | awk 'NR == 2 { print $6 }')"
else lack "${disk_mb} MB free on the repo's disk" "setup and a build need about 4 GB"; fi
if [[ $EUID -eq 0 ]]; then have "root: setup.sh installs Debian packages itself"
elif command -v sudo > /dev/null; then have "not root; sudo is there for setup.sh's Debian packages"
else warn "not root and no sudo: install missing Debian packages yourself"; fi

say "toolchain"
if node_v="$(node --version 2> /dev/null)"; then
  if printf '%s\n' v20.19.0 "$node_v" | sort -V -C; then have "Node $node_v"
  else lack "Node $node_v" "Parit needs Node 20.19 or newer"; fi
else lack "Node" "install Node 20.19 or newer (with npm)"; fi
if command -v cargo > /dev/null; then
  have "$(cargo --version)"
  if rustup target list --installed 2> /dev/null | grep -qx wasm32-unknown-unknown; then have "Rust target wasm32-unknown-unknown"
  else lack "Rust target wasm32-unknown-unknown" "scripts/setup.sh adds it" 5; fi
else lack "cargo" "install Rust with rustup (https://rustup.rs)"; fi
if [[ "$(worker-build --version 2> /dev/null)" == "$WORKER_BUILD_VERSION" ]]; then have "worker-build $WORKER_BUILD_VERSION"
else lack "worker-build $WORKER_BUILD_VERSION${C_DIM} (found: $(worker-build --version 2> /dev/null || echo none))${C_RESET}" "scripts/setup.sh compiles it" "$EXPECT_WORKER_BUILD"; fi
wbv="$(wasm_bindgen_version)"
if [[ "$(wasm-bindgen --version 2> /dev/null)" == "wasm-bindgen $wbv" ]]; then have "wasm-bindgen $wbv"
else lack "wasm-bindgen-cli $wbv${C_DIM} (found: $(wasm-bindgen --version 2> /dev/null || echo none))${C_RESET}" "scripts/setup.sh compiles it" "$EXPECT_WASM_BINDGEN"; fi
mapfile -t debs < <(missing_debian_packages)
if [[ ${#debs[@]} -eq 0 ]]; then have "Debian packages: curl, shellcheck, sqlite3, unzip, wrk, PostgreSQL, python3-venv"
else lack "Debian packages: ${debs[*]}" "scripts/setup.sh installs them with apt" "$EXPECT_APT"; fi
if browser="$(find_chromium)"; then have "browser: $browser"
elif [[ -n "${PARIT_CHROMIUM:-}" ]]; then lack "browser: PARIT_CHROMIUM=$PARIT_CHROMIUM is not an executable" "point it at Chromium or Chrome"
else lack "browser" "install Debian's chromium or Google Chrome, or set PARIT_CHROMIUM (a snap stub does not count)"; fi
stale_npm=()
for d in wrangler tests/truth tests/openspec frontend e2e; do
  npm_current "$d" || stale_npm+=("$d")
done
if [[ ${#stale_npm[@]} -eq 0 ]]; then have "npm packages match their lockfiles"
else lack "npm packages in ${stale_npm[*]}" "scripts/setup.sh runs npm ci" "$EXPECT_NPM"; fi
if [[ "$(cat "$ROOT/.parit/venv/.parit-lock-sha256" 2> /dev/null)" == "$(sha256sum "$ROOT/tests/python-requirements.lock" | cut -d' ' -f1)" ]]; then
  have "the tests' Python tools (.parit/venv)"
else lack "the tests' Python tools" "scripts/setup.sh makes .parit/venv" "$EXPECT_PYTHON"; fi

say "Parit"
unbuilt=()
for w in "${WORKERS[@]}"; do [[ -f "$ROOT/workers/$w/build/index.js" ]] || unbuilt+=("$w"); done
if [[ ${#unbuilt[@]} -eq 0 ]]; then have "the ${#WORKERS[@]} Workers are built (scripts/build-workers.sh rebuilds what changed)"
else lack "Workers not built: ${unbuilt[*]}" "scripts/build-workers.sh (dev.sh and test.sh run it)" "$EXPECT_WORKERS"; fi
for p in "$port" "$web_port"; do
  if port_taken "$p"; then lack "port $p is taken" "stop what listens there or pass --port/--web-port"
  else have "port $p is free"; fi
done
if [[ -n "$(gemini_key)" ]]; then
  have "a Gemini key is set: dev.sh calls the real Gemini API"
else have "no Gemini key: dev.sh runs offline against the local Gemini-compatible server"; fi
# Gemini's models and prices change weekly: the catalogue says when it was checked.
catalogue="$ROOT/shared/src/gemini/catalogue.rs"
checked="$(sed -n 's/^pub const CHECKED_ON: &str = "\([0-9-]*\)";$/\1/p' "$catalogue")"
stale_after="$(sed -n 's/^pub const STALE_AFTER_DAYS: i64 = \([0-9]*\);$/\1/p' "$catalogue")"
if [[ -n "$checked" && -n "$stale_after" ]]; then
  age=$(( ($(date -u +%s) - $(date -u -d "$checked" +%s)) / 86400 ))
  if [[ $age -gt $stale_after ]]; then
    warn "the model catalogue was checked on $checked, $age days ago: prices and models may have changed (scripts/check-models.sh with a key lists what differs)"
  else have "the model catalogue was checked on $checked ($age days ago)"; fi
else lack "the model catalogue's check date" "shared/src/gemini/catalogue.rs has no CHECKED_ON"; fi

if [[ $missing -eq 0 ]]; then ok "ready: scripts/dev.sh starts in seconds"; exit 0; fi
warn "$missing missing or wrong; scripts/setup.sh fixes what it can in about $(duration "$cost") here"
exit 1
