#!/usr/bin/env bash
# The web app's located JSON parse (frontend/src/jsonpos.ts, which maps every
# value of an artifact being edited to its line) on documents of 5,000 to
# 40,000 items: milliseconds per parse, median of 5. Prints one JSON object.
set -euo pipefail
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo '{"type": "module"}' > "$out/package.json"
"$ROOT/frontend/node_modules/.bin/tsc" "$ROOT/frontend/src/jsonpos.ts" --outDir "$out" --target ES2022 --module ESNext --strict --skipLibCheck
cat > "$out/bench.mjs" <<'JS'
const { parseLocated } = await import(process.argv[2]);
const rows = [];
for (const items of [5000, 10000, 20000, 40000]) {
  const text = `[\n${Array.from({ length: items }, (_, k) => `  {"id": ${k}, "name": "item ${k}"}`).join(",\n")}\n]`;
  const times = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    parseLocated(text);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  rows.push({ items, bytes: text.length, medianMs: Number(times[2].toFixed(1)) });
}
console.log(JSON.stringify({ jsonpos: rows }));
JS
node "$out/bench.mjs" "$out/jsonpos.js"
