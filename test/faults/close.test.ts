// Closing a client while calls are open: close() ends every stream, hijacked connection and call
// still waiting, each reader gets a DockerClientClosedError, and close() resolves promptly;
// closeGracefully() lets open calls finish; calls made after either are refused without sending.
// Afterwards no connection is left on the daemon's side and no handle in this process.
import { delay, http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { Docker, DockerAbortError, DockerClientClosedError } from "../../src/index.js";
import { fault, route } from "../../src/testing/index.js";
import { useMockDaemon } from "../support/mock-daemon.js";
import { abortListeners, expectTyped, failure, guardProcess, handles, serverConnections, settlesTo } from "./support.js";
import { expectHandlesBackTo } from "./load.js";

guardProcess();

const mock = useMockDaemon({ apiVersion: "1.47" });

/**
 * A running `cat` of its own for each test. `StdinOnce`, so that the client hanging up ends it:
 * the mock daemon, unlike dockerd, notices a hijacked client gone only when the session ends.
 */
const cat = () => mock.daemon.state.addContainer({ Image: "busybox:latest", Cmd: ["cat"], OpenStdin: true, StdinOnce: true }, { start: true }).id;

/** Prompt, on a loaded machine: close() must not wait for anything the daemon does. */
const PROMPT = 2000;
const CLOSED = /was ended: the client was closed/;

/** Closes `docker`, returning how long it took. */
async function timedClose(close: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await close();
  return performance.now() - started;
}

/** After a close: nothing left on the daemon's side, nothing in this process. */
async function expectAllGone(baseline: Record<string, number>): Promise<void> {
  await settlesTo(() => serverConnections(mock.daemon.socketPath) ?? 0, 0, 5000);
  await expectHandlesBackTo(baseline);
}

const requestsTo = (path: RegExp) => mock.daemon.requests.filter((r) => path.test(r.path)).length;
const until = (probe: () => boolean) => expect.poll(probe, { timeout: 5000, interval: 10 }).toBe(true);

describe("close() ends what is open and resolves promptly", () => {
  it("an events stream never read", async () => {
    const baseline = handles();
    const docker = new Docker({ host: mock.daemon.host });
    const events = await docker.system.events();
    expect(await timedClose(() => docker.close())).toBeLessThan(PROMPT);
    const { error } = await failure(async () => {
      for await (const _ of events) throw new Error("no event was sent");
    });
    expectTyped(error, DockerClientClosedError, CLOSED);
    expect(error).toBeInstanceOf(DockerAbortError);
    expect(error).toMatchObject({ method: "GET", path: "/v1.47/events" });
    await expectAllGone(baseline);
  });

  it("an events stream with a read pending", async () => {
    const baseline = handles();
    const docker = new Docker({ host: mock.daemon.host });
    const events = (await docker.system.events())[Symbol.asyncIterator]();
    const pending = events.next();
    expect(await timedClose(() => docker.close())).toBeLessThan(PROMPT);
    expectTyped(await pending.catch((e: unknown) => e), DockerClientClosedError, CLOSED);
    await expectAllGone(baseline);
  });

  it("a followed log stream being read, with the caller's signal and timeout", async () => {
    const baseline = handles();
    const docker = new Docker({ host: mock.daemon.host });
    const controller = new AbortController();
    const logs = await docker.containers.logs(cat(), { stdout: true, follow: true }, { signal: controller.signal, timeout: 60_000 });
    const reading = logs.text().catch((e: unknown) => e);
    expect(await timedClose(() => docker.close())).toBeLessThan(PROMPT);
    expectTyped(await reading, DockerClientClosedError, CLOSED);
    // Nothing of ours stays on the caller's signal, and the 60 s timer is gone (handles below).
    expect(abortListeners(controller.signal)).toBe(0);
    await expectAllGone(baseline);
  });

  it("a hijacked attach: the pending read and later writes fail typed", async () => {
    const baseline = handles();
    const docker = new Docker({ host: mock.daemon.host });
    const session = await docker.containers.attach(cat(), { stdin: true }, { tty: false });
    const reading = session.output.text().catch((e: unknown) => e);
    expect(await timedClose(() => docker.close())).toBeLessThan(PROMPT);
    expectTyped(await reading, DockerClientClosedError, CLOSED);
    expectTyped(await session.write("late").catch((e: unknown) => e), DockerClientClosedError, CLOSED);
    await expectAllGone(baseline);
  });

  it("a hijacked exec with stdin", async () => {
    const baseline = handles();
    const docker = new Docker({ host: mock.daemon.host });
    const { Id } = await docker.exec.create(cat(), { Cmd: ["cat"], AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const session = await docker.exec.start(Id, { stdin: true });
    await session.write("hello\n");
    const reading = session.output.text().catch((e: unknown) => e);
    expect(await timedClose(() => docker.close())).toBeLessThan(PROMPT);
    const error = await reading;
    expectTyped(error, DockerClientClosedError, CLOSED);
    expect(error).toMatchObject({ method: "POST", path: `/v1.47/exec/${Id}/start` });
    await expectAllGone(baseline);
  });

  it("a JSON call the daemon never answers (no signal, no timeout)", async () => {
    const baseline = handles();
    mock.daemon.use(http.get(route("/containers/json"), () => fault.hang(), { once: true }));
    const docker = new Docker({ host: mock.daemon.host });
    const before = requestsTo(/^\/containers\/json$/);
    const listing = docker.containers.list().catch((e: unknown) => e);
    await until(() => requestsTo(/^\/containers\/json$/) > before);
    expect(await timedClose(() => docker.close())).toBeLessThan(PROMPT);
    expectTyped(await listing, DockerClientClosedError, CLOSED);
    await expectAllGone(baseline);
  });

  it("a call still waiting for the version ping", async () => {
    const baseline = handles();
    mock.daemon.use(http.head(route("/_ping"), () => fault.hang(), { once: true }));
    const docker = new Docker({ host: mock.daemon.host });
    const listing = docker.containers.list().catch((e: unknown) => e);
    await until(() => mock.daemon.pingCount > 0);
    expect(await timedClose(() => docker.close())).toBeLessThan(PROMPT);
    expectTyped(await listing, DockerClientClosedError, /the client was closed/);
    await expectAllGone(baseline);
  });

  it("everything at once, through await using", async () => {
    const baseline = handles();
    let events: AsyncIterator<unknown> | undefined;
    let attached: Promise<unknown> | undefined;
    let logs: Promise<unknown> | undefined;
    const started = performance.now();
    {
      await using docker = new Docker({ host: mock.daemon.host });
      events = (await docker.system.events())[Symbol.asyncIterator]();
      const id = cat();
      attached = (await docker.containers.attach(id, { stdin: true }, { tty: false })).output.text().catch((e: unknown) => e);
      logs = (await docker.containers.logs(id, { stdout: true, follow: true })).text().catch((e: unknown) => e);
    }
    expect(performance.now() - started).toBeLessThan(PROMPT + 1000);
    for (const reader of [events.next().catch((e: unknown) => e), attached, logs]) {
      expectTyped(await reader, DockerClientClosedError, CLOSED);
    }
    await expectAllGone(baseline);
  });
});

describe("after close()", () => {
  it("calls, streams and hijacks are refused without sending anything; closing again is a no-op", async () => {
    const docker = new Docker({ host: mock.daemon.host });
    await docker.system.version();
    await docker.close();
    const sent = mock.daemon.requests.length;
    const refused: [string, () => Promise<unknown>][] = [
      ["list", () => docker.containers.list()],
      ["ping", () => docker.system.ping()],
      ["events", () => docker.system.events()],
      ["attach", () => docker.containers.attach("any", { stdin: true }, { tty: false })],
    ];
    for (const [, call] of refused) {
      const { error } = await failure(call);
      expectTyped(error, DockerClientClosedError, /was not sent: the client is closed/);
    }
    expect(await docker.containers.list().catch((e: unknown) => e)).toMatchObject({ operation: "ContainerList", method: "GET" });
    expect(mock.daemon.requests.length).toBe(sent);
    await docker.close();
    await docker.closeGracefully();
  });
});

describe("closeGracefully()", () => {
  it("refuses new calls at once and waits for open ones to finish", async () => {
    const baseline = handles();
    mock.daemon.use(
      http.get(route("/containers/json"), async () => {
        await delay(400);
        return HttpResponse.json([]);
      }, { once: true }),
    );
    const docker = new Docker({ host: mock.daemon.host });
    await docker.system.version();
    const order: string[] = [];
    const listing = docker.containers.list().then((list) => {
      order.push("list");
      return list;
    });
    await until(() => requestsTo(/^\/containers\/json$/) > 0);
    const closing = docker.closeGracefully().then(() => order.push("closed"));
    expectTyped(await docker.system.version().catch((e: unknown) => e), DockerClientClosedError, /not sent: the client is closed/);
    expect(await listing).toEqual([]);
    await closing;
    expect(order).toEqual(["list", "closed"]);
    await expectAllGone(baseline);
  });

  it("ends what is still open once its timeout has passed", async () => {
    const baseline = handles();
    const docker = new Docker({ host: mock.daemon.host });
    const events = (await docker.system.events())[Symbol.asyncIterator]();
    const pending = events.next();
    const ms = await timedClose(() => docker.closeGracefully({ timeout: 300 }));
    expect(ms).toBeGreaterThanOrEqual(295);
    expect(ms).toBeLessThan(300 + PROMPT);
    expectTyped(await pending.catch((e: unknown) => e), DockerClientClosedError, CLOSED);
    await expectAllGone(baseline);
  });

  it("ends what is still open when its signal fires, or when close() is called meanwhile", async () => {
    const baseline = handles();
    const docker = new Docker({ host: mock.daemon.host });
    const first = (await docker.system.events())[Symbol.asyncIterator]().next();
    const controller = new AbortController();
    const closing = docker.closeGracefully({ signal: controller.signal });
    const second = docker.closeGracefully();
    controller.abort();
    await closing;
    await second;
    expectTyped(await first.catch((e: unknown) => e), DockerClientClosedError, CLOSED);

    const other = new Docker({ host: mock.daemon.host });
    const logs = (await other.containers.logs(cat(), { stdout: true, follow: true })).text().catch((e: unknown) => e);
    const waiting = other.closeGracefully();
    expect(await timedClose(() => other.close())).toBeLessThan(PROMPT);
    await waiting;
    expectTyped(await logs, DockerClientClosedError, CLOSED);
    await expectAllGone(baseline);
  });
});
