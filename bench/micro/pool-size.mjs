// How many pooled connections short calls need: requests per second of N concurrent calls through
// an undici Pool capped at each size (what UndiciTransport uses), against a real engine's socket.
// Not a test: run by hand; the README's "Connections" section quotes its results.
//   node bench/micro/pool-size.mjs unix:///tmp/dk/docker.sock [concurrent=2000] [path=/v1.41/version]
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const Pool = require("undici/lib/dispatcher/pool.js");
const request = require("undici/lib/api/api-request.js");

const [host = "unix:///var/run/docker.sock", concurrentArg = "2000", path = "/v1.41/version"] = process.argv.slice(2);
const socketPath = new URL(host).pathname;
const CONCURRENT = Number(concurrentArg);
const SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256, null];
const ROUNDS = 3;

async function round(connections) {
  const pool = new Pool("http://localhost", { socketPath, connections, headersTimeout: 0, bodyTimeout: 0 });
  // Warm up: open the connections the size allows.
  await Promise.all(Array.from({ length: Math.min(connections ?? 64, 64) }, () => call(pool)));
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENT }, () => call(pool)));
  const ms = performance.now() - started;
  await pool.close();
  return (CONCURRENT / ms) * 1000;
}

async function call(pool) {
  const res = await request.call(pool, { method: "GET", path });
  await res.body.text();
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
}

console.log(`${CONCURRENT} concurrent GET ${path} on ${host}, median of ${ROUNDS} rounds`);
for (const size of SIZES) {
  const rates = [];
  for (let i = 0; i < ROUNDS; i++) rates.push(await round(size));
  rates.sort((a, b) => a - b);
  console.log(`connections ${String(size ?? "unbounded").padStart(9)}: ${rates[1].toFixed(0).padStart(6)} req/s`);
}
