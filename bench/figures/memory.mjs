import { runWorker } from "../lib/proc.mjs";
import { round } from "../lib/stats.mjs";

const MB = 1e6;
/** RSS may wobble with the garbage collector; growth beyond this between halves is a trend. */
const FLAT_TOLERANCE_MB = 10;
const LIMIT_MB = 100;

const RUNS = [
  { client: "dockhand", kind: "logs", judged: true },
  { client: "dockhand", kind: "export", judged: true },
  { client: "undici-lean", kind: "export", judged: false },
  { client: "undici", kind: "export", judged: false },
  { client: "dockerode", kind: "logs", judged: false },
  { client: "node-sdk", kind: "logs", judged: false },
];

/** Evenly spaced points of the RSS series, for the report's sparkline and the JSON. */
function downsample(samples, points = 48) {
  if (samples.length <= points) return samples;
  return Array.from({ length: points }, (_, i) => samples[Math.round((i * (samples.length - 1)) / (points - 1))]);
}

/** Reads the RSS series of one run: peak, and growth between the first and second half (after the first 5 %). */
function analyse(samples) {
  const rss = samples.map(([, v]) => v / MB);
  const skip = Math.floor(rss.length * 0.05);
  const body = rss.slice(skip);
  const half = Math.floor(body.length / 2);
  const firstPeak = Math.max(...body.slice(0, half));
  const secondPeak = Math.max(...body.slice(half));
  return { startMB: rss[0], peakMB: Math.max(...rss), growthMB: secondPeak - firstPeak };
}

/** RSS while streaming a long body (2 GiB in the full run) through the client. */
export async function run({ quick, socket, fixtures, log, nodeArgsFor, baseline }) {
  const { bytes } = fixtures.stream;
  const deadlineMs = quick ? 2000 : 90_000;
  const figure = {
    id: "memory",
    title: `RSS while streaming ${(bytes / 2 ** 30).toFixed(2)} GiB through the client (canned daemon)`,
    method:
      `nginx serves the same ${(bytes / 2 ** 20).toFixed(0)} MiB file as a multiplexed logs body (4 KiB frames) and as an export (raw bytes). ` +
      `Each run is a fresh process consuming the whole body (counting bytes, keeping nothing), sampling its RSS every 20 ms and every 16 MiB. ` +
      `"Flat" means the highest RSS of the second half of the run is within ${FLAT_TOLERANCE_MB} MB of the highest of the first half (first 5 % of samples skipped). ` +
      `Peers are shown for context and stop after ${deadlineMs / 1000} s.`,
    unit: "MB",
    tables: [],
    ratios: [],
    errors: {},
  };
  const rows = [];
  // A smoke run (--quick) skips the peers, which are context only.
  // With --baseline, the baseline build streams the same bodies (unjudged, for comparison).
  const runs = baseline ? [...RUNS, ...RUNS.filter((r) => r.client === "dockhand").map((r) => ({ ...r, client: "dockhand-baseline", judged: false }))] : RUNS;
  for (const { client, kind, judged } of quick ? runs.filter((r) => r.client.startsWith("dockhand") || r.client === "undici-lean") : runs) {
    log(`memory: ${client} ${kind}`);
    try {
      const result = await runWorker(
        "memory",
        { client, socket, container: fixtures.stream.container, kind, deadlineMs, sampleMs: 20 },
        { nodeArgs: nodeArgsFor(client, `memory-${kind}`), timeoutMs: deadlineMs + 60_000 },
      );
      const a = analyse(result.samples);
      const flat = a.growthMB <= FLAT_TOLERANCE_MB;
      rows.push({
        client: `${client} ${kind}`,
        startMB: round(a.startMB),
        peakMB: round(a.peakMB),
        growthMB: round(a.growthMB, 2),
        flat,
        seconds: round(result.seconds),
        throughputMiBps: round(result.bytes / 2 ** 20 / result.seconds),
        note: result.complete ? undefined : `stopped at the deadline after ${((result.bytes / bytes) * 100).toFixed(0)}%`,
        series: downsample(result.samples).map(([t, v]) => [t, round(v / MB)]),
      });
      if (judged) {
        figure.ratios.push({
          label: `dockhand ${kind}: peak RSS ${round(a.peakMB)} MB, ${flat ? "flat" : `grew ${round(a.growthMB, 2)} MB`} (value: peak / ${LIMIT_MB} MB)`,
          value: round(a.peakMB / LIMIT_MB),
          goal: `peak < ${LIMIT_MB} MB and flat`,
          met: quick ? null : a.peakMB < LIMIT_MB && flat,
        });
      }
    } catch (err) {
      figure.errors[`${client} ${kind}`] = err.message;
      log(`  failed: ${err.message.split("\n")[0]}`);
    }
  }
  figure.tables.push({ label: "RSS (MB)", kind: "memory", rows });
  return figure;
}
