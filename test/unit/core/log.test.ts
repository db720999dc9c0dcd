// Debug logging: what an entry holds (and never holds), DEBUG parsing, redaction, and the hook in
// the request path, against the mock daemon.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Docker, DockerConnectionError, NotFoundError, type RequestLogEntry } from "../../../src/index.js";
import { debugEnables, redactPath } from "../../../src/core/log.js";
import { startMockDaemon, type MockDaemon } from "../../../src/testing/index.js";

let daemon: MockDaemon;
let docker: Docker;
const entries: RequestLogEntry[] = [];

beforeAll(async () => {
  daemon = await startMockDaemon({ apiVersion: "1.47" });
  docker = new Docker({ host: daemon.host, logger: (entry) => entries.push(entry) });
});
afterAll(async () => {
  await docker.close();
  await daemon.close();
});
afterEach(() => {
  entries.length = 0;
  vi.unstubAllEnvs();
});

describe("request log", () => {
  it("has method, path with query, status and timing for each request", async () => {
    await docker.containers.list({ all: true, filters: { status: ["exited"] } });
    await expect(docker.containers.inspect("nope")).rejects.toBeInstanceOf(NotFoundError);
    const [ping, list, inspect] = entries;
    expect(ping).toMatchObject({ method: "HEAD", path: "/_ping", status: 200 });
    expect(list).toMatchObject({ method: "GET", status: 200 });
    expect(list?.path).toBe(`/v1.47/containers/json?all=true&filters=${encodeURIComponent('{"status":{"exited":true}}')}`);
    expect(inspect).toMatchObject({ method: "GET", path: "/v1.47/containers/nope/json", status: 404 });
    for (const entry of entries) expect(entry.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("logs hijacked connections with the upgrade status", async () => {
    const { Id } = await docker.containers.create({ Image: "busybox:latest", Cmd: ["cat"], OpenStdin: true, StdinOnce: true });
    const session = await docker.containers.attach(Id, { stdin: true });
    expect(entries.at(-1)).toMatchObject({ method: "POST", path: expect.stringMatching(/\/attach\?/), status: 101 });
    await session.close();
    await docker.containers.remove(Id, { force: true });
  });

  it("never holds credentials: registry auth travels in a header, which is not logged", async () => {
    daemon.state.addRemoteImage("registry.example.com/team/app:1");
    await docker.images.pull("registry.example.com/team/app:1", {}, { auth: { username: "me", password: "hunter2-secret" } });
    const sent = daemon.requests.find((r) => r.path === "/images/create");
    expect(sent?.headers["x-registry-auth"]).toBeDefined();
    const logged = JSON.stringify(entries);
    expect(logged).toContain("/images/create");
    expect(logged).not.toMatch(/hunter2|x-registry|eyJ/i);
  });

  it("reports requests that got no answer, with the error", async () => {
    const seen: RequestLogEntry[] = [];
    const nowhere = new Docker({ host: "unix:///nonexistent/dockhand.sock", apiVersion: "1.41", logger: (entry) => seen.push(entry) });
    await expect(nowhere.containers.list()).rejects.toBeInstanceOf(DockerConnectionError);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: "GET", path: "/v1.41/containers/json", status: undefined });
    expect(seen[0]?.error).toMatch(/^DockerConnectionError: /);
    await nowhere.close();
  });

  it("a throwing logger does not fail the request", async () => {
    const noisy = new Docker({
      host: daemon.host,
      logger: () => {
        throw new Error("logger broke");
      },
    });
    await expect(noisy.system.version()).resolves.toMatchObject({ ApiVersion: "1.47" });
    await noisy.close();
  });
});

describe("DEBUG", () => {
  it("is read like the debug package: lists, wildcards, exclusions", () => {
    expect(debugEnables("dockhand", "dockhand")).toBe(true);
    expect(debugEnables("express,dockhand", "dockhand")).toBe(true);
    expect(debugEnables("express dockhand", "dockhand")).toBe(true);
    expect(debugEnables("*", "dockhand")).toBe(true);
    expect(debugEnables("dock*", "dockhand")).toBe(true);
    expect(debugEnables("*,-dockhand", "dockhand")).toBe(false);
    expect(debugEnables("express", "dockhand")).toBe(false);
    expect(debugEnables("dockhand:extra", "dockhand")).toBe(false);
    expect(debugEnables("", "dockhand")).toBe(false);
  });

  it("DEBUG=dockhand logs one line per request to stderr; logger: false silences it", async () => {
    vi.stubEnv("DEBUG", "dockhand");
    vi.resetModules();
    const { Docker: FreshDocker } = await import("../../../src/index.js");
    const lines: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((line: string) => void lines.push(line));
    try {
      const debugged = new FreshDocker({ host: daemon.host });
      await debugged.system.version();
      await debugged.close();
      expect(lines).toEqual([
        expect.stringMatching(/^dockhand HEAD \/_ping 200 \d+\.\dms$/),
        expect.stringMatching(/^dockhand GET \/v1\.47\/version 200 \d+\.\dms$/),
      ]);
      lines.length = 0;
      const quiet = new FreshDocker({ host: daemon.host, logger: false });
      await quiet.system.version();
      await quiet.close();
      expect(lines).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("redactPath", () => {
  it("masks values of secret-looking query parameters only", () => {
    expect(redactPath("/v1.47/containers/json?all=1")).toBe("/v1.47/containers/json?all=1");
    expect(redactPath("/x?password=p&all=1&access_token=t&X-Amz-Signature=s&apiKey=k")).toBe(
      "/x?password=***&all=1&access_token=***&X-Amz-Signature=***&apiKey=***",
    );
    expect(redactPath("/x?flag&%70assword=p")).toBe("/x?flag&%70assword=***");
    expect(redactPath("/no-query")).toBe("/no-query");
  });
});
