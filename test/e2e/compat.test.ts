// API version compatibility against a real engine: negotiation, pinning, and calls the version
// in use cannot serve refused before they reach the daemon. Runs on 20.10 (API 1.41) and 28.x
// (API 1.51) alike; what each engine must accept or refuse follows from its version.
import { afterAll, beforeAll, expect, it } from "vitest";
import { Docker, UnsupportedApiVersionError } from "../../src/index.js";
import { TEST_IMAGE, describeEngine, engineHost, engineRequest } from "./engine.js";
import { taggedAs } from "./engines.js";

const LABEL = "dockhand.test=compat-e2e";
const labels = { "dockhand.test": "compat-e2e" };

/** Numeric minor version, for comparing without the code under test. */
const minor = (version: string) => Number(version.split(".")[1]);

describeEngine("API version compatibility", () => {
  let docker: Docker;
  let daemon: string;
  let negotiated: string;
  let sleeper: string;

  beforeAll(async () => {
    docker = new Docker({ host: engineHost() });
    daemon = (await engineRequest("/_ping")).headers["api-version"] as string;
    negotiated = await docker.apiVersion();
    const { Id } = await docker.containers.create({ Image: TEST_IMAGE, Cmd: ["sleep", "300"], Labels: labels });
    await docker.containers.start(Id);
    sleeper = Id;
  });

  afterAll(async () => {
    const leftovers = await docker.containers.list({ all: true, filters: { label: [LABEL] } });
    await Promise.all(leftovers.map((c) => docker.containers.remove(c.Id!, { force: true })));
    await docker.close();
  });

  /** Whether the engine under test is new enough, decided from its ping alone. */
  const engineHas = (version: string) => minor(negotiated) >= minor(version);

  it("negotiates the lower of the daemon's version and the client's 1.55", () => {
    expect(negotiated).toBe(minor(daemon) > 55 ? "1.55" : daemon);
    // The two engines CI provisions: 20.10 speaks 1.41, 28.x speaks 1.51.
    if (daemon === "1.41" || daemon === "1.51") expect(negotiated).toBe(daemon);
  });

  it("works pinned to 1.40, the oldest API the client supports", async () => {
    const pinned = new Docker({ host: engineHost(), apiVersion: "1.40" });
    try {
      expect(await pinned.apiVersion()).toBe("1.40");
      const listed = await pinned.containers.list({ filters: { label: [LABEL] } });
      expect(listed.map((c) => c.Id)).toContain(sleeper);
      expect((await pinned.images.inspect(TEST_IMAGE)).RepoTags).toContain(
        taggedAs(TEST_IMAGE),
      );
      const stats = await pinned.containers.stats(sleeper, { stream: false });
      expect(typeof stats.read).toBe("string");
      const err = await pinned.containers.stats(sleeper, { stream: false, "one-shot": true }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedApiVersionError);
      expect((err as Error).message).toBe(
        'ContainerStats parameter "one-shot" needs API 1.41; this client is pinned to API 1.40',
      );
    } finally {
      await pinned.close();
    }
  });

  it("refuses a stop signal below API 1.42 without the daemon seeing the stop", async () => {
    const pinned = new Docker({ host: engineHost(), apiVersion: "1.41" });
    try {
      const err = await pinned.containers.stop(sleeper, { signal: "SIGKILL", t: 0 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedApiVersionError);
      expect(err).toMatchObject({ requiredVersion: "1.42", actualVersion: "1.41" });
      // Had the request been sent, a 20.10 daemon would have ignored `signal` and stopped it anyway.
      expect((await docker.containers.inspect(sleeper)).State?.Running).toBe(true);
    } finally {
      await pinned.close();
    }
  });

  it("sends a stop signal where the negotiated version has it, and refuses it where not", async () => {
    const { Id } = await docker.containers.create({ Image: TEST_IMAGE, Cmd: ["sleep", "300"], Labels: labels });
    await docker.containers.start(Id);
    const stopping = docker.containers.stop(Id, { signal: "SIGKILL" });
    if (engineHas("1.42")) {
      expect(await stopping).toEqual({ changed: true });
      // Killed by the signal we chose (128 + 9), not by the default SIGTERM then SIGKILL after 10 s.
      expect((await docker.containers.inspect(Id)).State?.ExitCode).toBe(137);
    } else {
      await expect(stopping).rejects.toThrow(`ContainerStop parameter "signal" needs API 1.42; the daemon speaks ${negotiated}`);
      expect((await docker.containers.inspect(Id)).State?.Running).toBe(true);
    }
  });

  it("refuses an endpoint newer than the daemon (image attestations, API 1.55)", async () => {
    if (engineHas("1.55")) {
      await expect(docker.images.attestations(TEST_IMAGE)).resolves.toBeDefined();
      return;
    }
    const err = await docker.images.attestations(TEST_IMAGE).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedApiVersionError);
    expect(err).toMatchObject({ requiredVersion: "1.55", actualVersion: negotiated, statusCode: undefined });
  });

  it("lists images with shared sizes from API 1.42 on", async () => {
    const listing = docker.images.list({ "shared-size": true, filters: { reference: [TEST_IMAGE] } });
    if (!engineHas("1.42")) {
      await expect(listing).rejects.toBeInstanceOf(UnsupportedApiVersionError);
      return;
    }
    const images = await listing;
    expect(images).toHaveLength(1);
    expect(typeof images[0]!.SharedSize).toBe("number");
  });

  it("refuses the volume prune `all` filter below API 1.42", async () => {
    // The label matches nothing, so even an accepted prune removes no one else's volumes.
    const pruning = docker.volumes.prune({ filters: { all: ["true"], label: ["dockhand.test=compat-none"] } });
    if (engineHas("1.42")) {
      const report = await pruning;
      expect(report.VolumesDeleted ?? []).toEqual([]);
    } else {
      await expect(pruning).rejects.toThrow(`VolumePrune filter "all" needs API 1.42; the daemon speaks ${negotiated}`);
    }
  });

  it("sends the image `until` filter only to a daemon that has it, refusing it before sending otherwise", async () => {
    // The CHANGELOG calls this filter unversioned (1.44): the daemon's own highest version decides.
    const listing = docker.images.list({ filters: { until: ["1s"], reference: [TEST_IMAGE] } });
    if (minor(daemon) >= 44) {
      expect((await listing).length).toBe(1);
    } else {
      const err = await listing.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedApiVersionError);
      expect((err as Error).message).toMatch(/until.*1\.44/);
    }
  });

  it("refuses a health-check start interval below API 1.44 (older daemons ignore it silently)", async () => {
    const creating = docker.containers.create({
      Image: TEST_IMAGE,
      Cmd: ["sleep", "1"],
      Labels: labels,
      Healthcheck: { Test: ["CMD", "true"], Interval: 30e9, StartInterval: 1e9 },
    });
    if (!engineHas("1.44")) {
      await expect(creating).rejects.toThrow(
        `ContainerCreate field "Healthcheck.StartInterval" needs API 1.44; the daemon speaks ${negotiated}`,
      );
      return;
    }
    const { Id } = await creating;
    expect((await docker.containers.inspect(Id)).Config?.Healthcheck?.StartInterval).toBe(1e9);
  });

  it("reports the multiplexed-stream content type only from API 1.42, and reads logs either way", async () => {
    const { Id } = await docker.containers.create({ Image: TEST_IMAGE, Cmd: ["sh", "-c", "echo out; echo err >&2"], Labels: labels });
    await docker.containers.start(Id);
    await docker.containers.wait(Id);
    const raw = await engineRequest(`/v${negotiated}/containers/${Id}/logs?stdout=1&stderr=1`);
    if (engineHas("1.42")) expect(raw.headers["content-type"]).toBe("application/vnd.docker.multiplexed-stream");
    else expect(raw.headers["content-type"] ?? "").not.toContain("vnd.docker");
    expect(await (await docker.containers.logs(Id, { stdout: true, stderr: true })).text()).toEqual({
      stdout: "out\n",
      stderr: "err\n",
    });
  });
});
