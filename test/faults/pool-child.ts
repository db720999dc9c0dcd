// Run by pool.test.ts under `ulimit -n 512`: makes COUNT calls at once against the daemon at
// argv[2] with the given maxConnections, and prints what came of them as JSON on stdout.
import { Docker } from "../../src/index.js";

const [host, countArg, limitArg] = process.argv.slice(2);
if (!host || !countArg || !limitArg) throw new Error("usage: pool-child.ts <unix://socket> <count> <maxConnections|default|Infinity>");
const maxConnections = limitArg === "default" ? undefined : Number(limitArg);
const docker = new Docker({ host, ...(maxConnections === undefined ? {} : { maxConnections }) });
// Negotiate first, so that every call below is a plain call on the pool.
await docker.apiVersion();
const calls = Array.from({ length: Number(countArg) }, (_, i) => (i % 2 ? docker.system.version() : docker.containers.list({ all: true })));
const outcomes = await Promise.allSettled(calls);
const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
const first = failures[0]?.reason as (Error & { reason?: string }) | undefined;
process.stdout.write(
  JSON.stringify({
    succeeded: outcomes.length - failures.length,
    failed: failures.length,
    first: first && { name: first.name, reason: first.reason, message: first.message.slice(0, 300) },
  }),
);
await docker.close();
