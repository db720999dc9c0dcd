#!/usr/bin/env bash
# Packaging test: builds and packs dockhand the way `npm publish` would, checks the tarball holds
# only the build, README, LICENSE and package.json, installs it into fresh projects and uses it
# from ESM, from CommonJS `require` (Node >= 20.19 loads ES modules that way), and from
# TypeScript with moduleResolution node16, nodenext (CommonJS file) and bundler.
# Deno and Bun consumers are covered by the runtimes tests.
#
# Slow (a build and two npm installs), so it runs only when asked:
#   DOCKHAND_PACK_TEST=1 test/package/pack.sh
# It works on a copy of the checkout's tracked files; the checkout itself is left untouched.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

if [ "${DOCKHAND_PACK_TEST:-}" != 1 ]; then
  echo "skipped: set DOCKHAND_PACK_TEST=1 to build, pack and install the package"
  exit 0
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/dockhand-pack.XXXXXX")"
trap 'rm -rf "$work"' EXIT
step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
tsc="$repo/node_modules/.bin/tsc"

step "copy the checkout's files (no dist/: prepack must build it)"
mkdir "$work/src"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work/src" 2>/dev/null) || true
ln -s "$repo/node_modules" "$work/src/node_modules"

step "pack (prepack builds dist/)"
[ ! -e "$work/src/dist" ] || fail "the copy has a dist/ before packing"
tarball="$(cd "$work/src" && npm pack --silent --pack-destination "$work" | tail -n 1)"
tarball="$work/$tarball"
echo "$tarball ($(du -h "$tarball" | cut -f1))"
entries="$(tar -tzf "$tarball")"
stray="$(grep -Ev '^package/(dist/.+\.(js|d\.ts)|README\.md|CHANGELOG\.md|LICENSE|package\.json)$' <<<"$entries" || true)"
[ -z "$stray" ] || fail "files that do not belong in the package:"$'\n'"$stray"
for needed in package/dist/src/index.js package/dist/src/index.d.ts package/dist/src/testing/index.js \
  package/dist/generated/engine.d.ts package/README.md package/CHANGELOG.md package/LICENSE package/package.json; do
  grep -qx "$needed" <<<"$entries" || fail "missing from the package: $needed"
done
echo "$(wc -l <<<"$entries") files, all under dist/ or README/LICENSE/package.json"

step "install into a fresh project"
app="$work/app"
mkdir "$app"
cat >"$app/package.json" <<'EOF'
{ "name": "dockhand-consumer", "private": true, "type": "module" }
EOF
# msw backs dockhand/testing (an optional peer); @types/node for the TypeScript consumers.
(cd "$app" && npm install --silent --no-audit --no-fund --prefer-offline "$tarball" msw@2 @types/node@20)

step "ESM import"
cat >"$app/esm.mjs" <<'EOF'
import { Docker, NotFoundError } from "dockhand";
import { startMockDaemon } from "dockhand/testing";

const daemon = await startMockDaemon();
const docker = new Docker({ host: daemon.host });
try {
  const { exitCode, stdout } = await docker.run("busybox:latest", ["echo", "hello from ESM"]);
  const missing = await docker.containers.inspect("nope").catch((e) => e);
  if (!(missing instanceof NotFoundError)) throw new Error(`expected NotFoundError, got ${missing}`);
  console.log(`ESM: ${stdout.trim()} (exit ${exitCode}), ${missing.name}`);
} finally {
  await docker.close();
  await daemon.close();
}
EOF
(cd "$app" && node esm.mjs) | tee "$work/esm.out"
grep -q "ESM: hello from ESM (exit 0), NotFoundError" "$work/esm.out" || fail "ESM consumer"

step "CommonJS require (node $(node --version))"
cat >"$app/cjs.cjs" <<'EOF'
const { Docker, NotFoundError } = require("dockhand");
const { startMockDaemon } = require("dockhand/testing");

(async () => {
  const daemon = await startMockDaemon();
  const docker = new Docker({ host: daemon.host });
  try {
    const { stdout } = await docker.run("busybox:latest", ["echo", "hello from CommonJS"]);
    const missing = await docker.containers.inspect("nope").catch((e) => e);
    console.log(`CJS: ${stdout.trim()}, ${missing instanceof NotFoundError ? "NotFoundError" : missing}`);
  } finally {
    await docker.close();
    await daemon.close();
  }
})().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
EOF
(cd "$app" && node cjs.cjs) 2>"$work/cjs.err" | tee "$work/cjs.out"
grep -q "CJS: hello from CommonJS, NotFoundError" "$work/cjs.out" || { cat "$work/cjs.err"; fail "CommonJS consumer"; }

