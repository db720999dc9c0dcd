import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BadRequestError,
  ConflictError,
  Docker,
  DockerAbortError,
  DockerArgumentError,
  DockerConnectionError,
  DockerProtocolError,
  DockerTimeoutError,
  InternalServerError,
  NotFoundError,
  ServiceUnavailableError,
  UnsupportedApiVersionError,
} from "../../../src/index.js";
import { fault, startMockDaemon } from "../../../src/testing/index.js";
import { useMockDaemon } from "../../support/mock-daemon.js";

const mock = useMockDaemon({ apiVersion: "1.47" });
const { client } = mock;

describe("version negotiation", () => {
  it("downgrades to the daemon's version and prefixes every path with it", async () => {
    const docker = client();
    await docker.containers.list();
    expect(await docker.apiVersion()).toBe("1.47");
    const list = mock.daemon.requests.find((r) => r.path === "/containers/json");
    expect(list?.url).toBe("/v1.47/containers/json");
  });

  it("pings once for many concurrent first calls", async () => {
    const slow = await startMockDaemon({ apiVersion: "1.44", pingDelayMs: 50 });
    const docker = new Docker({ host: slow.host });
    await Promise.all(Array.from({ length: 16 }, () => docker.containers.list()));
    expect(slow.pingCount).toBe(1);
    expect(slow.requests.filter((r) => r.path === "/containers/json").every((r) => r.apiVersion === "1.44")).toBe(true);
    await docker.close();
    await slow.close();
  });

  it("skips the ping when the version is pinned (option or DOCKER_API_VERSION)", async () => {
    for (const docker of [client({ apiVersion: "1.41" }), client({ env: { DOCKER_API_VERSION: "1.41" } })]) {
      await docker.containers.list();
      expect(mock.daemon.pingCount).toBe(0);
      expect(mock.daemon.requests.at(-1)?.url).toBe("/v1.41/containers/json");
      await docker.close();
    }
  });

  it("refuses a daemon older than 1.40 with both versions named", async () => {
    const old = await startMockDaemon({ apiVersion: "1.38" });
    const docker = new Docker({ host: old.host });
    const err = await docker.containers.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedApiVersionError);
    expect((err as Error).message).toMatch(/1\.38.*1\.40/);
    expect(old.requests.filter((r) => r.path !== "/_ping")).toHaveLength(0);
    await docker.close();
    await old.close();
  });

  it("falls back to GET /_ping when HEAD fails", async () => {
    mock.daemon.use(http.head("*/_ping", () => new HttpResponse(null, { status: 405 })));
    const docker = client();
    const info = await docker.system.ping();
    expect(info).toMatchObject({ apiVersion: "1.47", osType: "linux", experimental: false });
    expect(mock.daemon.requests.filter((r) => r.path === "/_ping").map((r) => r.method)).toEqual(["HEAD", "GET"]);
  });
});

