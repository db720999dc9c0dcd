import { baselineRatios, context, goal, runRounds, summarize, withBaseline } from "../lib/figure.mjs";
import { runWorker } from "../lib/proc.mjs";

const CLIENTS = ["undici", "undici-lean", "dockhand", "dockerode", "node-sdk"];

/** A process still alive this long after its ping was answered and its client closed is killed and flagged. */
const EXIT_GRACE_MS = 5000;

/** Runs the cold-start worker; resolves with the wall time from spawn to exit and what the child measured. */
async function coldStart(client, socket) {
  const start = process.hrtime.bigint();
  const result = await runWorker("coldstart", { client, socket }, { exitGraceMs: EXIT_GRACE_MS });
  return { wall: Number(process.hrtime.bigint() - start) / 1e6, ...result };
}

/** New process → import the client → first ping answered → exit. */
export async function run({ quick, rounds, socket, log, baseline }) {
  const clients = withBaseline(CLIENTS, baseline);
  const n = quick ? 1 : Math.max(15, rounds * 3);
  log(`coldstart: ${n} rounds`);
  // One untimed start per client puts its files in the page cache, as on a machine that has run it before.
  if (!quick) for (const client of clients) await coldStart(client, socket).catch(() => {});
  const pinged = Object.fromEntries(clients.map((c) => [c, []]));
  const hung = {};
  const { values, errors } = await runRounds(
    clients,
    n,
    async (client, r) => {
      const result = await coldStart(client, socket);
      pinged[client][r] = result.pinged;
      if (result.hung) hung[client] = (hung[client] ?? 0) + 1;
      return result.wall;
    },
    log,
  );
  const note = (client) => (hung[client] ? `did not exit by itself in ${hung[client]} of ${n} rounds: killed ${EXIT_GRACE_MS / 1000} s after its ping (wall includes that wait)` : undefined);
  const judged = !quick;
  return {
    id: "coldstart",
    title: "Cold start: new process, import, first ping (canned daemon)",
    method:
      `\`node worker.mjs\` that imports the client, pings once (dockhand: \`system.ping()\`; raw "undici": \`import { Pool } from "undici"\` + one request, as the goal states; "undici-lean": only the Pool and request modules), closes and exits. ` +
      `"wall" is spawn to exit measured by the parent; "ping done" is the child's own clock (ms since its process started) when the ping resolved. ` +
      `${n} rounds interleaved after one untimed start each.`,
    unit: "ms",
    tables: [
      { label: "wall time, spawn → exit", rows: clients.map((client) => ({ client, ...summarize(values[client]), note: note(client) })) },
      { label: "ping done, ms after process start", rows: clients.map((client) => ({ client, ...summarize(pinged[client]) })) },
    ],
    ratios: [
      goal({ label: "dockhand / raw undici, wall", a: values.dockhand, b: values.undici, target: 1.2, better: "lower", judged }),
      goal({ label: "dockhand / dockerode, wall", a: values.dockhand, b: values.dockerode, target: 1, better: "lower", judged }),
      context({ label: "dockhand / raw undici, ping done", a: pinged.dockhand, b: pinged.undici }),
      context({ label: "dockhand / raw undici loading only Pool and request, wall", a: values.dockhand, b: values["undici-lean"] }),
      context({ label: "dockhand / @docker/node-sdk, wall", a: values.dockhand, b: values["node-sdk"] }),
      ...baselineRatios(baseline, "wall (lower is better)", values),
    ],
    errors,
  };
}
