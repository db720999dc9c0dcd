#!/usr/bin/env node
// Benchmarks dockhand against raw undici, dockerode and @docker/node-sdk. Usage:
//   node bench/run.mjs                 full run (≈ 10 min on 2 cores), writes bench/results.json and bench/RESULTS.md
//   node bench/run.mjs --quick         smoke run in seconds, no goals judged, writes bench/.quick/
//   options: --only requests,demux,progress,memory,coldstart,run-echo,build,size   --rounds N   --out DIR
//            --profile (CPU profiles of the dockhand workers into bench/.profiles)
//            --report-only (re-render RESULTS.md from results.json, e.g. after editing FINDINGS.md)
//            --baseline REF (also measure a build of git commit REF in the same rounds: an A/B)
import { execFileSync, execSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem, type } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureFixtures } from "./lib/fixtures.mjs";
import { startNginx } from "./lib/nginx.mjs";
import { toMarkdown } from "./lib/report.mjs";
import { buildDockhand, dockhandUndiciVersion, ensurePeers, peerVersions } from "./lib/setup.mjs";

const FIGURES = ["requests", "demux", "progress", "memory", "coldstart", "run-echo", "build", "size"];
const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(benchDir);

const { values: opts } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    rounds: { type: "string" },
    out: { type: "string" },
    profile: { type: "boolean", default: false },
    "report-only": { type: "boolean", default: false },
    baseline: { type: "string" },
  },
});
if (opts["report-only"]) {
  // Re-renders RESULTS.md from an existing results.json (after editing FINDINGS.md).
  const dir = opts.out ?? benchDir;
  const results = JSON.parse(readFileSync(join(dir, "results.json"), "utf8"));
  writeFileSync(join(dir, "RESULTS.md"), toMarkdown(results, join(benchDir, "FINDINGS.md")));
  process.exit(0);
}
const quick = opts.quick;
const only = opts.only ? opts.only.split(",") : FIGURES;
const unknown = only.filter((f) => !FIGURES.includes(f));
if (unknown.length) throw new Error(`unknown figure(s) ${unknown.join(", ")}; known: ${FIGURES.join(", ")}`);
const rounds = Number(opts.rounds ?? (quick ? 1 : 5));
const outDir = opts.out ?? (quick ? join(benchDir, ".quick") : benchDir);
const cacheDir = join(tmpdir(), "dockhand-bench");
const started = Date.now();
const log = (msg) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${msg}`);
const load = () => loadavg().map((v) => Number(v.toFixed(2)));
const sh = (cmd) => {
  try {
    return execSync(cmd, { cwd: repoDir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
};

const profileDir = join(benchDir, ".profiles");
/** Extra node flags for a worker: CPU profiles of dockhand's workers with --profile. */
const nodeArgsFor = (client, label) => (opts.profile && client === "dockhand" ? ["--cpu-prof", "--cpu-prof-dir", profileDir, "--cpu-prof-name", `${label}-${Date.now()}.cpuprofile`] : []);

log(`dockhand bench (${quick ? "quick" : "full"}, ${rounds} rounds): ${only.join(", ")}`);
await ensurePeers(benchDir, log);
let build;
try {
  build = await buildDockhand(repoDir, join(benchDir, ".build"), log);
} catch (err) {
  // The peers are still measured; every dockhand figure reports the failure.
  build = { error: err.message };
  log(`dockhand is not available: ${err.message.split("\n")[0]}`);
}
const baseline = opts.baseline ? await buildBaseline(opts.baseline) : undefined;
const fixtures = await ensureFixtures(cacheDir, quick ? "quick" : "full");
log(`fixtures in ${fixtures.dir}`);
const nginx = await startNginx({ base: cacheDir, staticDir: join(fixtures.dir, "static") });
log(`canned daemon ${nginx.version} on ${nginx.socket}`);

const meta = {
  date: new Date().toISOString(),
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGB: Math.round(totalmem() / 1e9),
  os: `${type()} ${release()}`,
  node: process.version,
  npm: sh("npm --version"),
  nginx: nginx.version,
  dockhand: {
    version: JSON.parse(readFileSync(join(repoDir, "package.json"), "utf8")).version,
    commit: sh("git rev-parse --short HEAD") + (sh("git status --porcelain -- src generated") ? " (+ uncommitted changes in src/)" : ""),
    undici: build.error ? "unknown" : dockhandUndiciVersion(join(benchDir, ".build")),
    typeErrorsAtBuild: build.typeErrors,
    buildError: build.error,
  },
  peers: peerVersions(benchDir),
  baseline,
  loadBefore: load(),
};

/**
 * Builds git commit `ref` (its src/, generated/ and build settings, exported with `git archive`)
 * into bench/.baseline/<sha>/ with the repository's node_modules, and points the
 * dockhand-baseline client at it. Returns the label its ratios carry, e.g. "main~3 (ab12cd3)".
 */
async function buildBaseline(ref) {
  const git = (...args) => execFileSync("git", args, { cwd: repoDir, encoding: "utf8" }).trim();
  const sha = git("rev-parse", "--short", `${ref}^{commit}`);
  const dir = join(benchDir, ".baseline", sha);
  const tree = join(dir, "tree");
  if (!existsSync(join(tree, "tsconfig.build.json"))) {
    mkdirSync(tree, { recursive: true });
    execSync(`git archive ${sha} src generated tsconfig.json tsconfig.build.json package.json | tar -x -C "${tree}"`, { cwd: repoDir });
  }
  if (!existsSync(join(tree, "node_modules"))) symlinkSync(join(repoDir, "node_modules"), join(tree, "node_modules"), "dir");
  const built = await buildDockhand(tree, join(dir, "build"), log);
  if (built.typeErrors) log(`  the baseline ${ref} had ${built.typeErrors} type errors against today's node_modules; its emitted JS is measured`);
  process.env.DOCKHAND_BASELINE_BUILD = join(dir, "build");
  return `${ref} (${sha})`;
}

