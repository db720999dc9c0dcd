import { existsSync, readFileSync } from "node:fs";
import { mkdir, readlink, rm, symlink } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { exec } from "./proc.mjs";

/**
 * Installs the peers (bench/package.json) into bench/node_modules when any is missing. Only this
 * folder is touched: the library's own dependencies stay as they are.
 */
export async function ensurePeers(benchDir, log) {
  const { dependencies } = JSON.parse(readFileSync(join(benchDir, "package.json"), "utf8"));
  const missing = Object.keys(dependencies).filter((name) => !existsSync(join(benchDir, "node_modules", name, "package.json")));
  if (missing.length === 0) return;
  log(`installing peers into bench/node_modules (${missing.join(", ")} missing)`);
  // No lock file: "latest" means the latest release on the day of the run (versions are recorded).
  await exec("npm", ["install", "--prefix", benchDir, "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"]);
}

/** Versions of the installed peers, as resolved in bench/node_modules. */
export function peerVersions(benchDir) {
  const { dependencies } = JSON.parse(readFileSync(join(benchDir, "package.json"), "utf8"));
  return Object.fromEntries(
    Object.keys(dependencies).map((name) => [name, JSON.parse(readFileSync(join(benchDir, "node_modules", name, "package.json"), "utf8")).version]),
  );
}

/**
 * Compiles dockhand with the project's own build settings (tsconfig.build.json) into
 * bench/.build, incrementally. Type errors in files being edited by others do not stop the
 * emit; a missing entry point does. bench/.build/node_modules points at the repository's
 * node_modules so the built code loads the same dependencies (undici …) a user would get.
 */
export async function buildDockhand(repoDir, outDir, log) {
  const tsc = join(repoDir, "node_modules", "typescript", "bin", "tsc");
  if (!existsSync(tsc)) throw new Error("the repository's dependencies are not installed: run `npm ci` at the root first");
  await mkdir(outDir, { recursive: true });
  log(`building dockhand (tsc -p tsconfig.build.json) into ${outDir}`);
  let diagnostics = "";
  try {
    await exec(process.execPath, [tsc, "-p", join(repoDir, "tsconfig.build.json"), "--outDir", outDir, "--incremental", "--tsBuildInfoFile", join(outDir, ".tsbuildinfo"), "--declaration", "false", "--sourceMap", "false"], { cwd: repoDir });
  } catch (err) {
    diagnostics = err.message;
  }
  const entry = join(outDir, "src", "index.js");
  if (!existsSync(entry)) throw new Error(`the build produced no ${entry}${diagnostics ? `:\n${diagnostics}` : ""}`);
  const link = join(outDir, "node_modules");
  const target = join(repoDir, "node_modules");
  if (!existsSync(link) || (await readlink(link).catch(() => "")) !== target) {
    await rm(link, { recursive: true, force: true });
    await symlink(target, link, "dir");
  }
  if (diagnostics) log(`  (tsc reported type errors, probably files mid-edit by others; the emitted JS is used)`);
  return { entry, typeErrors: diagnostics ? diagnostics.split("\n").filter((l) => l.includes("error TS")).length : 0 };
}

/** Version of undici the built dockhand resolves (the repository's), to compare with the raw baseline's. */
export function dockhandUndiciVersion(outDir) {
  const require = createRequire(join(outDir, "src", "index.js"));
  return require("undici/package.json").version;
}
