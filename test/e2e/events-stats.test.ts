// JSON streams on a real engine: events while a container lives, a bounded events window, stats
// one-shot and streamed, and pulls that fail (no registry is reachable here) as typed errors.
import { getEventListeners } from "node:events";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Docker, DockerAbortError, DockerAPIError, DockerStreamError, type EventMessage } from "../../src/index.js";
import { TEST_IMAGE, describeEngine, engineHost } from "./engine.js";
import { diverges } from "./engines.js";

const LABEL = { "dockhand.test": "events-stats-e2e" };

describeEngine("events and stats on a real engine", () => {
  let docker: Docker;

  beforeAll(() => {
    docker = new Docker({ host: engineHost() });
  });

  afterAll(async () => {
    const leftovers = await docker.containers.list({ all: true, filters: { label: ["dockhand.test=events-stats-e2e"] } });
    await Promise.all(leftovers.map((c) => docker.containers.remove(c.Id!, { force: true })));
    await docker.close();
  });

  it("events: a container's start and die arrive while it runs", async () => {
    const { Id } = await docker.containers.create({ Image: TEST_IMAGE, Cmd: ["sh", "-c", "sleep 0.3; exit 2"], Labels: LABEL });
    const controller = new AbortController();
    const events = await docker.system.events({ filters: { type: ["container"], container: [Id] } }, { signal: controller.signal });
    await docker.containers.start(Id);
    const seen: EventMessage[] = [];
    for await (const event of events) {
      seen.push(event);
      if (event.Action === "die") break;
    }
    const actions = seen.map((e) => e.Action);
    expect(actions.indexOf("start")).toBeGreaterThanOrEqual(0);
    expect(actions.indexOf("start")).toBeLessThan(actions.indexOf("die"));
    const die = seen.at(-1)!;
    expect(die).toMatchObject({ Type: "container", Actor: { ID: Id } });
    expect(die.Actor?.Attributes?.["exitCode"]).toBe("2");
    expect(die.Actor?.Attributes?.["dockhand.test"]).toBe("events-stats-e2e");
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("events: since/until make a finite stream", async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const { Id } = await docker.containers.create({ Image: TEST_IMAGE, Cmd: ["true"], Labels: LABEL });
    await docker.containers.remove(Id);
    const until = Math.floor(Date.now() / 1000) + 1;
    const events = await docker.system.events({ since: String(since), until: String(until), filters: { container: [Id] } });
    const actions = (await events.collect()).map((e) => e.Action);
    expect(actions).toEqual(["create", diverges("eventsRemove") ? "remove" : "destroy"]);
  });

  it("events: aborting ends a quiet stream with DockerAbortError", async () => {
    const controller = new AbortController();
    const events = await docker.system.events({ filters: { type: ["plugin"] } }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await expect(events.collect()).rejects.toBeInstanceOf(DockerAbortError);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("stats: one sample with stream: false, typed", async () => {
    const { Id } = await docker.containers.create({ Image: TEST_IMAGE, Cmd: ["sleep", "60"], Labels: LABEL });
    await docker.containers.start(Id);
    const sample = await docker.containers.stats(Id, { stream: false });
    expect(typeof sample.read).toBe("string");
    expect(sample.id).toBe(diverges("statsId") ? undefined : Id);
    expect(sample.memory_stats?.usage).toBeGreaterThan(0);
    expect(typeof sample.cpu_stats?.cpu_usage?.total_usage).toBe("number");
    // One-shot skips the second collection cycle (28.x then leaves out `id` and `name`).
    const quick = await docker.containers.stats(Id, { stream: false, "one-shot": true });
    expect(typeof quick.read).toBe("string");
    expect(quick.memory_stats?.usage).toBeGreaterThan(0);
  });

  it("stats: streamed samples, two read and then the stream is left", async () => {
    const { Id } = await docker.containers.create({ Image: TEST_IMAGE, Cmd: ["sleep", "60"], Labels: LABEL });
    await docker.containers.start(Id);
    const stream = await docker.containers.stats(Id);
    const reads: string[] = [];
    for await (const sample of stream) {
      expect(sample.id).toBe(diverges("statsId") ? undefined : Id);
      reads.push(sample.read!);
      if (reads.length === 2) break;
    }
    expect(Date.parse(reads[1]!)).toBeGreaterThan(Date.parse(reads[0]!));
    // The stream is consumed and closed; reading it again is refused rather than silently empty.
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/already consumed/);
  });

  it("pulling an image that cannot be found is a typed error, never a success", async () => {
    for (const reference of ["busybox-does-not-exist:local", "127.0.0.1:1/nope:latest"]) {
      const err = await docker.images.pull(reference).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as Error).message.length).toBeGreaterThan(0);
      if (diverges("pullErrorsInStream")) {
        expect(err, reference).toBeInstanceOf(DockerStreamError);
        continue;
      }
      expect(err, reference).toBeInstanceOf(DockerAPIError);
      expect((err as DockerAPIError).statusCode).toBeGreaterThanOrEqual(400);
      expect((err as DockerAPIError).path).toMatch(/^\/v1\.\d+\/images\/create$/);
    }
    // create hands back the progress stream; dockerd refuses before it, podman inside it.
    const creating = docker.images.create({ fromImage: "127.0.0.1:1/nope", tag: "latest" });
    const created = diverges("pullErrorsInStream") ? creating.then((progress) => progress.done()) : creating;
    await expect(created).rejects.toThrow(/127\.0\.0\.1:1/);
  });
});
