# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are for the scripts that source this file
# Shared by Parit's scripts: repo paths, the pinned wrangler, offline and
# quiet wrangler settings, and output helpers. Source it; do not run it.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# cargo-installed tools (worker-build, wasm-bindgen) live here on a fresh machine.
export PATH="$HOME/.cargo/bin:$PATH"
AGENTS=(prd-agent data-agent design-agent logic-agent api-agent frontend-agent deployment-agent)
WORKERS=("${AGENTS[@]}" supervisor)

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
# ("prd,data-agent,supervisor" → prd-agent data-agent supervisor), one a line.
worker_names() {
  local picked p
  IFS=',' read -r -a picked <<< "$1"
  for p in "${picked[@]}"; do
    if [[ "$p" == supervisor ]]; then echo supervisor; else echo "${p%-agent}-agent"; fi
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

# Waits up to $2 seconds for $1 to answer 200.
wait_for() {
  local url="$1" seconds="${2:-60}" i
  for ((i = 0; i < seconds * 4; i++)); do
    curl -sf -o /dev/null "$url" && return 0
    sleep 0.25
  done
  return 1
}
