// The connection pools: calls share a bounded pool with a queue, so 10,000 calls at once succeed
// in a process allowed 512 file descriptors; streams have a pool of their own, so open streams
// never hold the connections calls wait for; the caps are options, checked when the client is made.
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { Docker, DockerClientClosedError, DockerConfigError, type DockerOptions } from "../../src/index.js";
import { useMockDaemon } from "../support/mock-daemon.js";
import { guardProcess, serverConnections, settlesTo } from "./support.js";

guardProcess();

const mock = useMockDaemon({ apiVersion: "1.47" });

interface ChildReport {
  succeeded: number;
  failed: number;
  first?: { name: string; reason?: string; message: string };
}

/** Runs pool-child.ts in a shell limited to 512 open files. */
async function underUlimit(count: number, maxConnections: string): Promise<ChildReport> {
  const child = join(dirname(fileURLToPath(import.meta.url)), "pool-child.ts");
  const tsx = fileURLToPath(new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url));
  const script = 'ulimit -n 512 && exec "$@"';
  const { stdout } = await promisify(execFile)(
    "bash",
    ["-c", script, "bash", process.execPath, "--import", tsx, child, mock.daemon.host, String(count), maxConnections],
    { env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: process.env["HOME"] ?? "/tmp" }, timeout: 240_000, maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout) as ChildReport;
}

describe("calls share a bounded pool", () => {
  it("10,000 calls at once under `ulimit -n 512` all succeed", { timeout: 300_000 }, async () => {
    const report = await underUlimit(10_000, "default");
    expect(report).toEqual({ succeeded: 10_000, failed: 0 });
  });

  it("without a cap, the same process runs out of file descriptors (what the cap prevents)", { timeout: 300_000 }, async () => {
    const report = await underUlimit(2_000, "Infinity");
    expect(report.failed).toBeGreaterThan(0);
    expect(report.first).toMatchObject({ name: "DockerConnectionError" });
  });

  it("never more connections than the cap, however many calls wait", async () => {
    const docker = mock.client({ maxConnections: 3 });
    await docker.apiVersion();
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, serverConnections(mock.daemon.socketPath) ?? 0)), 2);
    try {
      await Promise.all(Array.from({ length: 300 }, () => docker.containers.list()));
    } finally {
      clearInterval(sampler);
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(3);
  });
});

describe("streams have connections of their own", () => {
  it("open streams beyond the calls' cap do not hold up calls", async () => {
    const docker = mock.client({ maxConnections: 2 });
    const streams = await Promise.all(Array.from({ length: 6 }, () => docker.system.events()));
    const pending = streams.map((s) => s[Symbol.asyncIterator]().next().catch((e: unknown) => e));
    // Each of these would wait forever if the streams held the calls' two connections.
    const lists = await Promise.all(Array.from({ length: 20 }, () => docker.containers.list({}, { timeout: 20_000 })));
    expect(lists).toHaveLength(20);
    await docker.close();
    for (const p of pending) expect(await p).toBeInstanceOf(DockerClientClosedError);
  });

  it("a stream beyond the streams' cap waits for one to end, then runs", async () => {
    const docker = mock.client({ maxStreamConnections: 2 });
    const first = await docker.system.events();
    await docker.system.events();
    let third: Awaited<ReturnType<Docker["system"]["events"]>> | undefined;
    const opening = docker.system.events().then((s) => (third = s));
    // Calls still go through meanwhile.
    expect(await docker.containers.list()).toEqual([]);
    expect(third).toBeUndefined();
    await first.close();
    await opening;
    expect(third).toBeDefined();
    await docker.close();
    await settlesTo(() => serverConnections(mock.daemon.socketPath) ?? 0, 0, 5000);
  });
});

describe("the caps are options", () => {
  it.each([0, -1, 1.5, Number.NaN])("%s is refused when the client is made", (value) => {
    for (const name of ["maxConnections", "maxStreamConnections"] as const) {
      const options: DockerOptions = { host: mock.daemon.host, [name]: value };
      expect(() => new Docker(options)).toThrow(DockerConfigError);
      expect(() => new Docker(options)).toThrow(new RegExp(`^${name} must be a whole number of at least 1`));
    }
  });

  it("Infinity lifts a cap", async () => {
    const docker = mock.client({ maxConnections: Infinity, maxStreamConnections: Infinity });
    expect(await docker.containers.list()).toEqual([]);
  });
});
