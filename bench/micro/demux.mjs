// Frames per second of dockhand's demuxer against a plain read of the same bytes (and against
// docker-modem's demuxStream when it is installed). Not a test: run by hand.
//   npx tsx bench/micro/demux.mjs [payloadSize ...]
import { once } from "node:events";
import { createServer, connect } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { demux } from "../../src/streams/demux.ts";
import { OutputStream } from "../../src/streams/output-stream.ts";

const TOTAL = 64 << 20;
const CHUNK = 64 << 10;
const RUNS = 5;

function muxed(payload) {
  const count = Math.floor(TOTAL / (payload + 8));
  const bytes = Buffer.alloc(count * (payload + 8), 0x61);
  for (let i = 0, at = 0; i < count; i++, at += payload + 8) {
    bytes.fill(0, at, at + 8);
    bytes[at] = 1 + (i % 2);
    bytes.writeUInt32BE(payload, at + 4);
  }
  return { bytes, count };
}

/** The body as undici hands it over: a Node Readable of fresh 64 KiB Buffers. */
function memorySource(bytes) {
  const chunks = [];
  for (let at = 0; at < bytes.length; at += CHUNK) chunks.push(Buffer.from(bytes.subarray(at, at + CHUNK)));
  return () => Readable.from(chunks, { objectMode: false });
}

/** The same bytes through a real unix socket, so kernel and event-loop costs are included. */
async function socketSource(bytes) {
  const dir = mkdtempSync(join(tmpdir(), "dockhand-bench-"));
  const path = join(dir, "s.sock");
  const server = createServer((socket) => socket.end(bytes));
  server.listen(path);
  await once(server, "listening");
  const open = () => connect({ path });
  open.close = () => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return open;
}

/** Each consumer reads `share` of the body: docker-modem gets a slice, its per-chunk cost is too high for all of it. */
const consumers = {
  "plain read": {
    share: 1,
    consume: async (source) => {
      let n = 0;
      for await (const chunk of source) n += chunk.length;
      return n;
    },
  },
  "dockhand for await": {
    share: 1,
    consume: async (source) => {
      let n = 0;
      for await (const frame of demux(source, { multiplexed: true })) n += frame.data.length;
      return n;
    },
  },
  "dockhand text()": {
    share: 1,
    consume: async (source) => {
      const { stdout, stderr } = await new OutputStream(source, { multiplexed: true }).text();
      return stdout.length + stderr.length;
    },
  },
};

try {
  const modem = new (await import("docker-modem")).default();
  consumers["docker-modem demuxStream"] = {
    share: 1 / 32,
    consume: (source) =>
      new Promise((resolve, reject) => {
        let n = 0;
        const sink = new PassThrough();
        sink.on("data", (d) => (n += d.length));
        source.on("error", reject);
        source.on("end", () => setImmediate(() => resolve(n)));
        modem.demuxStream(source, sink, sink);
      }),
  };
} catch {
  console.log("(docker-modem is not installed here; run from bench/ to compare with it)");
}

async function measure(open, consume) {
  await consume(open());
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await consume(open());
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[RUNS >> 1];
}

const sizes = process.argv.slice(2).map(Number);
for (const payload of sizes.length ? sizes : [16, 4096]) {
  const { bytes, count } = muxed(payload);
  const sources = ["memory", "unix socket"];
  console.log(`\n${payload}-byte frames, ${count} frames, ${(bytes.length / 2 ** 20).toFixed(0)} MiB`);
  for (const where of sources) {
    let plain;
    for (const [name, { share, consume }] of Object.entries(consumers)) {
      // Whole frames only, so the slice is a valid body.
      const slice = bytes.subarray(0, Math.floor(count * share) * (payload + 8));
      const open = where === "memory" ? memorySource(slice) : await socketSource(slice);
      const ms = await measure(open, consume);
      open.close?.();
      const rate = (count * share) / ms / 1000;
      plain ??= rate;
      console.log(`  ${where.padEnd(12)} ${name.padEnd(26)} ${rate.toFixed(2).padStart(8)} M frames/s  ${(rate / plain).toFixed(3)}x plain`);
    }
  }
}
