#!/usr/bin/env bash
# A newcomer's first start, measured: scripts/dev.sh in a fresh clone on a
# machine with nothing of Parit's installed or cached (its own HOME, cargo
# home, npm cache and pip cache; rustup's toolchain and the Debian packages
# are the machine's, as `apt` cannot be undone cheaply: setup.sh's apt step
# is measured when packages are missing), until the fleet's first 200. Then
# the same again, warm. Prints one JSON object: each setup step's seconds as
# setup.sh reports them, when the start-up page answered, the first 200 and
# the web app, bare and warm.   bench/setup.sh   (about 20 minutes on 2 cores)
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
dir="$ROOT/.parit/bench/setup"
rm -rf "$dir"; mkdir -p "$dir/home" "$dir/bin"
git clone --quiet "$ROOT" "$dir/clone"
# The toolchain's rustup proxies, and nothing cargo installed.
for tool in cargo rustc rustup rustdoc rustfmt cargo-fmt cargo-clippy clippy-driver; do
  [[ -e "$HOME/.cargo/bin/$tool" ]] && ln -s "$HOME/.cargo/bin/$tool" "$dir/bin/$tool"
done
bare_env=(env HOME="$dir/home" CARGO_HOME="$dir/home/.cargo" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
  XDG_CACHE_HOME="$dir/home/.cache" npm_config_cache="$dir/home/.npm" PATH="$dir/bin:$(tr ':' '\n' <<< "$PATH" | grep -vx "$HOME/.cargo/bin" | paste -sd:)")

# One dev.sh start until its web app is up; its output in $dir/$1.log.
start() {
  local name="$1" port web pid
  port="$(free_port)"; web="$(free_port)"
  "${bare_env[@]}" setsid "$dir/clone/scripts/dev.sh" --port "$port" --web-port "$web" > "$dir/$name.log" 2>&1 < /dev/null &
  pid=$!
  while ! grep -q "the web app is up" "$dir/$name.log"; do
    kill -0 "$pid" 2> /dev/null || die "dev.sh ($name) ended: $(tail -n 30 "$dir/$name.log")"
    sleep 1
  done
  kill -TERM "$pid"
  wait "$pid" || true
}
start bare
start warm

python3 - "$dir/bare.log" "$dir/warm.log" <<'EOF'
import json, re, sys

def figures(path):
    text = re.sub(r"\x1b\[[0-9;]*m", "", open(path).read())
    steps = {f"{n} {name}": int(m) * 60 + int(sec) for n, name, m, sec in re.findall(r"\[(\d)/5\] (.+?) done in (\d+)m(\d+)s", text)}
    ready = re.search(r"toolchain ready in (\d+)m(\d+)s", text)
    ms = lambda pattern: int(re.search(pattern, text).group(1))
    return {
        "setupSteps": steps,
        "setupSeconds": int(ready.group(1)) * 60 + int(ready.group(2)) if ready else None,
        "startPageMs": ms(r"answers now \(after (\d+) ms\)"),
        "first200Ms": ms(r"first 200 after (\d+) ms"),
        "webAppMs": ms(r"the web app is up at \S+ \(after (\d+) ms\)"),
    }

print(json.dumps({"bare": figures(sys.argv[1]), "warm": figures(sys.argv[2])}))
EOF