step "TypeScript consumers"
# The same checks under each resolution mode: the types must resolve (not silently be `any`).
cat >"$app/check.ts" <<'EOF'
import { Docker, NotFoundError, type RunResult, type ContainerSummary } from "dockhand";
import { startMockDaemon, type MockDaemon } from "dockhand/testing";

export async function check(daemon: MockDaemon): Promise<string> {
  const docker = new Docker({ host: daemon.host });
  const result: RunResult = await docker.run("busybox", ["true"], { env: { A: "1" } });
  const exited = await docker.containers.list({ all: true, filters: { status: ["exited"] } });
  // @ts-expect-error "finished" is not a container status the daemon filters by
  await docker.containers.list({ filters: { status: ["finished"] } });
  // @ts-expect-error run takes the command as a list
  await docker.run("busybox", "echo hi");
  const id: string | undefined = exited[0]?.Id;
  const error: typeof NotFoundError.prototype.statusCode = 404;
  // Fields every engine sends are required; named result types are exported.
  const short: string[] = [];
  for (const c of await docker.containers.list()) short.push(c.Id.slice(0, 12));
  const first: ContainerSummary | undefined = exited[0];
  const health: string | undefined = first ? (await docker.containers.inspect(first.Id)).State.Health?.Status : undefined;
  return `${result.exitCode} ${id} ${error} ${short.join()} ${health}`;
}
export { startMockDaemon };
EOF
cp "$app/check.ts" "$app/check.cts.tmp"
tsconfig() { # NAME MODULE RESOLUTION FILE
  cat >"$app/tsconfig.$1.json" <<EOF
{ "compilerOptions": { "module": "$2", "moduleResolution": "$3", "target": "ES2022", "strict": true,
    "noEmit": true, "skipLibCheck": false, "types": ["node"] }, "files": ["$4"] }
EOF
  (cd "$app" && "$tsc" -p "tsconfig.$1.json") || fail "TypeScript ($1) consumer"
  echo "TypeScript $1: ok"
}
tsconfig node16 node16 node16 check.ts
tsconfig bundler preserve bundler check.ts
# A CommonJS TypeScript file requiring the package (TypeScript >= 5.8 models Node's require of ESM).
sed -e 's/^import { Docker, NotFoundError, type RunResult, type ContainerSummary } from "dockhand";/import dockhand = require("dockhand");\nimport Docker = dockhand.Docker;\nimport NotFoundError = dockhand.NotFoundError;\ntype RunResult = dockhand.RunResult;\ntype ContainerSummary = dockhand.ContainerSummary;/' \
  -e 's/^import { startMockDaemon, type MockDaemon } from "dockhand\/testing";/import testing = require("dockhand\/testing");\nimport startMockDaemon = testing.startMockDaemon;\ntype MockDaemon = testing.MockDaemon;/' \
  "$app/check.cts.tmp" >"$app/check.cts"
tsconfig nodenext-cjs nodenext nodenext check.cts

step "dockhand/testing without msw (an optional peer): a clear error naming it"
bare="$work/bare"
mkdir "$bare"
echo '{ "name": "dockhand-no-msw", "private": true, "type": "module" }' >"$bare/package.json"
(cd "$bare" && npm install --silent --no-audit --no-fund --prefer-offline "$tarball")
[ ! -e "$bare/node_modules/msw" ] || fail "msw was installed although nobody asked for it"
cat >"$bare/no-msw.mjs" <<'EOF'
import { Docker } from "dockhand";
import { startMockDaemon } from "dockhand/testing";

if (typeof Docker !== "function") throw new Error("dockhand did not load");
await startMockDaemon().then(
  () => { throw new Error("startMockDaemon worked without msw"); },
  (error) => console.log(`no msw: ${error.message}`),
);
EOF
(cd "$bare" && node no-msw.mjs) | tee "$work/no-msw.out"
grep -q "needs the msw package.*npm install --save-dev msw" "$work/no-msw.out" || fail "dockhand/testing without msw"

step "package OK"
