import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DockerAbortError,
  DockerArgumentError,
  DockerConnectionError,
  DockerError,
  InternalServerError,
  NotFoundError,
} from "../../../src/core/errors.js";
import { hijackedStream, type HijackedOptions } from "../../../src/streams/stdio.js";
import { upgrade, type HijackRequest, type UpgradeOptions } from "../../../src/transport/hijack.js";
import { frame, text } from "./helpers.js";

/** The core's hijack: the transport's upgraded connection, read as stdio by streams/. */
async function hijack(connect: () => Promise<Socket>, request: HijackRequest, options: HijackedOptions & UpgradeOptions) {
  return hijackedStream(await upgrade(connect, request, options), options);
}

/** What the fake daemon received on one connection. */
interface Received {
  head: string;
  body: string;
  closed: Promise<void>;
}

/** How the fake daemon answers, chosen by the request path. */
type Behaviour = (socket: Socket, received: Received) => void;

const UPGRADED = "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n";

/** Echoes stdin back as stdout frames (or raw with a TTY); on stdin EOF says goodbye on stderr and closes. */
function echo(socket: Socket, tty: boolean): void {
  socket.on("data", (data: Buffer) => socket.write(tty ? data : frame(1, data)));
  socket.on("end", () => socket.end(tty ? "bye" : frame(2, "stdin closed")));
}

const behaviours: Record<string, Behaviour> = {
  // The head in three pieces, the last one carrying the first frame too.
  "/v1.41/containers/c1/attach": (socket) => {
    const reply = Buffer.concat([Buffer.from(UPGRADED), frame(1, "welcome\n")]);
    socket.write(reply.subarray(0, 10));
    setTimeout(() => socket.write(reply.subarray(10, 50)), 5);
    setTimeout(() => {
      socket.write(reply.subarray(50));
      echo(socket, false);
    }, 10);
  },
  "/v1.41/exec/e1/start": (socket) => {
    socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n");
    echo(socket, false);
  },
  "/v1.41/containers/tty/attach": (socket) => {
    socket.write(UPGRADED);
    echo(socket, true);
  },
  "/v1.44/containers/muxed/attach": (socket) => {
    socket.write(UPGRADED.replace("raw-stream", "multiplexed-stream"));
    echo(socket, false);
  },
  "/v1.41/containers/missing/attach": (socket) => {
    const body = JSON.stringify({ message: "No such container: missing" });
    socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  },
  "/v1.41/exec/broken/start": (socket) => {
    const body = JSON.stringify({ message: "OCI runtime exec failed" });
    const chunked = `${body.slice(0, 10).length.toString(16)}\r\n${body.slice(0, 10)}\r\n${(body.length - 10).toString(16)}\r\n${body.slice(10)}\r\n0\r\n\r\n`;
    socket.write(`HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`);
  },
  "/v1.41/containers/hangup/attach": (socket) => socket.end(),
  // The process prints and exits without reading stdin: the daemon sends the output and hangs up.
  "/v1.41/containers/exits/attach": (socket) => {
    socket.pause();
    socket.write(UPGRADED);
    setTimeout(() => {
      socket.write(frame(1, "printed before exiting\n"));
      socket.destroy();
    }, 5);
  },
  "/v1.41/containers/silent/attach": (socket) => socket.write(UPGRADED),
};

let dir: string;
let socketPath: string;
let server: Server;
const connections: Received[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dockhand-hijack-"));
  socketPath = join(dir, "docker.sock");
  server = createServer((socket) => {
    let buffered = Buffer.alloc(0);
    const received = { head: "", body: "", closed: new Promise<void>((resolve) => socket.once("close", () => resolve())) };
    connections.push(received);
    const onData = (data: Buffer) => {
      buffered = Buffer.concat([buffered, data]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      received.head = buffered.subarray(0, end).toString("latin1");
      const length = Number(/content-length: (\d+)/i.exec(received.head)?.[1] ?? 0);
      const rest = buffered.subarray(end + 4);
      if (rest.length < length) return;
      received.body = rest.subarray(0, length).toString();
      socket.off("data", onData);
      const path = received.head.split(" ")[1]!.split("?")[0]!;
      behaviours[path]!(socket, received);
    };
    socket.on("data", onData);
    socket.on("error", () => {});
  });
  server.listen(socketPath);
  await once(server, "listening");
});

afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const dial = () => Promise.resolve(connect({ path: socketPath }));
const attach = (id: string, extra: Partial<HijackRequest> = {}): HijackRequest => ({
  method: "POST",
  path: `/v1.41/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1`,
  headers: { "User-Agent": "dockhand-test" },
  ...extra,
});

