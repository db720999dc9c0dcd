// Faults in streamed answers: container output (logs, exec) in the multiplexed framing, and
// JSON lines (events, pull progress). The daemon's connection breaks mid-frame or mid-line, the
// body ends where it must not, or the stream stalls; and consumers stop early in every way they
// can. Each case: frames or messages before the fault are delivered, then one typed error; no
// connection, timer or abort listener is left behind; the client keeps working.
import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import {
  Docker,
  DockerAbortError,
  DockerConnectionError,
  DockerProtocolError,
  DockerStreamError,
  DockerTimeoutError,
  type DockerError,
} from "../../src/index.js";
import { fault, frame, MULTIPLEXED_STREAM, route } from "../../src/testing/index.js";
import { abortListeners, expectTyped, guardProcess, raw, serverConnections, settlesTo, useFaultDaemon } from "./support.js";

guardProcess();

const mock = useFaultDaemon({ timeout: 2000 });
const { client } = mock;

const encoder = new TextEncoder();
const logs = route("/containers/:id/logs");
const events = route("/events");
const pull = route("/images/create");

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Frames in one body; `raw(id, …)` lets a test send ids the daemon never uses. */
function frames(...parts: [number, string][]): Uint8Array {
  return concat(parts.map(([id, text]) => rawFrame(id, encoder.encode(text))));
}
function rawFrame(id: number, payload: Uint8Array): Uint8Array {
  const out = frame(1, payload);
  out[0] = id;
  return out;
}

/** A streamed (chunked) answer, as the daemon sends output: one chunk per piece. */
function streamed(pieces: Uint8Array[], contentType: string): Response {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < pieces.length) controller.enqueue(pieces[i++]!);
      else controller.close();
    },
  });
  // A plain Response: msw's HttpResponse does not pass the client's hang-up on to the stream.
  return new Response(body, { headers: { "Content-Type": contentType } });
}
const output = (...pieces: Uint8Array[]) => streamed(pieces, MULTIPLEXED_STREAM);
const jsonLines = (...lines: string[]) => streamed(lines.map((l) => encoder.encode(l)), "application/json");

/** Reads an output stream to its end or failure: the text of each frame, then the error. */
async function readOutput(stream: AsyncIterable<{ stream: string; data: Uint8Array }>): Promise<{ got: string[]; error: unknown }> {
  const got: string[] = [];
  try {
    for await (const f of stream) got.push(`${f.stream}:${new TextDecoder().decode(f.data)}`);
  } catch (error) {
    return { got, error };
  }
  return { got, error: undefined };
}

async function readMessages<T>(stream: AsyncIterable<T>): Promise<{ got: T[]; error: unknown }> {
  const got: T[] = [];
  try {
    for await (const m of stream) got.push(m);
  } catch (error) {
    return { got, error };
  }
  return { got, error: undefined };
}

