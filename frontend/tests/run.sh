#!/usr/bin/env bash
# The web app's unit tests: compiles the modules they test with the project's
# own TypeScript, then runs them with Node's test runner.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo '{"type": "module"}' > "$out/package.json"
node_modules/.bin/tsc src/jsonpos.ts --outDir "$out" --target ES2022 --module ESNext --strict --skipLibCheck
JSONPOS="$out/jsonpos.js" node --test tests/*.test.mjs
