// Faults on hijacked connections (attach with stdin): the daemon refuses the upgrade, answers 200
// and hangs up, never answers, stalls inside an error body, or drops the upgraded stream
// mid-frame. Each case: a typed error, no wait past the timeout, no abort listener left on the
// caller's signal, and the same client working afterwards.
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  Docker,
  DockerAbortError,
  DockerAPIError,
  DockerConnectionError,
  DockerProtocolError,
  DockerTimeoutError,
  InternalServerError,
  NotFoundError,
} from "../../src/index.js";
import { fault, frame, hijack, MULTIPLEXED_STREAM, route, startMockDaemon, type MockDaemon } from "../../src/testing/index.js";
import { abortListeners, expectTyped, failure, guardProcess, serverConnections, settlesTo } from "./support.js";

guardProcess();

let daemon: MockDaemon;
let docker: Docker;
let controller: AbortController;
beforeAll(async () => {
  daemon = await startMockDaemon({ apiVersion: "1.47" });
  daemon.state.addContainer({ Image: "busybox:latest", Cmd: ["cat"], OpenStdin: true }, { name: "web", start: true });
});
afterAll(() => daemon.close());
afterEach(async () => {
  daemon.resetHandlers();
  // Dropped once the connection has closed, which happens a moment after the stream ended.
  await settlesTo(() => abortListeners(controller.signal), 0);
  expect((await docker.system.version()).ApiVersion).toBe("1.47");
  await docker.close();
  await settlesTo(() => serverConnections(daemon.socketPath) ?? 0, 0);
});

// Long enough that a normal answer on a loaded 2-core CI machine never meets it.
const TIMEOUT = 2000;
const LATE = 3000;
const attach = route("/containers/:id/attach");
const encoder = new TextEncoder();

function attachWeb() {
  docker = new Docker({ host: daemon.host });
  controller = new AbortController();
  return docker.containers.attach("web", { stdin: true }, { tty: false, timeout: TIMEOUT, signal: controller.signal });
}

describe("the daemon does not upgrade", () => {
  const refusals: [string, () => Response, typeof DockerAPIError, RegExp][] = [
    ["404 with the daemon's message", () => HttpResponse.json({ message: "No such container: web" }, { status: 404 }), NotFoundError, /^No such container: web$/],
    ["500 with a plain-text body", () => HttpResponse.text("attach failed: broken pipe", { status: 500 }), InternalServerError, /^attach failed: broken pipe$/],
    ["500 with an empty body", () => new HttpResponse(null, { status: 500 }), InternalServerError, /^The daemon answered HTTP 500 with no message$/],
    ["502 from a proxy that does not do upgrades", () => HttpResponse.text("Bad Gateway", { status: 502 }), DockerAPIError, /^Bad Gateway$/],
  ];
  it.each(refusals)("%s", async (_name, answer, Class, message) => {
    daemon.use(http.post(attach, answer, { once: true }));
    const { error } = await failure(() => attachWeb());
    expectTyped(error, Class, message);
    expect(error).toMatchObject({ method: "POST", path: "/v1.47/containers/web/attach", apiVersion: "1.47" });
  });

  it("200 with an empty body, then the connection closes", async () => {
    daemon.use(http.post(attach, () => new HttpResponse(null, { status: 200 }), { once: true }));
    const session = await attachWeb();
    expect(session.statusCode).toBe(200);
    // Nothing to read; the stream just ends, and writing to it is refused with a dockhand error.
    expect(await session.output.text()).toEqual({ stdout: "", stderr: "" });
    await expect(session.write("hello")).rejects.toMatchObject({ name: expect.stringMatching(/^Docker\w*Error$/) });
    await session.close();
  });

  it("the connection is reset instead of an answer", async () => {
    daemon.use(http.post(attach, () => fault.reset(), { once: true }));
    const { error } = await failure(() => attachWeb());
    expectTyped(error, DockerConnectionError, /closed the connection before answering|reset/);
  });
});