describe("container output (multiplexed frames)", () => {
  const body = frames([1, "first\n"], [2, "second\n"], [1, "third, cut short\n"]);
  const cut = body.byteLength - 10;

  it("connection closed in the middle of a frame", async () => {
    mock.daemon.use(http.get(logs, () => fault.truncate(output(body), cut), { once: true }));
    const { got, error } = await readOutput(await client().containers.logs("web", { stdout: true, stderr: true }, { tty: false }));
    expect(got).toEqual(["stdout:first\n", "stderr:second\n"]);
    expectTyped(error, DockerConnectionError, /while reading the answer to GET \/v1\.47\/containers\/web\/logs/, raw("UND_ERR_SOCKET", "ECONNRESET"));
    expect(error).toMatchObject({ method: "GET", path: "/v1.47/containers/web/logs", reason: expect.stringMatching(/closed|reset/) });
  });

  it("connection closed in the middle of a frame header", async () => {
    mock.daemon.use(http.get(logs, () => fault.truncate(output(body), 6 + 8 + 3), { once: true }));
    const { got, error } = await readOutput(await client().containers.logs("web", { stdout: true }, { tty: false }));
    expect(got).toEqual(["stdout:first\n"]);
    expectTyped(error, DockerConnectionError, /Lost the connection/);
  });

  it("the body ends cleanly but inside a frame", async () => {
    mock.daemon.use(http.get(logs, () => output(body.subarray(0, cut)), { once: true }));
    const { got, error } = await readOutput(await client().containers.logs("web", { stdout: true }, { tty: false }));
    expect(got).toEqual(["stdout:first\n", "stderr:second\n"]);
    expectTyped(error, DockerProtocolError, /Output ended inside a frame \(truncated: 7 of 17 payload bytes\)/);
    expect((error as DockerError).path).toBe("/v1.47/containers/web/logs");
  });

  it("an unknown stream id (the body is not what it claims)", async () => {
    mock.daemon.use(http.get(logs, () => output(frames([1, "ok\n"]), rawFrame(9, encoder.encode("?")), frames([1, "never read\n"])), { once: true }));
    const { got, error } = await readOutput(await client().containers.logs("web", { stdout: true }, { tty: false }));
    expect(got).toEqual(["stdout:ok\n"]);
    expectTyped(error, DockerProtocolError, /Unknown stream id 9/);
  });

  it("a daemon error frame inside the output", async () => {
    mock.daemon.use(http.get(logs, () => output(frames([1, "ok\n"], [3, "error from daemon: log driver failed\n"])), { once: true }));
    const { got, error } = await readOutput(await client().containers.logs("web", { stdout: true }, { tty: false }));
    expect(got).toEqual(["stdout:ok\n"]);
    expectTyped(error, DockerStreamError, /^error from daemon: log driver failed$/);
  });

  it("exec output cut in the middle of a frame", async () => {
    mock.daemon.use(http.post(route("/exec/:id/start"), () => fault.truncate(output(body), cut), { once: true }));
    const { got, error } = await readOutput(await client().exec.start("e1"));
    expect(got).toEqual(["stdout:first\n", "stderr:second\n"]);
    expectTyped(error, DockerConnectionError, /while reading the answer to POST \/v1\.47\/exec\/e1\/start/);
  });

  it("an error status whose body stalls: the timeout still ends the wait", async () => {
    mock.daemon.use(http.get(logs, () => fault.stall(HttpResponse.json({ message: "No such container: web" }, { status: 404 }), 12), { once: true }));
    const started = performance.now();
    const error = await client()
      .containers.logs("web", { stdout: true, follow: true }, { tty: false, timeout: 200 })
      .catch((e: unknown) => e);
    expectTyped(error, DockerTimeoutError, /GET \/v1\.47\/containers\/web\/logs timed out after 200 ms/);
    expect(performance.now() - started).toBeLessThan(1700);
  });

  it("a follow stream that stalls: a call's own timeout ends it with DockerTimeoutError", async () => {
    mock.daemon.use(http.get(logs, () => fault.stall(output(frames([1, "one line\n"])), 17), { once: true }));
    const controller = new AbortController();
    const stream = await client().containers.logs("web", { stdout: true, follow: true }, { tty: false, timeout: 300, signal: controller.signal });
    const { got, error } = await readOutput(stream);
    expect(got).toEqual(["stdout:one line\n"]);
    expectTyped(error, DockerTimeoutError, /GET \/v1\.47\/containers\/web\/logs timed out after 300 ms/);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it("a follow stream that stalls, with no timeout of its own: abort ends it at once", async () => {
    mock.daemon.use(http.get(logs, () => fault.stall(output(frames([1, "one line\n"])), 17), { once: true }));
    const controller = new AbortController();
    const stream = await client().containers.logs("web", { stdout: true, follow: true }, { tty: false, signal: controller.signal });
    const reading = readOutput(stream);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = performance.now();
    controller.abort(new Error("user stopped following"));
    const { got, error } = await reading;
    expect(performance.now() - started).toBeLessThan(500);
    expect(got).toEqual(["stdout:one line\n"]);
    expectTyped(error, DockerAbortError, /was aborted/);
    expect((error as Error).cause).toEqual(new Error("user stopped following"));
    expect(abortListeners(controller.signal)).toBe(0);
  });
});

describe("JSON lines (events, pull progress)", () => {
  const event = (action: string) => `${JSON.stringify({ Type: "container", Action: action, Actor: { ID: "c1" }, time: 1 })}\n`;

  it("events: connection closed in the middle of a line", async () => {
    const body = event("create") + event("start") + event("die");
    mock.daemon.use(http.get(events, () => fault.truncate(jsonLines(body), body.length - 12), { once: true }));
    const { got, error } = await readMessages(await client().system.events());
    expect(got.map((e) => e.Action)).toEqual(["create", "start"]);
    expectTyped(error, DockerConnectionError, /while reading the answer to GET \/v1\.47\/events/);
  });

  it("events: the body ends cleanly in the middle of a line", async () => {
    const body = event("create") + event("start").slice(0, 20);
    mock.daemon.use(http.get(events, () => jsonLines(body), { once: true }));
    const { got, error } = await readMessages(await client().system.events());
    expect(got.map((e) => e.Action)).toEqual(["create"]);
    expectTyped(error, DockerProtocolError, /not valid JSON: \{"Type":"container",/, (c) => c instanceof SyntaxError);
  });

  it("events: a line of invalid UTF-8 and control bytes", async () => {
    mock.daemon.use(
      http.get(events, () => streamed([encoder.encode(event("create")), new Uint8Array([0xff, 0xfe, 0x00, 0x7b, 0x0a])], "application/json"), { once: true }),
    );
    const { got, error } = await readMessages(await client().system.events());
    expect(got).toHaveLength(1);
    expectTyped(error, DockerProtocolError, /not valid JSON/);
  });

  it("events: a JSON line that is not an object", async () => {
    mock.daemon.use(http.get(events, () => jsonLines(event("create"), "null\n", event("start")), { once: true }));
    const { got, error } = await readMessages(await client().system.events());
    expect(got).toHaveLength(1);
    expectTyped(error, DockerProtocolError, /not an object/);
  });

  it("pull progress: connection closed in the middle of a line", async () => {
    const progress = ['{"status":"Pulling from library/app","id":"1.0"}\r\n', '{"status":"Downloading","progressDetail":{"current":1,"total":9},"id":"abc"}\r\n'];
    const body = progress.join("");
    mock.daemon.use(http.post(pull, () => fault.truncate(jsonLines(body), body.length - 20), { once: true }));
    const error = await client().images.pull("app:1.0").catch((e: unknown) => e);
    expectTyped(error, DockerConnectionError, /while reading the answer to POST \/v1\.47\/images\/create/);
  });

  it("pull progress: the daemon reports the failure inside the stream", async () => {
    mock.daemon.use(
      http.post(pull, () => jsonLines('{"status":"Pulling"}\r\n', '{"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"}\r\n'), { once: true }),
    );
    const error = await client().images.pull("app:2.0").catch((e: unknown) => e);
    expectTyped(error, DockerStreamError, /^manifest unknown$/);
  });
});

describe("consumers that stop early release the connection", () => {
  /** Follow streams the daemon is serving; each leaves once the client hung up. */
  let serving = 0;
  /** An endless follow stream: a frame every few milliseconds until the client leaves. */
  function endless(): Response {
    let timer: ReturnType<typeof setInterval> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        serving++;
        timer = setInterval(() => controller.enqueue(frames([1, "tick\n"])), 2);
      },
      cancel() {
        serving--;
        clearInterval(timer);
      },
    });
    return new Response(body, { headers: { "Content-Type": MULTIPLEXED_STREAM } });
  }

  const ways: [string, (stream: Awaited<ReturnType<Docker["containers"]["logs"]>>, controller: AbortController) => Promise<unknown>][] = [
    ["close() before reading anything", (s) => s.close()],
    ["break after the first frame", async (s) => {
      for await (const _ of s) break;
    }],
    ["close() while a read is pending", async (s) => {
      const it = s[Symbol.asyncIterator]();
      await it.next();
      await Promise.all([it.next().catch(() => undefined), s.close()]);
    }],
    ["abort the signal before reading", async (s, c) => {
      c.abort();
      await expect(s.text()).rejects.toBeInstanceOf(DockerAbortError);
    }],
    ["abort the signal mid-way", async (s, c) => {
      setTimeout(() => c.abort(), 20);
      await expect(s.text()).rejects.toBeInstanceOf(DockerAbortError);
    }],
    ["toWeb() cancelled", async (s) => {
      const reader = s.toWeb("stdout").getReader();
      await reader.read();
      await reader.cancel();
    }],
  ];

  it.each(ways)("%s", async (_name, stop) => {
    mock.daemon.use(http.get(logs, () => endless()));
    const controller = new AbortController();
    const stream = await client().containers.logs("web", { stdout: true, follow: true }, { tty: false, timeout: 1000, signal: controller.signal });
    expect(serving).toBe(1);
    await stop(stream, controller);
    // The daemon saw the client hang up (not a connection parked busy in the pool; undici may
    // keep one idle connection open, which the afterEach sees closed with the client)...
    await settlesTo(() => serving, 0);
    expect(serverConnections(mock.daemon.socketPath)).toBeLessThanOrEqual(1);
    // ...and the caller's signal carries no listener of ours.
    expect(abortListeners(controller.signal)).toBe(0);
  });
});
