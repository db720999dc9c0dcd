// Gate for tests that read the upstream Engine API specs (../shared/engine-api beside the
// checkout, the same folder `npm run generate` reads). A clone with nothing beside it has only
// the committed generated/ code, so those tests skip (`describe.skipIf(upstreamMissing())`; test/support/skips.ts says why, once);
// with DOCKHAND_REQUIRE_FIXTURES set (CI) a missing folder is a setup mistake and fails instead.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The folder holding the upstream specs and CHANGELOG. */
export const UPSTREAM_DIR = path.resolve(root, "../shared/engine-api");

/** The pinned spec generated/ is made from. */
export const UPSTREAM_SPEC = path.join(
  UPSTREAM_DIR,
  (JSON.parse(readFileSync(path.join(root, "openapi/source.json"), "utf8")) as { spec: string }).spec,
);

/** Why the upstream-spec tests cannot run here, or undefined when they can. */
export function upstreamMissing(): string | undefined {
  if (existsSync(UPSTREAM_SPEC)) return undefined;
  const reason = `${path.relative(root, UPSTREAM_SPEC)} not found (the upstream Engine API specs beside the checkout; only regenerating needs them)`;
  const flag = process.env["DOCKHAND_REQUIRE_FIXTURES"]?.trim().toLowerCase();
  if (flag === "1" || flag === "true") throw new Error(`DOCKHAND_REQUIRE_FIXTURES is set but ${reason}`);
  return reason;
}

/** The BuildKit .proto files generated/buildkit/ is made from (`npm run generate`). */
export const BUILDKIT_PROTO_DIR = path.resolve(root, "../shared/buildkit-proto");

/** Why the BuildKit generation tests cannot run here, or undefined when they can. */
export function buildkitProtoMissing(): string | undefined {
  if (existsSync(BUILDKIT_PROTO_DIR)) return undefined;
  const reason = `${path.relative(root, BUILDKIT_PROTO_DIR)} not found (the BuildKit .proto files beside the checkout; only regenerating needs them)`;
  const flag = process.env["DOCKHAND_REQUIRE_FIXTURES"]?.trim().toLowerCase();
  if (flag === "1" || flag === "true") throw new Error(`DOCKHAND_REQUIRE_FIXTURES is set but ${reason}`);
  return reason;
}