describe("the daemon is silent", () => {
  it("never answers the upgrade request: the timeout ends the wait", async () => {
    daemon.use(http.post(attach, () => fault.hang(), { once: true }));
    const { error, ms } = await failure(() => attachWeb());
    expectTyped(error, DockerTimeoutError, new RegExp(`POST /v1\\.47/containers/web/attach timed out after ${TIMEOUT} ms`));
    expect(ms).toBeLessThan(TIMEOUT + LATE);
  });

  it("never answers, and the caller aborts first", async () => {
    daemon.use(http.post(attach, () => fault.hang(), { once: true }));
    docker = new Docker({ host: daemon.host });
    controller = new AbortController();
    const pending = docker.containers.attach("web", { stdin: true }, { tty: false, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("changed my mind")), 50);
    const { error, ms } = await failure(() => pending);
    expectTyped(error, DockerAbortError, /was aborted/);
    expect((error as Error).cause).toEqual(new Error("changed my mind"));
    expect(ms).toBeLessThan(LATE);
  });

  it("upgrades, then the client's default timeout no longer applies to the stream", async () => {
    daemon.use(
      http.post(attach, () => hijack(MULTIPLEXED_STREAM, async (io) => {
        await new Promise((resolve) => setTimeout(resolve, 2 * TIMEOUT));
        await io.write(frame(1, encoder.encode("late but fine\n")));
      }), { once: true }),
    );
    docker = new Docker({ host: daemon.host, timeout: TIMEOUT });
    const session = await docker.containers.attach("web", { stdin: true }, { tty: false });
    expect(await session.output.text()).toEqual({ stdout: "late but fine\n", stderr: "" });
  });

  it("upgrades, then goes quiet: the call's own timeout ends the session with DockerTimeoutError", async () => {
    daemon.use(
      http.post(attach, () => hijack(MULTIPLEXED_STREAM, async (io) => {
        await io.write(frame(1, encoder.encode("first\n")));
        // Quiet until the client hangs up (reading its side is what notices that).
        for await (const _ of io.input);
      }), { once: true }),
    );
    const session = await attachWeb();
    const got: string[] = [];
    const error = await (async () => {
      for await (const { data } of session.output) got.push(new TextDecoder().decode(data));
    })().catch((err: unknown) => err);
    expect(got).toEqual(["first\n"]);
    expectTyped(error, DockerTimeoutError, new RegExp(`POST /v1\\.47/containers/web/attach timed out after ${TIMEOUT} ms`));
    await expect(session.write("late")).rejects.toBeInstanceOf(DockerTimeoutError);
  });
});

describe("the upgraded stream breaks", () => {
  it("the daemon hangs up in the middle of a frame", async () => {
    daemon.use(
      http.post(attach, () => hijack(MULTIPLEXED_STREAM, async (io) => {
        await io.write(frame(1, encoder.encode("whole\n")));
        await io.write(frame(2, encoder.encode("cut short")).subarray(0, 12));
      }), { once: true }),
    );
    const session = await attachWeb();
    const frames: string[] = [];
    const error = await (async () => {
      for await (const f of session.output) frames.push(new TextDecoder().decode(f.data));
    })().catch((e: unknown) => e);
    expect(frames).toEqual(["whole\n"]);
    expectTyped(error, DockerProtocolError, /truncated: 4 of 9 payload bytes/);
    expect(error).toMatchObject({ path: "/v1.47/containers/web/attach" });
  });

  it("the caller aborts while reading: the socket closes and the read fails at once", async () => {
    // Like `cat`: silent until its input ends (the client's socket closing ends it too).
    daemon.use(
      http.post(attach, () => hijack(MULTIPLEXED_STREAM, async (io) => {
        for await (const _ of io.input);
      }), { once: true }),
    );
    const session = await attachWeb();
    const reading = session.output.text();
    setTimeout(() => controller.abort(), 50);
    const { error, ms } = await failure(() => reading);
    expectTyped(error, DockerAbortError, /was aborted/);
    expect(ms).toBeLessThan(LATE);
    await expect(session.write("x")).rejects.toBeInstanceOf(DockerAbortError);
  });
});

describe("a raw daemon that answers an upgrade with an error body that never ends", () => {
  let dir: string;
  let server: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dockhand-hijack-fault-"));
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.once("data", () => socket.write("HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nsomething went wr"));
    });
    server.listen(join(dir, "docker.sock"));
    await once(server, "listening");
  });
  afterAll(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("gives up at the timeout and closes the connection", async () => {
    const raw = new Docker({ host: `unix://${join(dir, "docker.sock")}`, apiVersion: "1.47" });
    const signal = new AbortController().signal;
    const { error, ms } = await failure(() => raw.containers.attach("web", { stdin: true }, { tty: false, timeout: TIMEOUT, signal }));
    expectTyped(error, DockerTimeoutError, new RegExp(`timed out after ${TIMEOUT} ms`));
    expect(ms).toBeLessThan(TIMEOUT + LATE);
    await settlesTo(() => sockets.size, 0);
    expect(abortListeners(signal)).toBe(0);
    await raw.close();
    // The shared afterEach checks the mock-daemon client; give it one that works.
    docker = new Docker({ host: daemon.host });
    controller = new AbortController();
  });
});
