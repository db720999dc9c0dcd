#!/usr/bin/env bash
# Fresh-clone check: what a stranger gets from `git clone` with nothing beside it. Clones the
# committed HEAD into an empty temporary folder (no ../shared, no node_modules, no dist/), with
# a fresh HOME (no ~/.docker, no npm config) and no DOCKER_* variables, then runs the README's
# commands: `npm install`, `npm run demo`, `npm test`; and `npm publish --dry-run`, which must
# build and list dist/. npm's download cache is reused so the install stays quick.
#
#   scripts/fresh-clone.sh [DOCKER_HOST for the demo]
#
# Without an argument the demo finds no engine and runs against its mock daemon.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
demo_host="${1:-}"

# Outside the checkout and its parent, so that nothing beside the clone is found by accident.
work="$(mktemp -d "${TMPDIR:-/tmp}/dockhand-fresh.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# Readable by others: a unit test runs a child process as `nobody` from inside the clone.
chmod 755 "$work"
cache="$(npm config get cache)"

step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

git clone --quiet --no-hardlinks "$repo" "$work/dockhand"
mkdir -m 755 "$work/home"
cd "$work/dockhand"
[ ! -e ../shared ] || fail "something sits beside the clone: $work/shared"

# A stranger's environment: their own HOME, no engine chosen, none of CI's switches.
fresh=(env -u DOCKER_HOST -u DOCKER_CONTEXT -u DOCKER_CONFIG -u DOCKER_API_VERSION -u DOCKER_CERT_PATH
  -u DOCKER_TLS_VERIFY -u DOCKER_AUTH_CONFIG -u ENGINE_API_SPEC -u DOCKHAND_REQUIRE_ENGINE
  -u DOCKHAND_REQUIRE_FIXTURES -u DOCKHAND_PACK_TEST
  HOME="$work/home" npm_config_cache="$cache" npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false)

step "npm install"
"${fresh[@]}" npm install

step "npm run demo${demo_host:+ (DOCKER_HOST=$demo_host)}"
if [ -n "$demo_host" ]; then "${fresh[@]}" DOCKER_HOST="$demo_host" npm run demo; else "${fresh[@]}" npm run demo; fi

step "npm test (no ../shared, no DOCKER_HOST)"
"${fresh[@]}" npm test 2>&1 | tee "$work/test.log"
grep -q "skipped" "$work/test.log" || fail "npm test did not say what it skipped without ../shared"

step "npm publish --dry-run lists dist/"
listing="$("${fresh[@]}" npm publish --dry-run 2>&1)" || { echo "$listing"; fail "npm publish --dry-run failed"; }
for needed in dist/src/index.js dist/src/index.d.ts dist/src/testing/index.js; do
  grep -q "$needed" <<<"$listing" || { echo "$listing"; fail "npm publish --dry-run does not list $needed"; }
done
echo "lists $(grep -c ' dist/' <<<"$listing") files under dist/"

step "the clone is as it was (no tracked file changed)"
changed="$(git status --porcelain --untracked-files=no)"
[ -z "$changed" ] || fail "the README commands changed tracked files:"$'\n'"$changed"
echo "fresh clone: ok"
