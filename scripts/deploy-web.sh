#!/usr/bin/env bash
# Builds the web app (frontend/) for a deployed supervisor and publishes it to
# Cloudflare Pages.
#
#   scripts/deploy-web.sh --supervisor-url URL [--project NAME]
#
# The URL goes into the site's config.json; the build lands in .parit/web-dist
# (frontend/dist stays the local one). NAME defaults to frontend/wrangler.toml's
# `name`. The supervisor must allow the site's origin: add
# https://<NAME>.pages.dev (and any custom domain) to ALLOWED_ORIGINS in
# workers/supervisor/wrangler.toml and deploy the supervisor again.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

url=""; project="$(sed -n 's/^name = "\(.*\)"$/\1/p' frontend/wrangler.toml)"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --supervisor-url) url="$2"; shift 2 ;;
    --project) project="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
[[ "$url" =~ ^https?://[^/]+$ ]] || die "--supervisor-url must be the supervisor's origin, e.g. https://parit-supervisor.<you>.workers.dev"

out="$ROOT/.parit/web-dist"
say "building the web app for $url"
(cd frontend && PARIT_WEB_SUPERVISOR_URL="$url" npm run --silent build -- --outDir "$out" --emptyOutDir > "$ROOT/.wrangler/web-build.log" 2>&1) \
  || { tail -n 40 "$ROOT/.wrangler/web-build.log" >&2; die "the web app did not build"; }

say "publishing to Cloudflare Pages (project $project)"
"$WRANGLER" pages deploy "$out" --project-name "$project" --branch main --commit-dirty=true \
  || die "pages deploy failed: check CLOUDFLARE_API_TOKEN (Pages: Edit), or create the project with: $WRANGLER pages project create $project --production-branch main"

origins="$(sed -n 's/^ALLOWED_ORIGINS = "\(.*\)"$/\1/p' workers/supervisor/wrangler.toml)"
if [[ ",$origins," != *",https://$project.pages.dev,"* ]]; then
  warn "the supervisor does not yet allow https://$project.pages.dev: add it to ALLOWED_ORIGINS in workers/supervisor/wrangler.toml and run scripts/deploy-parallel.sh --only supervisor"
fi
ok "web app published (https://$project.pages.dev)"
