#!/usr/bin/env bash
# The public API report (etc/dockhand*.api.md, API Extractor) for both entry points, "." and
# "./testing". `--update` rewrites the reports; without it, a public surface that differs from the
# committed reports fails, saying how to refresh them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
local=()
[ "${1:-}" = --update ] && local=(--local)
mkdir -p .cache
npm run --silent build
rc=0
for config in api-extractor.json etc/testing.api-extractor.json; do
  npx --no-install api-extractor run "${local[@]}" --config "$config" >.cache/api-report.log 2>&1 || { rc=1; cat .cache/api-report.log; }
done
if [ $rc != 0 ]; then
  echo "The public API differs from etc/*.api.md. If the change is intended, run: npm run api:update  and commit etc/ (add a CHANGELOG line)." >&2
  exit 1
fi
echo "API reports $([ ${#local[@]} = 0 ] && echo match || echo updated): etc/dockhand.api.md, etc/dockhand-testing.api.md"