describe("hijack", () => {
  it("upgrades, streams stdin in and muxed output out, and half-closes stdin", async () => {
    const session = await hijack(dial, attach("c1"), { tty: false, host: `unix://${socketPath}` });
    expect(session.statusCode).toBe(101);
    expect(session.headers["upgrade"]).toBe("tcp");
    const frames = session.output[Symbol.asyncIterator]();
    expect(text((await frames.next()).value!.data)).toBe("welcome\n");
    await session.write("ping\n");
    expect(await frames.next()).toMatchObject({ value: { stream: "stdout" } });
    await session.write(new TextEncoder().encode("more"));
    expect(text((await frames.next()).value!.data)).toBe("more");
    await session.end();
    const last = await frames.next();
    expect(last.value).toMatchObject({ stream: "stderr" });
    expect(text(last.value!.data)).toBe("stdin closed");
    expect((await frames.next()).done).toBe(true);
    await expect(session.write("late")).rejects.toThrow(/already ended or closed/);

    const head = connections.at(-1)!.head.split("\r\n");
    expect(head[0]).toBe("POST /v1.41/containers/c1/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1");
    expect(head).toEqual(expect.arrayContaining(["user-agent: dockhand-test", "host: localhost", "connection: Upgrade", "upgrade: tcp"]));
  });

  it("sends a JSON body with its Content-Length and accepts a 200 answer followed by the stream", async () => {
    const body = JSON.stringify({ Detach: false, Tty: false, Note: "ü" });
    const session = await hijack(
      dial,
      { method: "POST", path: "/v1.41/exec/e1/start", headers: { "Content-Type": "application/json" }, body },
      { tty: false },
    );
    expect(session.statusCode).toBe(200);
    expect(connections.at(-1)!.body).toBe(body);
    expect(connections.at(-1)!.head).toContain(`content-length: ${new TextEncoder().encode(body).length}`);
    await session.write("x");
    await session.end();
    expect(await session.output.text()).toEqual({ stdout: "x", stderr: "stdin closed" });
  });

  it("reads raw output when the TTY is on, unless the daemon says the stream is multiplexed", async () => {
    const tty = await hijack(dial, attach("tty"), { tty: true });
    expect(tty.output.multiplexed).toBe(false);
    await tty.write("\u0001raw");
    await tty.end();
    expect(await tty.output.text()).toEqual({ stdout: "\u0001rawbye", stderr: "" });

    const muxed = await hijack(dial, { ...attach("muxed"), path: "/v1.44/containers/muxed/attach?stdin=1" }, { tty: true });
    expect(muxed.output.multiplexed).toBe(true);
    await muxed.close();
  });

  it("throws the status error with the daemon's message and the request facts", async () => {
    const err = await hijack(dial, attach("missing"), { tty: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({
      message: "No such container: missing",
      statusCode: 404,
      method: "POST",
      path: "/v1.41/containers/missing/attach",
      apiVersion: "1.41",
    });
  });

  it("reads a chunked error body", async () => {
    const err = await hijack(dial, { method: "POST", path: "/v1.41/exec/broken/start", headers: {}, body: "{}" }, { tty: false }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InternalServerError);
    expect((err as Error).message).toBe("OCI runtime exec failed");
  });

  it("fails with a DockerConnectionError when the daemon hangs up before answering", async () => {
    const err = await hijack(dial, attach("hangup"), { tty: false, host: "unix:///x.sock" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerConnectionError);
    expect(err).toMatchObject({ reason: "closed", host: "unix:///x.sock" });
  });

  it("refuses header values that would inject lines, without connecting", async () => {
    let dialled = false;
    const spy = () => {
      dialled = true;
      return dial();
    };
    await expect(hijack(spy, attach("c1", { headers: { "X-Registry-Auth": "abc\r\nX-Evil: 1" } }), { tty: false })).rejects.toThrow(
      DockerArgumentError,
    );
    await expect(hijack(spy, attach("c1", { path: "/v1.41/x HTTP/1.0\r\n" }), { tty: false })).rejects.toThrow(DockerArgumentError);
    expect(dialled).toBe(false);
  });

  it("never puts a rejected header's value in the error", async () => {
    const err = await hijack(dial, attach("c1", { headers: { "X-Registry-Auth": "s3cret\n" } }), { tty: false }).catch((e: unknown) => e);
    expect(String((err as Error).message)).not.toContain("s3cret");
  });

  it("honours an AbortSignal: before connecting, and while streaming", async () => {
    await expect(hijack(dial, attach("c1"), { tty: false, signal: AbortSignal.abort() })).rejects.toThrow(DockerAbortError);

    const controller = new AbortController();
    const session = await hijack(dial, attach("silent"), { tty: false, signal: controller.signal });
    const server = connections.at(-1)!;
    const reading = session.output.text();
    setTimeout(() => controller.abort(new Error("user gave up")), 10);
    const err = await reading.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerAbortError);
    expect((err as Error).cause).toEqual(new Error("user gave up"));
    await expect(session.write("too late")).rejects.toThrow(DockerAbortError);
    await server.closed;
  });

  it("close() ends a pending read at once and closes the connection", async () => {
    const session = await hijack(dial, attach("silent"), { tty: false });
    const server = connections.at(-1)!;
    const seen: unknown[] = [];
    const loop = (async () => {
      for await (const f of session.output) seen.push(f);
    })();
    await new Promise((r) => setTimeout(r, 10));
    await session.close();
    await loop;
    await server.closed;
    expect(seen).toEqual([]);
  });

  it("closes the connection when the consumer breaks", async () => {
    const session = await hijack(dial, attach("c1"), { tty: false });
    const server = connections.at(-1)!;
    for await (const f of session.output) {
      expect(text(f.data)).toBe("welcome\n");
      break;
    }
    await server.closed;
  });

  it("keeps the output received before stdin writes broke the connection, then reports the break", async () => {
    for (let round = 0; round < 5; round++) {
      const session = await hijack(dial, attach("exits"), { tty: false });
      // A big write is still in flight when the daemon hangs up: it fails (EPIPE or reset), and
      // Node tears the socket down, bytes it had received included unless we hold them already.
      const writeError = await session.write(new Uint8Array(4 << 20)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(writeError).toBeInstanceOf(DockerError);
      const seen: string[] = [];
      const readError = await (async () => {
        for await (const f of session.output) seen.push(text(f.data));
      })().catch((e: unknown) => e);
      expect(seen).toEqual(["printed before exiting\n"]);
      expect(readError).toBeInstanceOf(DockerConnectionError);
    }
  });

  it("keeps frames that arrive together with the response head", async () => {
    const session = await hijack(dial, attach("c1"), { tty: false });
    await session.end();
    const { stdout, stderr } = await session.output.text();
    expect({ stdout, stderr }).toEqual({ stdout: "welcome\n", stderr: "stdin closed" });
  });
});
