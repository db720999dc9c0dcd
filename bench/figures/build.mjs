import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BUILD_CACHE_RECORDS, changeOneFile, ensureBuildContext, freshContext } from "../lib/build-context.mjs";
import { engineRequest, findEngine } from "../lib/engine.mjs";
import { context, goal, runRounds, summarize } from "../lib/figure.mjs";
import { exec, runWorker } from "../lib/proc.mjs";
import { median, round } from "../lib/stats.mjs";

/** dockhand with each builder, and `docker buildx build` (the oracle) when DOCKHAND_BUILDX is set. */
const DOCKHAND = { buildkit: "dockhand BuildKit", classic: "dockhand classic" };
const TAG = "dockhand-bench-build";
/** A build process still alive this long after printing its result is killed and flagged. */
const EXIT_GRACE_MS = 5000;
const MB = 1e6;

async function timed(work) {
  const start = process.hrtime.bigint();
  const result = await work();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

/**
 * Prunes the build cache records of this figure's steps, once its images are deleted: left to the
 * daemon's collection, each build kept its ~200 MB COPY layer and a few dozen runs filled the
 * disk. By description (quoted for the daemon's filter parser): pruning by id left them in place.
 */
async function pruneOwnCache(socketPath) {
  for (const description of BUILD_CACHE_RECORDS) {
    const filters = encodeURIComponent(JSON.stringify({ description: [`"${description}"`] }));
    await engineRequest(socketPath, `/build/prune?filters=${filters}`, { method: "POST", timeoutMs: 120_000 }).catch(() => {});
  }
}

/** The id of the image `tag` names now. */
async function imageId(socketPath, tag) {
  return JSON.parse((await engineRequest(socketPath, `/images/${encodeURIComponent(tag)}/json`, { timeoutMs: 60_000 })).body).Id;
}

/** `docker buildx` from scripts/buildx.sh, if it runs; `{ skip }` says why not. */
async function findBuildx() {
  const buildx = process.env.DOCKHAND_BUILDX;
  if (!buildx) return { skip: "DOCKHAND_BUILDX is not set (export \"$(scripts/buildx.sh up)\")" };
  try {
    return { buildx, version: (await exec(buildx, ["version"])).stdout.trim() };
  } catch (err) {
    return { skip: `${buildx} version failed: ${err.message.split("\n")[0]}` };
  }
}

/** Bytes of context buildx reports sending (`transferring context: 1.2MB`, decimal units as go-units prints them). */
function buildxContextBytes(output) {
  const units = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 };
  const sizes = [...output.matchAll(/transferring context: ([\d.]+)(B|kB|MB|GB)/g)].map(([, n, unit]) => Number(n) * units[unit]);
  return sizes.length ? Math.max(...sizes) : null;
}

/** What the classic builder uploads for `dir`: the tar dockhand packs (the same code as images.build). */
async function classicTarBytes(dir) {
  const build = process.env.DOCKHAND_BUILD ?? new URL("../.build", import.meta.url).pathname;
  const { packBuildContext } = await import(pathToFileURL(join(build, "src/build/context.js")).href);
  const packed = await packBuildContext({ directory: dir });
  let bytes = 0;
  for await (const chunk of await packed.open()) bytes += chunk.length;
  return bytes;
}

/**
 * Image builds on the real engine: a first build of a large context and a rebuild after changing
 * one file, dockhand BuildKit vs dockhand classic vs `docker buildx build`, each a new process.
 */
