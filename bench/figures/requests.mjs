import { baselineRatios, context, goal, runRounds, summarize, withBaseline } from "../lib/figure.mjs";
import { runWorker } from "../lib/proc.mjs";

const CLIENTS = ["undici-lean", "undici", "dockhand", "dockerode", "node-sdk"];

/**
 * Requests per second: `containers.list` (50 containers, parsed; the judged figure) and
 * `system.version` (a 400-byte body, where per-request overhead rather than JSON parsing shows),
 * each sequentially and with 16 calls in flight.
 */
export async function run({ quick, rounds, socket, fixtures, log, nodeArgsFor, baseline }) {
  const clients = withBaseline(CLIENTS, baseline);
  const timing = quick ? { warmupMs: 50, durationMs: 200 } : { warmupMs: 500, durationMs: 2000 };
  const figure = {
    id: "requests",
    title: "Requests per second: containers.list and system.version (canned daemon)",
    method: `Each client in a fresh process calls \`containers.list\` (50 containers, ${fixtures.containers.bytes} bytes of JSON, parsed) or \`system.version\` (a 400-byte JSON body) on nginx over a unix socket for ${timing.durationMs} ms after ${timing.warmupMs} ms of warm-up; ${rounds} rounds, client order rotated each round; ratios are medians of per-round ratios. Raw undici is measured twice: "lean" loads only the Pool and request modules (what dockhand loads; the goals are judged against it), "index" imports the package. "Per CPU second" divides by the CPU time the client process used instead of wall time (steadier when others load the machine). Goals apply to containers.list; system.version is context.`,
    unit: "req/s",
    tables: [],
    ratios: [],
    errors: {},
  };
  // A smoke run (--quick) keeps one mode per operation.
  const modes = quick ? [["list", 1], ["version", 16]] : [["list", 1], ["list", 16], ["version", 1], ["version", 16]];
  for (const [op, concurrency] of modes) {
    const mode = `${op === "list" ? "containers.list" : "system.version"}, ${concurrency === 1 ? "sequential" : `concurrency ${concurrency}`}`;
    log(`requests: ${mode}`);
    const { values, cpu, errors } = await runRounds(
      clients,
      rounds,
      async (client) => {
        const r = await runWorker(
          "requests",
          { client, socket, op, concurrency, expected: fixtures.containers.count, ...timing },
          { nodeArgs: nodeArgsFor(client, `requests-${op}-c${concurrency}`) },
        );
        return { value: r.rps, cpu: r.perCpuSecond };
      },
      log,
    );
    Object.assign(figure.errors, errors);
    figure.tables.push({ label: mode, rows: clients.map((client) => ({ client, ...summarize(values[client], 4) })) });
    figure.tables.push({ label: `${mode}, requests per CPU second of the client`, rows: clients.map((client) => ({ client, ...summarize(cpu[client], 4) })) });
    const judged = !quick;
    const check = op === "list" ? goal : context;
    figure.ratios.push(
      check({ label: `dockhand / raw undici, ${mode}`, a: values.dockhand, b: values["undici-lean"], target: 0.8, judged }),
      check({ label: `dockhand / dockerode, ${mode}`, a: values.dockhand, b: values.dockerode, target: 1.8, judged }),
      context({ label: `dockhand / raw undici, ${mode}, per CPU second`, a: cpu.dockhand, b: cpu["undici-lean"] }),
      context({ label: `dockhand / dockerode, ${mode}, per CPU second`, a: cpu.dockhand, b: cpu.dockerode }),
      context({ label: `raw undici / dockerode, ${mode} (the ceiling of any undici-based client)`, a: values["undici-lean"], b: values.dockerode }),
      context({ label: `dockhand / @docker/node-sdk, ${mode}`, a: values.dockhand, b: values["node-sdk"] }),
      ...baselineRatios(baseline, mode, values, cpu),
    );
  }
  return figure;
}