describe("typed errors", () => {
  it.each([
    [400, BadRequestError],
    [404, NotFoundError],
    [409, ConflictError],
    [500, InternalServerError],
    [503, ServiceUnavailableError],
  ])("status %i carries the daemon's message", async (status, Class) => {
    mock.daemon.use(http.get("*/containers/:id/json", () => HttpResponse.json({ message: `daemon says ${status}` }, { status })));
    const docker = client();
    const err = await docker.containers.inspect("abc").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Class);
    expect(err).toMatchObject({ statusCode: status, message: `daemon says ${status}`, method: "GET", path: "/v1.47/containers/abc/json", apiVersion: "1.47" });
  });

  it("takes a plain-text error body as the message", async () => {
    mock.daemon.use(http.get("*/containers/:id/json", () => HttpResponse.text("plain failure\n", { status: 500 })));
    const docker = client();
    await expect(docker.containers.inspect("abc")).rejects.toThrow(/^plain failure$/);
  });

  it("uses the mock daemon's own 404 for unknown containers", async () => {
    const docker = client();
    const err = await docker.containers.inspect("nope").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toMatch(/No such container: nope/);
  });

  it("reports malformed JSON with status 200 as a protocol error", async () => {
    mock.daemon.use(http.get("*/containers/json", () => HttpResponse.text("[{", { headers: { "Content-Type": "application/json" } })));
    const docker = client();
    const err = await docker.containers.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerProtocolError);
    expect((err as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it("treats 304 as a no-op, not an error", async () => {
    const docker = client();
    const { Id } = await docker.containers.create({ Image: "busybox:latest", Cmd: ["sleep", "10"] });
    expect(await docker.containers.start(Id)).toEqual({ changed: true });
    expect(await docker.containers.start(Id)).toEqual({ changed: false });
    await docker.containers.remove(Id, { force: true });
  });
});

describe("requests", () => {
  it("puts the create configuration in the JSON body and only name/platform in the query", async () => {
    const docker = client();
    const { Id } = await docker.containers.create({ name: "web", Image: "busybox:latest", Cmd: ["echo", "hi"], Env: ["A=1"] });
    const create = mock.daemon.requests.find((r) => r.path === "/containers/create");
    expect(create?.url).toBe("/v1.47/containers/create?name=web");
    expect(create?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(create?.body ?? "{}")).toEqual({ Image: "busybox:latest", Cmd: ["echo", "hi"], Env: ["A=1"] });
    await docker.containers.remove(Id, { force: true });
  });

  it("encodes ids as one path segment, so they cannot reach another endpoint", async () => {
    const docker = client();
    await docker.containers.inspect("x/images/json").catch(() => {});
    expect(mock.daemon.requests.at(-1)?.url).toBe("/v1.47/containers/x%2Fimages%2Fjson/json");
    await expect(docker.containers.inspect("../images/json")).rejects.toBeInstanceOf(DockerArgumentError);
  });

  it("JSON-encodes filters in the query", async () => {
    const docker = client();
    await docker.containers.list({ all: true, filters: { label: ["a=b"] } });
    const list = mock.daemon.requests.find((r) => r.path === "/containers/json");
    // The form the Docker CLI sends (filters.Args marshals to key → value → true).
    expect(list?.query.get("filters")).toBe('{"label":{"a=b":true}}');
    expect(list?.query.get("all")).toBe("true");
  });
});

describe("abort and timeout", () => {
  it("aborts a hanging request promptly with DockerAbortError", async () => {
    mock.daemon.use(http.get("*/containers/json", () => fault.hang()));
    const docker = client();
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error("user gave up")), 50);
    const err = await docker.containers.list(undefined, { signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerAbortError);
    expect((err as Error).cause).toEqual(new Error("user gave up"));
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("refuses an already-aborted signal without sending", async () => {
    const docker = client({ apiVersion: "1.47" });
    await expect(docker.containers.list(undefined, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(DockerAbortError);
    expect(mock.daemon.requests).toHaveLength(0);
  });

  it("times out with DockerTimeoutError (per call and client-wide), then the client still works", async () => {
    mock.daemon.use(http.get("*/containers/json", () => fault.hang()));
    const docker = client({ timeout: 100 });
    const err = await docker.containers.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerTimeoutError);
    expect((err as DockerTimeoutError).timeout).toBe(100);
    await expect(docker.containers.list(undefined, { timeout: 50 })).rejects.toMatchObject({ timeout: 50 });
    mock.daemon.resetHandlers();
    expect(await docker.containers.list()).toEqual([]);
  });

  it("the client's default timeout on a stream covers the wait for the answer, not the stream's life", async () => {
    const docker = client({ timeout: 100 });
    const controller = new AbortController();
    const events = await docker.system.events(undefined, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 200));
    controller.abort();
    await expect(events[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(DockerAbortError);
  });
});

describe("connection failures", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dockhand-conn-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("names the host and says the socket does not exist", async () => {
    const docker = new Docker({ host: `unix://${dir}/missing.sock` });
    const err = await docker.system.version().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerConnectionError);
    expect(err).toMatchObject({ reason: "no-such-socket", host: `unix://${dir}/missing.sock` });
    expect((err as Error).message).toContain(`${dir}/missing.sock`);
    await docker.close();
  });

  it("says refused for a stale socket file", async () => {
    const path = join(dir, "stale.sock");
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(path, r));
    // Close without unlinking, like a crashed daemon.
    await new Promise<void>((r) => server.close(() => r()));
    await writeFile(path, "").catch(() => {});
    const docker = new Docker({ host: `unix://${path}` });
    const err = await docker.system.version().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerConnectionError);
    expect(["refused", "no-such-socket"]).toContain((err as DockerConnectionError).reason);
    await docker.close();
  });

  it("says permission denied when the socket is not accessible", async () => {
    if (process.getuid?.() === 0) return; // root ignores file modes
    const path = join(dir, "private.sock");
    const server = createServer();
    await new Promise<void>((r) => server.listen(path, r));
    await chmod(path, 0o000);
    const docker = new Docker({ host: `unix://${path}` });
    await expect(docker.system.version()).rejects.toMatchObject({ reason: "permission-denied" });
    await docker.close();
    server.close();
  });

  it("recovers once the daemon is back: a failed negotiation is retried", async () => {
    const path = join(dir, "late.sock");
    const docker = new Docker({ host: `unix://${path}` });
    await expect(docker.system.version()).rejects.toBeInstanceOf(DockerConnectionError);
    const late = await startMockDaemon({ socketPath: path, apiVersion: "1.45" });
    expect((await docker.system.version()).ApiVersion).toBe("1.45");
    await docker.close();
    await late.close();
  });
});
