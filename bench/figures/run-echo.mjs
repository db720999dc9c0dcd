import { context, goal, runRounds, summarize } from "../lib/figure.mjs";
import { findEngine, IMAGE } from "../lib/engine.mjs";
import { exec, runWorker } from "../lib/proc.mjs";
import { median, round } from "../lib/stats.mjs";

/** A process still alive this long after printing its result is killed and flagged. */
const EXIT_GRACE_MS = 5000;
const NODE_CLIENTS = ["dockhand", "dockerode", "node-sdk"];

async function timed(work) {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** `run echo hi` end to end on the real engine, against `docker run --rm` with the CLI. */
export async function run({ quick, rounds, log, nodeArgsFor }) {
  const engine = await findEngine();
  const figure = {
    id: "run-echo",
    title: `\`run echo hi\` end to end on the real engine (${IMAGE})`,
    unit: "ms",
    tables: [],
    ratios: [],
    errors: {},
  };
  if (engine.skip) {
    log(`run-echo: skipped (${engine.skip})`);
    return { ...figure, skipped: engine.skip, method: "Needs a local engine (DOCKER_HOST or /var/run/docker.sock) with the busybox:local image and the docker CLI." };
  }
  const { host } = engine;
  const env = { ...process.env, DOCKER_HOST: host };
  const n = quick ? 1 : Math.max(7, rounds);
  log(`run-echo: ${n} rounds on ${host}`);
  const version = JSON.parse((await exec("docker", ["version", "--format", "{{json .Server}}"], { env })).stdout);
  const hung = {};
  const { values, errors } = await runRounds(
    ["cli", ...NODE_CLIENTS],
    n,
    (client) =>
      client === "cli"
        ? timed(async () => {
            const { stdout } = await exec("docker", ["run", "--rm", IMAGE, "echo", "hi"], { env });
            if (stdout !== "hi\n") throw new Error(`docker run printed ${JSON.stringify(stdout)}`);
          })
        : timed(async () => {
            const result = await runWorker("run-echo", { client, host, image: IMAGE, rounds: 1 }, { nodeArgs: nodeArgsFor(client, "run-echo"), exitGraceMs: EXIT_GRACE_MS });
            if (result.hung) hung[client] = (hung[client] ?? 0) + 1;
          }),
    log,
  );
  // The same sequence repeated in one process: what a service holding a client pays per run.
  const warm = {};
  for (const client of NODE_CLIENTS) {
    if (errors[client]) continue;
    try {
      const { times } = await runWorker("run-echo", { client, host, image: IMAGE, rounds: n + 1 });
      warm[client] = times.slice(1);
    } catch (err) {
      errors[`${client} (warm)`] = err.message;
    }
  }
  const judged = !quick;
  figure.method =
    `Engine ${version.Version} (API ${version.ApiVersion}) at ${host}. CLI: \`docker run --rm ${IMAGE} echo hi\` (its own process). ` +
    `Node clients in a new process each: create, start, wait, logs, remove (output checked to be "hi\\n"), timed spawn → exit. ` +
    `"Warm": the same sequence repeated in one process with one client (first run dropped). ${n} rounds, order rotated; the engine's own work dominates and varies.`;
  figure.tables.push({
    label: "new process each run (wall)",
    rows: ["cli", ...NODE_CLIENTS].map((client) => ({
      client,
      ...summarize(values[client]),
      note: hung[client] ? `did not exit by itself in ${hung[client]} of ${n} runs: killed ${EXIT_GRACE_MS / 1000} s after its result (wall includes that wait)` : undefined,
    })),
  });
  figure.tables.push({
    label: "warm client, per run (in process)",
    rows: NODE_CLIENTS.map((client) => ({ client, ...summarize(warm[client] ?? []) })),
  });
  const warmVsCli = warm.dockhand ? round(median(warm.dockhand) / median(values.cli)) : null;
  figure.ratios.push(
    goal({ label: "dockhand (new process) / docker CLI", a: values.dockhand, b: values.cli, target: 1, better: "lower", judged }),
    { label: "dockhand (warm client) / docker CLI", value: warmVsCli, goal: null, met: null },
    context({ label: "dockhand / dockerode (new process)", a: values.dockhand, b: values.dockerode }),
  );
  figure.errors = errors;
  return figure;
}
