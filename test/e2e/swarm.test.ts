// Swarm end to end on a single-node swarm made by the SDK: swarm, nodes, services (with tasks
// and logs), secrets and configs. Runs only where the negotiated API is 1.44 or newer, which in
// CI means engine 28: the 20.10 engine (API 1.41) never joins a swarm, so the two engines cannot
// both be swarm managers at once.
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { DockerAPIError, Docker, NotFoundError } from "../../src/index.js";
import { TEST_IMAGE, engineHost } from "./engine.js";
import { PODMAN_DIVERGENCES, diverges } from "./engines.js";

const MIN_SWARM_API = 44;
const minor = (version: string) => Number(version.split(".")[1]);
const labels = { "dockhand.test": "swarm-e2e" };
const unique = `dockhand-e2e-${process.pid}-${Date.now().toString(36)}`;
const b64 = (text: string) => Buffer.from(text).toString("base64");

/** Why the suite cannot run here, or undefined when it can. Decided by the version the SDK negotiates. */
async function skipReason(): Promise<string | undefined> {
  const host = engineHost();
  if (host === undefined) return "DOCKER_HOST is not set";
  if (diverges("swarm")) return `podman: ${PODMAN_DIVERGENCES.swarm}`;
  const docker = new Docker({ host });
  try {
    const version = await docker.apiVersion();
    if (minor(version) < MIN_SWARM_API) {
      return `negotiated API ${version} < 1.${MIN_SWARM_API}: swarm runs only on engine 28, never on 20.10`;
    }
    return undefined;
  } finally {
    await docker.close();
  }
}

const skip = await skipReason();

/** The new object's id from a secret or config create answer, checking the daemon's field name. */
function createdId(answer: { ID: string }): string {
  expect(answer).not.toHaveProperty("Id");
  expect(typeof answer.ID).toBe("string");
  return answer.ID;
}