export async function run({ quick, rounds, log, nodeArgsFor }) {
  const figure = {
    id: "build",
    title: "Image build on the real engine: first build and a one-file rebuild",
    unit: "ms",
    tables: [],
    ratios: [],
    errors: {},
  };
  const engine = await findEngine({ cli: false });
  if (engine.skip) {
    log(`build: skipped (${engine.skip})`);
    return { ...figure, skipped: engine.skip, method: "Needs a local engine (DOCKER_HOST or /var/run/docker.sock) with the busybox:local image." };
  }
  const { host, socketPath } = engine;
  const oracle = await findBuildx();
  const clients = [...(oracle.skip ? [] : ["buildx"]), "buildkit", "classic"];
  const label = (client) => DOCKHAND[client] ?? "docker buildx build";
  const base = join(tmpdir(), "dockhand-bench");
  const template = await ensureBuildContext(base, quick ? "quick" : "full");
  const n = quick ? 1 : rounds;
  const version = JSON.parse((await engineRequest(socketPath, "/version")).body);
  log(`build: ${template.files} files, ${round(template.bytes / MB, 1)} MB, ${n} round(s) on ${host} (engine ${version.Version})${oracle.skip ? `; no buildx: ${oracle.skip}` : ""}`);

  const env = { ...process.env, DOCKER_HOST: host };
  const rebuild = Object.fromEntries(clients.map((c) => [c, []]));
  const sent = { first: Object.fromEntries(clients.map((c) => [c, []])), rebuild: Object.fromEntries(clients.map((c) => [c, []])) };
  const hung = {};
  let tarBytes;

  /** One build of `dir`; resolves with the context bytes it sent. */
  async function build(client, dir, tag) {
    if (client === "buildx") {
      const { stderr } = await exec(oracle.buildx, ["build", "--progress=plain", "-t", tag, dir], { env });
      return buildxContextBytes(stderr);
    }
    const result = await runWorker("build", { host, context: dir, builder: client, tag }, { nodeArgs: nodeArgsFor("dockhand", `build-${client}`), exitGraceMs: EXIT_GRACE_MS, timeoutMs: 600_000 });
    if (result.hung) hung[client] = (hung[client] ?? 0) + 1;
    if (client === "buildkit") return result.transfer.bytes;
    tarBytes ??= await classicTarBytes(dir);
    return tarBytes;
  }

  const { values: first, errors } = await runRounds(
    clients,
    n,
    async (client, r) => {
      const dir = join(base, `build-${client}`);
      const tag = `${TAG}:${client}`;
      await freshContext(template.dir, dir);
      // The copy's 200 MB (and the last round's deletions) are written back before the clock
      // starts, so that no build pays for the writeback of what came before it.
      await exec("sync", []);
      // The rebuild moves the tag: the first build's image is deleted by its id.
      const images = [tag];
      try {
        const cold = await timed(() => build(client, dir, tag));
        images.push(await imageId(socketPath, tag));
        await changeOneFile(dir, template.changed, r + 1);
        const warm = await timed(() => build(client, dir, tag));
        sent.first[client][r] = cold.result;
        sent.rebuild[client][r] = warm.result;
        rebuild[client][r] = warm.ms;
        return cold.ms;
      } finally {
        for (const image of images) {
          await engineRequest(socketPath, `/images/${encodeURIComponent(image)}?force=1`, { method: "DELETE", timeoutMs: 60_000 }).catch(() => {});
        }
        await pruneOwnCache(socketPath);
        await rm(dir, { recursive: true, force: true });
      }
    },
    log,
  );

  const judged = !quick;
  figure.method =
    `Engine ${version.Version} (API ${version.ApiVersion}) at ${host}. Context: ${template.files} files, ${round(template.bytes / MB, 1)} MB of incompressible bytes ` +
    `(generated once into the OS temp dir, never committed), copied fresh for every first build so nothing of it is in the daemon's cache, and written back to disk (sync) before the clock starts. ` +
    `Dockerfile: \`COPY . /dockhand-bench-ctx\` then \`RUN du -s\` over it, so every builder moves and reads the whole context. ` +
    `Rebuild: the same directory with one file (about 40 KB) rewritten. Each build is its own process, timed spawn → exit: ` +
    `dockhand through \`images.build({ context, builder })\`, buildx as \`docker buildx build --progress=plain\` (${oracle.skip ? `not measured: ${oracle.skip}` : oracle.version}). ` +
    `Context sent: dockhand BuildKit's \`transfer.bytes\` (file content through FileSync/DiffCopy, Dockerfile included), the classic builder's tar, ` +
    `buildx's own "transferring context" line. ${n} round(s), order rotated. The images are deleted, then the build cache records of the COPY and RUN steps, by their description ` +
    `(not a broader prune, which would take other users' cache on a shared engine).`;
  const table = (what, values, note) => ({
    label: what,
    rows: clients.map((client) => ({ client: label(client), ...summarize(values[client]), note: note?.(client) })),
  });
  const hangNote = (client) => (hung[client] ? `did not exit by itself in ${hung[client]} of ${n} builds: killed ${EXIT_GRACE_MS / 1000} s after its result` : undefined);
  figure.tables.push(table("first build (wall)", first, hangNote), table("rebuild after changing one file (wall)", rebuild, hangNote));
  figure.tables.push({ ...table("context sent (first build)", sent.first), unit: "bytes" }, { ...table("context sent (rebuild)", sent.rebuild), unit: "bytes" });

  const rebuildMB = sent.rebuild.buildkit.length ? median(sent.rebuild.buildkit) / MB : null;
  figure.ratios.push({
    label: "dockhand BuildKit rebuild: context sent",
    value: rebuildMB === null ? null : round(rebuildMB, 4),
    unit: " MB",
    goal: "< 1 MB",
    met: judged && rebuildMB !== null ? rebuildMB < 1 : null,
  });
  if (!oracle.skip) {
    figure.ratios.push(
      goal({ label: "dockhand BuildKit / buildx, first build", a: first.buildkit, b: first.buildx, target: 1.2, better: "lower", judged }),
      goal({ label: "dockhand BuildKit / buildx, rebuild", a: rebuild.buildkit, b: rebuild.buildx, target: 1.2, better: "lower", judged }),
      context({ label: "dockhand classic / buildx, first build", a: first.classic, b: first.buildx }),
      context({ label: "dockhand classic / buildx, rebuild", a: rebuild.classic, b: rebuild.buildx }),
    );
  }
  figure.ratios.push(context({ label: "dockhand BuildKit / dockhand classic, rebuild", a: rebuild.buildkit, b: rebuild.classic }));
  figure.errors = Object.fromEntries(Object.entries(errors).map(([client, err]) => [client === "buildx" ? client : `dockhand (${client})`, err]));
  return figure;
}
