// close() on a real engine while everything that can stay open is open: idle and read event
// streams, followed logs, a hijacked attach and exec, a websocket attach and a pending wait. It
// resolves promptly, every reader gets a DockerClientClosedError, and later calls are refused.
import { afterAll, beforeAll, expect, it } from "vitest";
import { Docker, DockerClientClosedError } from "../../src/index.js";
import { TEST_IMAGE, describeEngine, engineHost } from "./engine.js";
import { diverges } from "./engines.js";

const LABEL = { "dockhand.test": "close-e2e" };

describeEngine("close() on a real engine", () => {
  let setup: Docker;
  let id: string;

  beforeAll(async () => {
    setup = new Docker({ host: engineHost() });
    ({ Id: id } = await setup.containers.create({ Image: TEST_IMAGE, Cmd: ["cat"], OpenStdin: true, Labels: LABEL }));
    await setup.containers.start(id);
  });

  afterAll(async () => {
    const leftovers = await setup.containers.list({ all: true, filters: { label: ["dockhand.test=close-e2e"] } });
    await Promise.all(leftovers.map((c) => setup.containers.remove(c.Id!, { force: true })));
    await setup.close();
  });

  it("ends every open stream, hijack and wait with DockerClientClosedError, promptly", async () => {
    const docker = new Docker({ host: engineHost() });
    const caught = (p: Promise<unknown>) => p.then(() => "resolved", (e: unknown) => e);
    // Only events nothing here produces: the streams stay open and silent until the close.
    const quiet = { filters: { label: ["dockhand.test=close-e2e-never"] } };
    const idleEvents = await docker.system.events(quiet);
    const readEvents = caught((await docker.system.events(quiet))[Symbol.asyncIterator]().next());
    // On podman the followed logs of this silent container never answer (listed divergence).
    const logs = diverges("logsFollowHead") ? undefined : caught((await docker.containers.logs(id, { stdout: true, follow: true })).text());
    const attach = await docker.containers.attach(id, { stdin: true });
    const attached = caught(attach.output.text());
    const { Id: execId } = await docker.exec.create(id, { Cmd: ["cat"], AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const exec = await docker.exec.start(execId, { stdin: true });
    await exec.write("hello\n");
    const execOutput = caught(exec.output.text());
    // Podman serves no websocket attach (its listed divergence): that part is dockerd's only.
    const ws = diverges("websocketAttach") ? undefined : await docker.containers.attachWebsocket(id);
    const wsRead = ws ? caught(ws[Symbol.asyncIterator]().next()) : undefined;
    const waiting = caught(docker.containers.wait(id));

    const started = performance.now();
    await docker.close();
    expect(performance.now() - started).toBeLessThan(5000);

    const idle = caught((async () => {
      for await (const _ of idleEvents) return "an event";
      return "ended";
    })());
    const outcomes: Record<string, unknown> = { idle: await idle, readEvents: await readEvents, attached: await attached, execOutput: await execOutput, waiting: await waiting };
    if (logs) outcomes.logs = await logs;
    if (wsRead) outcomes.wsRead = await wsRead;
    for (const [what, outcome] of Object.entries(outcomes)) {
      expect(outcome, what).toBeInstanceOf(DockerClientClosedError);
    }
    await expect(attach.write("late\n")).rejects.toBeInstanceOf(DockerClientClosedError);
    await expect(docker.containers.list()).rejects.toThrow(/was not sent: the client is closed/);
    // The container was never touched: closing the client is not stopping its work.
    if (!diverges("attachCloseEndsStdin")) expect((await setup.containers.inspect(id)).State?.Running).toBe(true);
  });

  it("closeGracefully lets a call finish, refusing new ones meanwhile", async () => {
    const docker = new Docker({ host: engineHost() });
    await docker.apiVersion();
    const listing = docker.containers.list({ all: true, filters: { label: ["dockhand.test=close-e2e"] } });
    const closing = docker.closeGracefully({ timeout: 30_000 });
    await expect(docker.system.ping()).rejects.toBeInstanceOf(DockerClientClosedError);
    expect((await listing).map((c) => c.Id)).toContain(id);
    await closing;
  });
});