/** Polls `probe` until it returns a value other than undefined, or fails after `ms`. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe.skipIf(skip !== undefined)(`swarm on a single node${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let docker: Docker;
  let nodeId: string;

  beforeAll(async () => {
    docker = new Docker({ host: engineHost() });
    const ping = await docker.system.ping();
    // A run that died before its afterAll leaves the engine in a swarm; start clean.
    if (ping.swarm?.startsWith("active")) await docker.swarm.leave({ force: true });
    nodeId = await docker.swarm.init({ ListenAddr: "127.0.0.1:2377", AdvertiseAddr: "127.0.0.1" });
  });

  afterAll(async () => {
    try {
      await docker.swarm.leave({ force: true });
      expect((await docker.system.ping()).swarm).toBe("inactive");
    } finally {
      await docker.close();
    }
  });

  it("inspects the swarm with typed join tokens", async () => {
    expect(typeof nodeId).toBe("string");
    const swarm = await docker.swarm.inspect();
    expectTypeOf(swarm.JoinTokens?.Worker).toEqualTypeOf<string | undefined>();
    expect(swarm.JoinTokens?.Worker).toMatch(/^SWMTKN-1-/);
    expect(swarm.JoinTokens?.Manager).toMatch(/^SWMTKN-1-/);
    expect(swarm.JoinTokens?.Worker).not.toBe(swarm.JoinTokens?.Manager);
    expect(typeof swarm.Version?.Index).toBe("number");
    expect((await docker.system.ping()).swarm).toBe("active/manager");
  });

  it("turns on autolock, reads the unlock key, rotates the worker token and needs the current version", async () => {
    const before = await docker.swarm.inspect();
    const version = before.Version!.Index!;
    const spec = { ...before.Spec, EncryptionConfig: { AutoLockManagers: true } };
    await docker.swarm.update({ version, rotateWorkerToken: true }, spec);
    const after = await docker.swarm.inspect();
    expect(after.Version!.Index!).toBeGreaterThan(version);
    expect(after.JoinTokens?.Worker).not.toBe(before.JoinTokens?.Worker);
    expect(after.JoinTokens?.Manager).toBe(before.JoinTokens?.Manager);
    const { UnlockKey } = await docker.swarm.unlockKey();
    expect(UnlockKey).toMatch(/^SWMKEY-1-/);
    // The version is an optimistic lock: the old index is refused with the daemon's message.
    const stale = await docker.swarm.update({ version }, spec).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(DockerAPIError);
    expect((stale as Error).message).toMatch(/out of sequence/);
    await docker.swarm.update({ version: after.Version!.Index! }, { ...after.Spec, EncryptionConfig: { AutoLockManagers: false } });
  });

  it("lists, inspects and updates the node (labels, availability)", async () => {
    const nodes = await docker.nodes.list({ filters: { role: ["manager"] } });
    expect(nodes.map((n) => n.ID)).toEqual([nodeId]);
    let node = await docker.nodes.inspect(nodeId);
    expect(node.ManagerStatus?.Leader).toBe(true);
    expect(node.Status?.State).toBe("ready");
    // The manager bumps a fresh node's version on its own (status reports) just after init, so an
    // update can race it: read the version again and retry, as any optimistic-locking client must.
    for (let attempt = 1; ; attempt++) {
      const update = docker.nodes.update(nodeId, { version: node.Version!.Index! }, {
        ...node.Spec,
        Labels: { ...node.Spec?.Labels, "dockhand.test": "node" },
        Availability: "active",
      });
      const err = await update.then(() => undefined, (e: unknown) => e);
      if (err === undefined) break;
      if (attempt === 5 || !/out of sequence/.test((err as Error).message)) throw err;
      node = await docker.nodes.inspect(nodeId);
    }
    const updated = await docker.nodes.inspect(nodeId);
    expect(updated.Spec?.Labels?.["dockhand.test"]).toBe("node");
    expect(updated.Spec?.Availability).toBe("active");
    expect(updated.Version!.Index!).toBeGreaterThan(node.Version!.Index!);
    expect((await docker.nodes.list({ filters: { "node.label": ["dockhand.test=node"] } })).map((n) => n.ID)).toEqual([nodeId]);
  });

  it("creates, inspects, relabels and removes a secret (whose data never comes back)", async () => {
    const name = `${unique}-secret`;
    const id = createdId(await docker.secrets.create({ Name: name, Data: b64("s3cret"), Labels: labels }));
    const secret = await docker.secrets.inspect(id);
    expect(secret.Spec?.Name).toBe(name);
    expect(secret.Spec?.Data).toBeUndefined();
    await docker.secrets.update(id, { version: secret.Version!.Index! }, { ...secret.Spec, Labels: { ...labels, stage: "two" } });
    expect((await docker.secrets.inspect(id)).Spec?.Labels).toEqual({ ...labels, stage: "two" });
    expect((await docker.secrets.list({ filters: { name: [name] } })).map((s) => s.ID)).toEqual([id]);
    await docker.secrets.remove(id);
    await expect(docker.secrets.inspect(id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("creates, inspects, relabels and removes a config (whose data does come back)", async () => {
    const name = `${unique}-config`;
    const id = createdId(await docker.configs.create({ Name: name, Data: b64("key=value\n"), Labels: labels }));
    const config = await docker.configs.inspect(id);
    expect(config.Spec?.Name).toBe(name);
    expect(Buffer.from(config.Spec!.Data!, "base64").toString()).toBe("key=value\n");
    await docker.configs.update(id, { version: config.Version!.Index! }, { ...config.Spec, Labels: { ...labels, stage: "two" } });
    expect((await docker.configs.inspect(id)).Spec?.Labels).toEqual({ ...labels, stage: "two" });
    expect((await docker.configs.list({ filters: { label: ["stage=two"] } })).map((c) => c.ID)).toContain(id);
    await docker.configs.remove(id);
    await expect(docker.configs.inspect(id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("runs a service: create, tasks running, logs, update (env, replicas), remove", { timeout: 120_000 }, async () => {
    const name = `${unique}-svc`;
    const created = await docker.services.create({
      Name: name,
      Labels: labels,
      TaskTemplate: {
        ContainerSpec: { Image: TEST_IMAGE, Command: ["sh", "-c", "echo dockhand-service-up; echo to-stderr >&2; sleep 300"] },
        LogDriver: { Name: "json-file" },
        RestartPolicy: { Condition: "none" },
      },
      Mode: { Replicated: { Replicas: 1 } },
    });
    const id = created.ID!;
    try {
      const running = await eventually("a running task", async () => {
        const tasks = await docker.tasks.list({ filters: { service: [id], "desired-state": ["running"] } });
        return tasks.find((t) => t.Status?.State === "running");
      });
      expect(running.ServiceID).toBe(id);
      expect((await docker.tasks.inspect(running.ID!)).Spec?.ContainerSpec?.Image).toContain("busybox");

      const logs = await eventually("the service's first line", async () => {
        const text = await (await docker.services.logs(id, { stdout: true, stderr: true })).text();
        return text.stdout.includes("dockhand-service-up") ? text : undefined;
      });
      expect(logs.stdout).toBe("dockhand-service-up\n");
      expect(logs.stderr).toBe("to-stderr\n");
      const taskLogs = await (await docker.tasks.logs(running.ID!, { stdout: true })).text();
      expect(taskLogs.stdout).toBe("dockhand-service-up\n");

      const service = await docker.services.inspect(id);
      expect(service.Spec?.Name).toBe(name);
      const spec = service.Spec!;
      await docker.services.update(id, { version: service.Version!.Index! }, {
        ...spec,
        TaskTemplate: { ...spec.TaskTemplate, ContainerSpec: { ...spec.TaskTemplate?.ContainerSpec, Env: ["DOCKHAND=1"] } },
        Mode: { Replicated: { Replicas: 2 } },
      });
      const updated = await docker.services.inspect(id);
      expect(updated.Version!.Index!).toBeGreaterThan(service.Version!.Index!);
      expect(updated.Spec?.TaskTemplate?.ContainerSpec?.Env).toEqual(["DOCKHAND=1"]);
      expect(updated.Spec?.Mode?.Replicated?.Replicas).toBe(2);
      const [listed] = await docker.services.list({ status: true, filters: { name: [name] } });
      expect(listed?.ServiceStatus?.DesiredTasks).toBe(2);
    } finally {
      await docker.services.remove(id);
    }
    await expect(docker.services.inspect(id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