const figures = [];
try {
  for (const id of only) {
    const { run } = await import(`./figures/${id}.mjs`);
    const loadAtStart = load();
    try {
      figures.push({
        ...(await run({ quick, rounds, socket: nginx.socket, fixtures, log, nodeArgsFor, repoDir, peers: meta.peers, baseline })),
        loadAtStart,
      });
    } catch (err) {
      log(`${id} failed: ${err.stack}`);
      figures.push({ id, title: id, error: err.message, loadAtStart });
    }
  }
} finally {
  await nginx.stop();
}
meta.loadAfter = load();
meta.seconds = Math.round((Date.now() - started) / 1000);

const results = { quick, rounds, meta, figures };
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(outDir, "RESULTS.md"), toMarkdown(results, join(benchDir, "FINDINGS.md")));
const missed = figures.flatMap((f) => (f.ratios ?? []).filter((r) => r.met === false).map((r) => `${f.id}: ${r.label} = ${r.value}${r.unit ?? "×"} (goal ${r.goal})`));
log(`wrote ${join(outDir, "results.json")} and RESULTS.md in ${meta.seconds} s`);
for (const f of figures) {
  for (const r of f.ratios ?? []) console.log(`  ${r.met === true ? "met   " : r.met === false ? "MISSED" : "      "} ${f.id}: ${r.label} = ${r.value}${r.unit ?? "×"}${r.goal ? ` (goal ${r.goal})` : ""}`);
  if (f.skipped || f.error) console.log(`  skipped ${f.id}: ${(f.skipped ?? f.error).split("\n")[0]}`);
}
if (missed.length) console.log(`${missed.length} goal(s) missed.`);
// Missed goals are findings, not failures; a dockhand measurement that could not run at all is
// (a peer breaking in a new release is reported but does not fail the run).
const broken = figures.flatMap((f) => [
  ...(f.error ? [`${f.id}: ${f.error.split("\n")[0]}`] : []),
  ...Object.entries(f.errors ?? {})
    .filter(([who]) => who.startsWith("dockhand"))
    .map(([who, err]) => `${f.id}: ${who}: ${err.split("\n")[0]}`),
]);
if (broken.length) {
  console.error(`dockhand could not be measured:\n  ${broken.join("\n  ")}`);
  process.exitCode = 1;
}
