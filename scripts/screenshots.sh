#!/usr/bin/env bash
# Retakes the README's screenshots from the real app: builds what changed,
# runs the browser suite's README scenario (e2e/tests/readme.spec.ts, against
# its own local fleet and Gemini-compatible server) and copies its two
# pictures into docs/img. Run it when the UI changes; commit docs/img.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0; fi

"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build-workers.sh" > "$ROOT/.wrangler/build.log" 2>&1 || { tail -n 40 "$ROOT/.wrangler/build.log" >&2; die "build failed"; }
(cd frontend && npm run --silent build > "$ROOT/.wrangler/frontend-build.log" 2>&1) || { tail -n 40 "$ROOT/.wrangler/frontend-build.log" >&2; die "the frontend did not build"; }
PARIT_CHROMIUM="$(find_chromium)" || die "no Chromium or Chrome found (scripts/doctor.sh)"
export PARIT_CHROMIUM
(cd e2e && npx --no-install playwright test tests/readme.spec.ts)
mkdir -p docs/img
for name in pipeline artifact; do cp "e2e/screenshots/readme-$name.png" "docs/img/$name.png"; done
ok "docs/img/pipeline.png and docs/img/artifact.png retaken"
