import { baselineRatios, context, goal, runRounds, summarize, withBaseline } from "../lib/figure.mjs";
import { runWorker } from "../lib/proc.mjs";

const CLIENTS = ["dockhand", "dockerode", "node-sdk"];

/** Pull-progress JSON lines parsed per second. */
export async function run({ quick, rounds, socket, fixtures, log, nodeArgsFor, baseline }) {
  const clients = withBaseline(CLIENTS, baseline);
  const timing = quick ? { warmupMs: 30, deadlineMs: 1000 } : { warmupMs: 300, deadlineMs: 30000 };
  const { lines, bytes } = fixtures.progress;
  const figure = {
    id: "progress",
    title: "JSON-lines: image pull progress messages parsed per second (canned daemon)",
    method:
      `\`POST /images/create\` answered by nginx with ${lines.toLocaleString("en-US")} progress lines (${(bytes / 2 ** 20).toFixed(0)} MiB, \`\\r\\n\`-terminated like the daemon's) through the unix socket. ` +
      `dockhand: \`for await\` over \`images.create()\`; dockerode: \`modem.followProgress\` with an onProgress callback; node-sdk: \`imageCreate().messages()\`. ` +
      `Each counts every message; a warm-up pull of ${timing.warmupMs} ms first, ${rounds} rounds, fresh process each.`,
    unit: "lines/s",
    tables: [],
    ratios: [],
    errors: {},
  };
  log("progress: pull");
  const { values, cpu, errors } = await runRounds(
    clients,
    rounds,
    async (client) => {
      const r = await runWorker("progress", { client, socket, lines, ...timing }, { nodeArgs: nodeArgsFor(client, "progress") });
      return { value: r.linesPerSecond, cpu: r.perCpuSecond };
    },
    log,
  );
  figure.errors = errors;
  figure.tables.push({ label: `${lines.toLocaleString("en-US")} lines`, rows: clients.map((client) => ({ client, ...summarize(values[client], 4) })) });
  figure.tables.push({ label: "lines per CPU second of the client", rows: clients.map((client) => ({ client, ...summarize(cpu[client], 4) })) });
  figure.ratios.push(
    goal({ label: "dockhand / dockerode (followProgress)", a: values.dockhand, b: values.dockerode, target: 2, judged: !quick }),
    context({ label: "dockhand / dockerode, per CPU second", a: cpu.dockhand, b: cpu.dockerode }),
    context({ label: "dockhand / @docker/node-sdk", a: values.dockhand, b: values["node-sdk"] }),
    ...baselineRatios(baseline, "pull progress", values, cpu),
  );
  return figure;
}
