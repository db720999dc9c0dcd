import { FRAME_SIZES } from "../lib/fixtures.mjs";
import { baselineRatios, context, goal, runRounds, summarize, withBaseline } from "../lib/figure.mjs";
import { runWorker } from "../lib/proc.mjs";

const CLIENTS = ["undici-lean", "undici", "dockhand", "dockerode", "node-sdk"];

/** Multiplexed logs throughput with small and large frames, against a plain read of the same bytes. */
export async function run({ quick, rounds, socket, fixtures, log, nodeArgsFor, baseline }) {
  const clients = withBaseline(CLIENTS, baseline);
  const timing = quick ? { warmupMs: 30, deadlineMs: 400 } : { warmupMs: 300, deadlineMs: 8000 };
  const figure = {
    id: "demux",
    title: "Demultiplexing logs throughput (canned daemon)",
    method:
      `\`logs?follow=1\` of a container without TTY, served by nginx from a file of ${(fixtures.demux[FRAME_SIZES[0]].bytes / 2 ** 20).toFixed(0)} MiB of frames ` +
      `(4 in 5 on stdout, 1 in 5 on stderr) through the unix socket, counted by stream. "undici-lean" and "undici" are plain reads of the same bytes with no demuxing (the goals use the lean one, which loads only the undici modules dockhand loads; "undici" imports the package index). ` +
      `Each client reads to the end of the body or for at most ${timing.deadlineMs / 1000} s (throughput then covers what it got through), after a ${timing.warmupMs} ms warm-up read; ` +
      `MiB/s are wire bytes (headers included) per second. ${rounds} rounds, fresh process each.`,
    unit: "MiB/s",
    tables: [],
    ratios: [],
    errors: {},
  };
  const judged = !quick;
  for (const size of FRAME_SIZES) {
    const body = fixtures.demux[size];
    const label = size < 1024 ? `${size}-byte frames` : `${size / 1024} KiB frames`;
    log(`demux: ${label}`);
    const completion = {};
    const { values, cpu, errors } = await runRounds(
      clients,
      rounds,
      async (client) => {
        const result = await runWorker(
          "demux",
          { client, socket, container: body.container, payloadBytes: body.payloadBytes, wireBytes: body.bytes, ...timing },
          { nodeArgs: nodeArgsFor(client, `demux-${size}`) },
        );
        (completion[client] ??= []).push(result.complete ? 1 : result.wireBytes / body.bytes);
        return { value: result.mibps, cpu: result.perCpuSecond };
      },
      log,
    );
    Object.assign(figure.errors, errors);
    figure.tables.push({
      label: `${label} (${body.frames.toLocaleString("en-US")} frames)`,
      rows: clients.map((client) => ({
        client,
        ...summarize(values[client]),
        note: completion[client]?.some((c) => c < 1) ? `stopped at the deadline after ${Math.round(Math.min(...completion[client]) * 100)}% of the body` : undefined,
      })),
    });
    figure.tables.push({ label: `${label}, MiB per CPU second of the client`, rows: clients.map((client) => ({ client, ...summarize(cpu[client]) })) });
    figure.ratios.push(
      goal({ label: `dockhand / plain read, ${label}`, a: values.dockhand, b: values["undici-lean"], target: 0.8, judged }),
      context({ label: `dockhand / plain read, ${label}, per CPU second`, a: cpu.dockhand, b: cpu["undici-lean"] }),
      context({ label: `dockhand / plain read with undici's index loaded, ${label}`, a: values.dockhand, b: values.undici }),
      goal({ label: `dockhand / dockerode (demuxStream), ${label}`, a: values.dockhand, b: values.dockerode, target: 3, judged }),
      goal({ label: `dockhand / @docker/node-sdk, ${label}`, a: values.dockhand, b: values["node-sdk"], target: 3, judged }),
      ...baselineRatios(baseline, label, values, cpu),
    );
  }
  return figure;
}
