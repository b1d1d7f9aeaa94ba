# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are for the scripts that source this file
# Shared by Parit's scripts: repo paths, the pinned wrangler, offline and
# quiet wrangler settings, and output helpers. Source it; do not run it.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# cargo-installed tools (worker-build, wasm-bindgen) live here on a fresh machine.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# fleet_list FIELD [KIND]: FIELD of every Worker in fleet.toml (the one list
# of the Workers and the stages), or of those of KIND, in the file's order,
# one a line. The file keeps to `[[worker]]` tables of `key = "string"`
# lines, so awk reads it (a native test, shared/tests/fleet_manifest.rs,
# refuses anything else).
fleet_list() {
  awk -v want="$1" -v kind="${2:-}" '
    function flush() {
      if (open && (kind == "" || rec["kind"] == kind) && (want in rec)) print rec[want]
      split("", rec); open = 0
    }
    /^\[\[worker\]\]$/ { flush(); open = 1; next }
    /^[a-z_]+ = "[^"]*"$/ { v = $0; sub(/^[^"]*"/, "", v); sub(/"$/, "", v); rec[$1] = v }
    END { flush() }
  ' "$ROOT/fleet.toml"
}
# The agents and the stages in stage order; every Worker in deploy order (the
# agents and the bridge before the supervisor that binds them).
mapfile -t AGENTS < <(fleet_list name agent)
mapfile -t STAGES < <(fleet_list stage agent)
mapfile -t WORKERS < <(fleet_list name)
if [[ ${#AGENTS[@]} -eq 0 || ${#STAGES[@]} -ne ${#AGENTS[@]} || ${#WORKERS[@]} -le ${#AGENTS[@]} ]]; then
  printf 'fleet.toml lists no agents, or an agent without its stage: %s\n' "$ROOT/fleet.toml" >&2
  return 1
fi

# Every wrangler call goes through $WRANGLER so tests can substitute a fake.
WRANGLER="${WRANGLER:-$ROOT/wrangler/node_modules/.bin/wrangler}"

export WRANGLER_SEND_METRICS=false
export WRANGLER_SEND_ERROR_REPORTS=false
export CLOUDFLARE_CF_FETCH_ENABLED=false
export WRANGLER_HIDE_BANNER=true
export WRANGLER_LOG_PATH="${WRANGLER_LOG_PATH:-$ROOT/.wrangler/logs}"
export WRANGLER_REGISTRY_PATH="${WRANGLER_REGISTRY_PATH:-$ROOT/.wrangler/registry}"

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
  C_BOLD=$'\e[1m'; C_GREEN=$'\e[32m'; C_RED=$'\e[31m'; C_YELLOW=$'\e[33m'; C_DIM=$'\e[2m'; C_RESET=$'\e[0m'
else
  C_BOLD=""; C_GREEN=""; C_RED=""; C_YELLOW=""; C_DIM=""; C_RESET=""
fi

say()  { printf '%s\n' "${C_BOLD}==>${C_RESET} $*"; }
ok()   { printf '%s\n' "${C_GREEN}✔${C_RESET} $*"; }
warn() { printf '%s\n' "${C_YELLOW}!${C_RESET} $*" >&2; }
die()  { printf '%s\n' "${C_RED}✘${C_RESET} $*" >&2; exit 1; }

# Worker directory names from a comma-separated list of stages or names
# ("prd,data-agent,bridge,supervisor" → prd-agent data-agent bridge
# supervisor), one a line.
worker_names() {
  local picked p
  IFS=',' read -r -a picked <<< "$1"
  for p in "${picked[@]}"; do
    if [[ "$p" == supervisor || "$p" == bridge ]]; then echo "$p"; else echo "${p%-agent}-agent"; fi
  done
}

# A TCP port nobody listens on now, below the kernel's ephemeral range: a port
# from that range (what binding port 0 gives) can be taken by any outgoing
# connection before the server that was meant to have it binds it; a soak run
# saw a fleet fail to start that way ("Address already in use").
free_port() {
  python3 -c '
import random, socket
try:
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except OSError:
    low = 32768
for _ in range(500):
    port = random.randint(10000, low - 1)
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
    print(port)
    break
else:
    raise SystemExit("no free port below " + str(low))
'
}

# The cargo tools' pinned versions (wasm-bindgen-cli must match the
# wasm-bindgen in Cargo.lock), shared by setup.sh and doctor.sh.
WORKER_BUILD_VERSION="0.8.7"
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

# What each setup step took on this project's 2-core machine, measured.
# Bare and alone, 2026-12-03 (bench/setup.sh and a bare fresh-clone test run,
# docs/BENCHMARKS.md "Setup"): both cargo tools in one shared target, in the
# background, 338-348 s; npm with an empty cache 18-23 s; Python 18-22 s.
# Each tool when only it is missing (worker-build 380 s, then wasm-bindgen-cli
# 155 s on the shared target), apt for three packages and the Workers' build:
# earlier runs (commit af0ad80; bench/devtime.sh).
# setup.sh and doctor.sh print them so a person knows the wait.
EXPECT_APT=44 EXPECT_WORKER_BUILD=380 EXPECT_WASM_BINDGEN=155 EXPECT_NPM=23 EXPECT_PYTHON=22
EXPECT_WORKERS=177 EXPECT_CARGO_TOOLS=348

# The Debian packages setup.sh installs that this machine lacks, one a line.
missing_debian_packages() {
  command -v curl > /dev/null || echo curl
  command -v python3 > /dev/null || echo python3
  command -v shellcheck > /dev/null || echo shellcheck
  command -v sqlite3 > /dev/null || echo sqlite3
  command -v unzip > /dev/null || echo unzip
  command -v wrk > /dev/null || echo wrk
  command -v ss > /dev/null || echo iproute2     # scripts/fleet.sh finds the Workers' socket
  command -v pgrep > /dev/null || echo procps
  [[ -n "${PARIT_CHROMIUM:-}" ]] || find_chromium > /dev/null || echo chromium   # a chosen browser is not apt's
  ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1 || echo postgresql
  python3 -c 'import ensurepip, venv' 2> /dev/null || echo python3-venv
  return 0
}

# Runs "$@" as root: directly when this is root, else through sudo (asking for
# a password only at a terminal). Says plainly what to do when neither works.
as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo > /dev/null; then
    if [[ -t 0 ]]; then sudo "$@"; else sudo -n "$@"; fi
  else
    die "'$*' needs root: run this as root, give this user sudo, or run it yourself first"
  fi
}

# The Chromium the tests drive: $PARIT_CHROMIUM when set, else Debian's
# chromium, else a Google Chrome (GitHub's Ubuntu runners carry one). Never a
# snap stub: Ubuntu's chromium packages install a script that runs the snap.
# Prints nothing and fails when there is none.
find_chromium() {
  local c
  if [[ -n "${PARIT_CHROMIUM:-}" ]]; then
    [[ -x "$PARIT_CHROMIUM" ]] && echo "$PARIT_CHROMIUM"
    return
  fi
  for c in /usr/bin/chromium /usr/bin/google-chrome-stable /usr/bin/google-chrome /opt/google/chrome/chrome /usr/bin/chromium-browser; do
    [[ -x "$c" ]] || continue
    [[ "$(readlink -f "$c")" == /snap/* ]] && continue
    if [[ "$(head -c 2 "$c")" == "#!" ]] && grep -q snap "$c"; then continue; fi
    echo "$c"
    return 0
  done
  return 1
}

# Whether something listens on 127.0.0.1 port $1.
port_taken() { (: < "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }

# The Gemini key dev.sh uses: $GEMINI_API_KEY, else the last one in .dev.vars
# at the repo root unless it is the example's placeholder; empty when none.
gemini_key() {
  local key="${GEMINI_API_KEY:-$(sed -n 's/^GEMINI_API_KEY=//p' "$ROOT/.dev.vars" 2> /dev/null | tail -n 1)}"
  [[ "$key" == your_gemini_api_key_here ]] || printf '%s' "$key"
}

# Whether npm's node_modules in $1 were installed from its package-lock.json
# as it is now (setup.sh writes the stamp after `npm ci`).
npm_current() {
  [[ "$(cat "$ROOT/$1/node_modules/.parit-lock-sha256" 2> /dev/null)" == "$(sha256sum "$ROOT/$1/package-lock.json" | cut -d' ' -f1)" ]]
}

# Stops process $1 and everything it started.
kill_tree() {
  local child
  for child in $(pgrep -P "$1"); do kill_tree "$child"; done
  kill "$1" 2> /dev/null || true
}

# "3m07s" for a number of seconds.
duration() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# Waits up to $2 seconds for $1 to answer 200.
wait_for() {
  local url="$1" seconds="${2:-60}" i
  for ((i = 0; i < seconds * 4; i++)); do
    curl -sf -o /dev/null "$url" && return 0
    sleep 0.25
  done
  return 1
}
