import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { Docker } from "../../../src/docker.js";
import { UnsupportedApiVersionError } from "../../../src/core/errors.js";
import type { Filters } from "../../../src/core/filters.js";
import { startMockDaemon, type MockDaemon } from "../../../src/testing/index.js";

let daemon: MockDaemon | undefined;
let docker: Docker | undefined;
afterEach(async () => {
  await docker?.close();
  await daemon?.close();
  docker = daemon = undefined;
});

async function connect(apiVersion: string): Promise<{ daemon: MockDaemon; docker: Docker }> {
  daemon = await startMockDaemon({ apiVersion });
  docker = new Docker({ host: daemon.host });
  return { daemon, docker };
}

/** Requests that reached the daemon for `path` (any version prefix). */
const sent = (d: MockDaemon, path: string) => d.requests.filter((r) => r.path === path);

describe("filters in the request path", () => {
  it("sends the encoded filters once, next to the other parameters", async () => {
    const { daemon, docker } = await connect("1.41");
    await docker.containers.list({ all: true, filters: { status: ["exited"], label: { app: "web", canary: true } } });
    const [request] = sent(daemon, "/containers/json");
    expect(request?.apiVersion).toBe("1.41");
    expect(request?.query.get("all")).toBe("true");
    expect(request?.query.get("filters")).toBe('{"status":{"exited":true},"label":{"app=web":true,"canary":true}}');
    expect(request?.url).toContain("filters=%7B%22status%22");
  });

  it("lets a filter string the caller encoded through untouched", async () => {
    const { daemon, docker } = await connect("1.41");
    const raw = '{"status":["running"]}';
    await docker.containers.list({ filters: raw });
    expect(sent(daemon, "/containers/json")[0]?.query.get("filters")).toBe(raw);
  });

  it("refuses a key newer than the version in use before sending anything", async () => {
    daemon = await startMockDaemon({ apiVersion: "1.47" });
    docker = new Docker({ host: daemon.host, apiVersion: "1.41" });
    const err = await docker.volumes.prune({ filters: { label: ["tmp"], all: true } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedApiVersionError);
    expect(err).toMatchObject({ requiredVersion: "1.42", actualVersion: "1.41" });
    expect((err as Error).message).toMatch(/"all".*1\.42.*1\.41/);
    expect(sent(daemon, "/volumes/prune")).toEqual([]);
    // A key left undefined is not sent, so it is not refused either.
    await docker.volumes.prune({ filters: { label: ["tmp"], all: undefined } });
    expect(sent(daemon, "/volumes/prune")[0]?.query.get("filters")).toBe('{"label":{"tmp":true}}');
  });

  it("refuses the image `until` filter before sending when the daemon itself serves less than API 1.44", async () => {
    const { daemon, docker } = await connect("1.41");
    const err = await docker.images.list({ filters: { until: ["10m"] } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedApiVersionError);
    expect(err).toMatchObject({ requiredVersion: "1.44", actualVersion: "1.41" });
    expect((err as Error).message).toMatch(/"until".*daemon that serves API 1\.44/);
    expect(sent(daemon, "/images/json")).toEqual([]);
  });

  it("sends the image `until` filter to a daemon that has it, even pinned to an older version (not versioned)", async () => {
    daemon = await startMockDaemon({ apiVersion: "1.47" });
    for (const d of [new Docker({ host: daemon.host }), new Docker({ host: daemon.host, apiVersion: "1.41" })]) {
      docker = d;
      await docker.system.ping(); // a pinned client knows the daemon's version only from a ping
      await docker.images.list({ filters: { until: ["1700000000"] } });
      await docker.close();
    }
    expect(sent(daemon, "/images/json").map((r) => [r.apiVersion, r.query.get("filters")])).toEqual([
      ["1.47", '{"until":{"1700000000":true}}'],
      ["1.41", '{"until":{"1700000000":true}}'],
    ]);
  });

  it("sends the same key once the version in use has it", async () => {
    const { daemon, docker } = await connect("1.42");
    await docker.volumes.prune({ filters: { all: true } });
    expect(sent(daemon, "/volumes/prune")[0]?.query.get("filters")).toBe('{"all":{"true":true}}');
  });

  it("refuses a key the version in use no longer has", async () => {
    const { daemon, docker } = await connect("1.45");
    daemon.use(http.get("*/images/search", () => HttpResponse.json([])));
    const err = await docker.images.search({ term: "busybox", filters: { "is-automated": true } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedApiVersionError);
    expect(err).toMatchObject({ requiredVersion: "1.44", actualVersion: "1.45" });
    expect((err as Error).message).toContain("removed in API 1.45");
    expect(sent(daemon, "/images/search")).toEqual([]);
    await docker.images.search({ term: "busybox", filters: { "is-official": true } });
    expect(sent(daemon, "/images/search")[0]?.query.get("filters")).toBe('{"is-official":{"true":true}}');
  });

  it("leaves keys missing from dockhand's table to the daemon, whose message comes back", async () => {
    const { daemon, docker } = await connect("1.41");
    const filters = { status: ["running"], "new-key": ["x"] } as Filters<"ContainerList">;
    await expect(docker.containers.list({ filters })).rejects.toThrow(
      expect.objectContaining({ name: "BadRequestError", statusCode: 400, message: "invalid filter 'new-key'" }),
    );
    expect(sent(daemon, "/containers/json")[0]?.query.get("filters")).toBe('{"status":{"running":true},"new-key":{"x":true}}');
  });
});
