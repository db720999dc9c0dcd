// Finds and loads the Engine API specs: the target spec the types are generated from, and the
// older versions next to it, which are only read to date operations, parameters and filters.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

/** Absolute path of the repository root (the folder holding openapi/ and generated/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const DEFAULT_SPEC = path.resolve(REPO_ROOT, "../shared/engine-api/v1.55.yaml");
const VERSIONED_NAME = /^v(\d+)\.(\d+)\.yaml$/;

/** The spec to generate from: `ENGINE_API_SPEC` if set, else the pinned shared copy. */
export function specPath(env = process.env) {
  return env.ENGINE_API_SPEC ? path.resolve(env.ENGINE_API_SPEC) : DEFAULT_SPEC;
}

/**
 * Why `generate --check` cannot run, or undefined when it can: the pinned shared spec is absent
 * (a clone with nothing beside it) and no `ENGINE_API_SPEC` was given. A spec the caller names
 * explicitly is never skipped; a missing one is an error.
 */
export function specAbsence(env = process.env) {
  if (env.ENGINE_API_SPEC || existsSync(DEFAULT_SPEC)) return undefined;
  return `${path.relative(REPO_ROOT, DEFAULT_SPEC)} not found (the upstream specs beside the checkout; CI has them)`;
}

/** Orders "1.9" before "1.40" (numeric, not lexical). */
export function compareVersions(a, b) {
  const [aMajor, aMinor] = a.split(".").map(Number);
  const [bMajor, bMinor] = b.split(".").map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/** Reads one spec file: its text hash, parsed Swagger document and declared API version. */
export async function loadSpec(file) {
  const text = await readFile(file, "utf8");
  const doc = YAML.parse(text);
  if (doc?.swagger !== "2.0" || typeof doc.info?.version !== "string") {
    throw new Error(`${file} is not a Swagger 2.0 Engine API spec (no swagger: "2.0" / info.version)`);
  }
  return {
    file,
    fileName: path.basename(file),
    version: doc.info.version,
    sha256: createHash("sha256").update(text).digest("hex"),
    doc,
  };
}

/**
 * Loads every `vMAJOR.MINOR.yaml` beside the target spec up to and including its version,
 * oldest first. The oldest one found is the floor that "since" dates cannot go below.
 */
export async function loadHistory(target) {
  const dir = path.dirname(target.file);
  const names = (await readdir(dir)).filter((name) => VERSIONED_NAME.test(name));
  const older = names
    .map((name) => ({ name, version: name.slice(1, -".yaml".length) }))
    .filter(({ version }) => compareVersions(version, target.version) < 0)
    .sort((a, b) => compareVersions(a.version, b.version));
  const loaded = await Promise.all(older.map(({ name }) => loadSpec(path.join(dir, name))));
  for (const spec of loaded) {
    if (`v${spec.version}.yaml` !== spec.fileName) {
      throw new Error(`${spec.fileName} declares API version ${spec.version}; file name and content disagree`);
    }
  }
  return [...loaded, target];
}
