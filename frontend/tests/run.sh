#!/usr/bin/env bash
# The web app's unit tests: compiles the modules they test with the project's
# own TypeScript, then runs them with Node's test runner.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo '{"type": "module"}' > "$out/package.json"
node_modules/.bin/tsc src/jsonpos.ts src/partial.ts src/progress.ts --outDir "$out" --target ES2022 --module ESNext --strict --skipLibCheck
# The web app imports its modules without an extension (Vite resolves them);
# Node's ES module loader needs the file's own name.
sed -i -E 's#(from "\./[A-Za-z0-9_-]+)";#\1.js";#' "$out"/*.js
JSONPOS="$out/jsonpos.js" PARTIAL="$out/partial.js" PROGRESS="$out/progress.js" node --test tests/*.test.mjs
