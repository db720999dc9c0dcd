// Run by limits.test.ts: meets one oversized answer from the hostile daemon at argv[2] (`inspect`:
// a JSON document that never ends; `events`: a JSON line that never ends), then checks that the
// client still works, and prints what came of it with the process's peak RSS, as JSON on stdout.
import { Docker } from "../../src/index.js";

const [host, which] = process.argv.slice(2);
if (!host || (which !== "inspect" && which !== "events")) throw new Error("usage: limits-child.ts <unix://socket> inspect|events");
const docker = new Docker({ host, apiVersion: "1.47" });
let error: unknown;
try {
  if (which === "inspect") await docker.containers.inspect("huge");
  else for await (const _ of await docker.system.events()) break;
} catch (err) {
  error = err;
}
const e = error as { name?: string; limit?: string; maximum?: number; size?: number; message?: string; path?: string } | undefined;
const version = await docker.system.version({ timeout: 60_000 });
process.stdout.write(
  JSON.stringify({
    name: e?.name,
    limit: e?.limit,
    maximum: e?.maximum,
    size: e?.size,
    path: e?.path,
    message: e?.message,
    stillWorks: version.Version,
    // Peak resident memory of this process, in MB (maxRSS is in KiB).
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
await docker.close();
