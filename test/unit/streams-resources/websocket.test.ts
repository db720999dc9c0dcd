// containers.attachWebsocket against a fake daemon speaking RFC 6455 by hand: the handshake and
// its checks, masking, fragments, control frames, length encodings, and how the socket ends.
import { createHash } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Docker, DockerError, DockerProtocolError, NotFoundError } from "../../../src/index.js";

interface ClientFrame {
  fin: boolean;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

/** One connection as the fake daemon sees it: the request head, and the client's frames. */
interface Session {
  head: string;
  frames: ClientFrame[];
  closed: Promise<void>;
}

type Behaviour = (socket: Socket, session: Session, accept: string) => void;

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** A server frame: never masked, with the shortest length encoding. */
function serverFrame(opcode: number, payload: string | Buffer, fin = true): Buffer {
  const data = typeof payload === "string" ? Buffer.from(payload) : payload;
  let header: Buffer;
  if (data.length < 126) header = Buffer.from([(fin ? 0x80 : 0) | opcode, data.length]);
  else if (data.length < 0x10000) {
    header = Buffer.from([(fin ? 0x80 : 0) | opcode, 126, 0, 0]);
    header.writeUInt16BE(data.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = (fin ? 0x80 : 0) | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(data.length), 2);
  }
  return Buffer.concat([header, data]);
}

const closeFrame = (code: number, reason = "") => {
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return serverFrame(0x8, payload);
};

function switching(accept: string): string {
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
}

/** Calls `onFrame` for every frame the client sends (unmasking them). */
function readFrames(socket: Socket, rest: Buffer, onFrame: (frame: ClientFrame) => void): void {
  let buffer = rest;
  const parse = () => {
    for (;;) {
      if (buffer.length < 2) return;
      let length = buffer[1]! & 0x7f;
      let at = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        at = 10;
      }
      const masked = (buffer[1]! & 0x80) !== 0;
      const mask = masked ? buffer.subarray(at, at + 4) : undefined;
      if (masked) at += 4;
      if (buffer.length < at + length) return;
      const payload = Buffer.from(buffer.subarray(at, at + length));
      if (mask) for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
      onFrame({ fin: (buffer[0]! & 0x80) !== 0, opcode: buffer[0]! & 0x0f, masked, payload });
      buffer = buffer.subarray(at + length);
    }
  };
  socket.on("data", (data: Buffer) => {
    buffer = Buffer.concat([buffer, data]);
    parse();
  });
  parse();
}

const behaviours: Record<string, Behaviour> = {
  // Echoes data frames back as binary; answers a close with a close, then hangs up.
  echo(socket, session, accept) {
    socket.write(switching(accept));
    session.frames.length = 0;
  },
  fragments(socket, _session, accept) {
    socket.write(
      Buffer.concat([
        Buffer.from(switching(accept)),
        serverFrame(0x1, "he", false),
        serverFrame(0x9, "are you there"),
        serverFrame(0x0, "ll", false),
        serverFrame(0x0, "o", true),
        serverFrame(0x2, Buffer.alloc(300, 0x62)),
        serverFrame(0x2, Buffer.alloc(70_000, 0x63)),
        closeFrame(1001, "going away"),
      ]),
    );
  },
  // Every byte in its own write: the head and the frames must be reassembled.
  split(socket, _session, accept) {
    const all = Buffer.concat([Buffer.from(switching(accept)), serverFrame(0x2, "abc"), serverFrame(0x2, Buffer.alloc(200, 0x64)), closeFrame(1000)]);
    let i = 0;
    const next = () => {
      if (i < all.length) socket.write(all.subarray(i, ++i), next);
    };
    next();
  },
  badaccept(socket) {
    socket.write(switching("d3Jvbmc="));
  },
  notupgraded(socket) {
    socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\nhello");
  },
  masked(socket, _session, accept) {
    const frame = serverFrame(0x2, "x");
    frame[1]! |= 0x80;
    socket.write(Buffer.concat([Buffer.from(switching(accept)), frame, Buffer.alloc(4)]));
  },
  truncated(socket, _session, accept) {
    socket.end(Buffer.concat([Buffer.from(switching(accept)), serverFrame(0x2, "0123456789").subarray(0, 7)]));
  },
  // A data frame declaring 2^52 bytes, then 64 KiB pieces of it for as long as the client reads.
  huge(socket, _session, accept) {
    const head = Buffer.from([0x82, 127, 0, 0x10, 0, 0, 0, 0, 0, 0]);
    socket.write(Buffer.concat([Buffer.from(switching(accept)), head]));
    const piece = Buffer.alloc(64 << 10, 0x65);
    const more = () => {
      if (!socket.destroyed) socket.write(piece, (err) => err === undefined || err === null ? setImmediate(more) : undefined);
    };
    more();
  },
  impossible(socket, _session, accept) {
    socket.write(Buffer.concat([Buffer.from(switching(accept)), Buffer.from([0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1])]));
  },
  // Output, then the connection just ends: no close frame.
  drop(socket, _session, accept) {
    socket.end(Buffer.concat([Buffer.from(switching(accept)), serverFrame(0x2, "last words")]));
  },
  silent(socket, _session, accept) {
    socket.write(switching(accept));
  },
  missing(socket) {
    const body = JSON.stringify({ message: "No such container: missing" });
    socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  },
};

let dir: string;
let server: Server;
let docker: Docker;
const sessions: Session[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dockhand-ws-"));
  server = createServer((socket) => {
    let head = Buffer.alloc(0);
    const onData = (data: Buffer) => {
      head = Buffer.concat([head, data]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      const text = head.subarray(0, end).toString("latin1");
      const session: Session = { head: text, frames: [], closed: new Promise((resolve) => socket.once("close", () => resolve())) };
      sessions.push(session);
      const key = /\r\nsec-websocket-key: (\S+)/i.exec(text)?.[1] ?? "";
      const accept = createHash("sha1").update(key + GUID).digest("base64");
      const name = /\/containers\/(\w+)\/attach\/ws/.exec(text)?.[1] ?? "";
      readFrames(socket, head.subarray(end + 4), (frame) => {
        session.frames.push(frame);
        if (name !== "echo") return;
        if (frame.opcode === 0x8) socket.end(closeFrame(1000));
        else if (frame.opcode === 0x1 || frame.opcode === 0x2) socket.write(serverFrame(0x2, frame.payload));
      });
      socket.on("error", () => undefined);
      behaviours[name]!(socket, session, accept);
    };
    socket.on("data", onData);
  });
  server.listen(join(dir, "docker.sock"));
  await once(server, "listening");
  docker = new Docker({ host: `unix://${join(dir, "docker.sock")}`, apiVersion: "1.44" });
});

afterAll(async () => {
  await docker.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString();

describe("attachWebsocket", () => {
  it("sends the opening handshake with all streams attached by default", async () => {
    const ws = await docker.containers.attachWebsocket("echo");
    const { head } = sessions.at(-1)!;
    const [requestLine] = head.split("\r\n");
    expect(requestLine).toBe("GET /v1.44/containers/echo/attach/ws?stream=true&stdin=true&stdout=true&stderr=true HTTP/1.1");
    expect(head).toMatch(/\r\nupgrade: websocket\r\n/i);
    expect(head).toMatch(/\r\nconnection: Upgrade(\r\n|$)/i);
    expect(head).toMatch(/\r\nsec-websocket-version: 13\r\n/i);
    expect(/\r\nsec-websocket-key: (\S+)/i.exec(head)?.[1]).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    await ws.close();
  });

  it("sends masked frames (text for strings, binary for bytes) and reads the answers", async () => {
    const ws = await docker.containers.attachWebsocket("echo", { stdout: true, stderr: false });
    const session = sessions.at(-1)!;
    expect(session.head).toContain("stderr=false");
    await ws.send("hi\n");
    await ws.send(new Uint8Array(1000).fill(0x7a));
    const got: Uint8Array[] = [];
    for await (const chunk of ws) {
      got.push(chunk);
      if (Buffer.concat(got).length === 1003) break;
    }
    expect(text(got)).toBe(`hi\n${"z".repeat(1000)}`);
    expect(session.frames.map((f) => [f.opcode, f.masked, f.fin])).toEqual([
      [0x1, true, true],
      [0x2, true, true],
    ]);
    await session.closed;
  });

  it("close() sends a close frame with the code and reason, then hangs up", async () => {
    const ws = await docker.containers.attachWebsocket("silent");
    const session = sessions.at(-1)!;
    await ws.close(4000, "done here");
    await session.closed;
    const close = session.frames.find((f) => f.opcode === 0x8)!;
    expect(close.masked).toBe(true);
    expect(close.payload.readUInt16BE(0)).toBe(4000);
    expect(close.payload.subarray(2).toString()).toBe("done here");
    await expect(ws.send("late")).rejects.toBeInstanceOf(DockerError);
  });

  it("joins nothing but hands out fragments, answers pings, and decodes 16- and 64-bit lengths", async () => {
    const ws = await docker.containers.attachWebsocket("fragments");
    const session = sessions.at(-1)!;
    const got: Uint8Array[] = [];
    for await (const chunk of ws) got.push(chunk);
    // Fragments come out as they are, never joined; a long frame may come in pieces of the socket's chunks.
    expect(got.slice(0, 3).map((c) => c.length)).toEqual([2, 2, 1]);
    expect(text(got.slice(0, 3))).toBe("hello");
    expect(text(got.slice(3))).toBe("b".repeat(300) + "c".repeat(70_000));
    expect(ws.closeStatus).toEqual({ code: 1001, reason: "going away" });
    await session.closed;
    const pong = session.frames.find((f) => f.opcode === 0xa);
    expect(pong?.payload.toString()).toBe("are you there");
    // The close is echoed with the daemon's code.
    expect(session.frames.find((f) => f.opcode === 0x8)?.payload.readUInt16BE(0)).toBe(1001);
  });

  it("reassembles a head and frames that arrive a byte at a time", async () => {
    const ws = await docker.containers.attachWebsocket("split");
    const got: Uint8Array[] = [];
    for await (const chunk of ws) got.push(chunk);
    expect(text(got)).toBe(`abc${"d".repeat(200)}`);
    expect(ws.closeStatus).toEqual({ code: 1000, reason: "" });
  });

  it("ends quietly when the daemon just hangs up", async () => {
    const ws = await docker.containers.attachWebsocket("drop");
    const got: Uint8Array[] = [];
    for await (const chunk of ws) got.push(chunk);
    expect(text(got)).toBe("last words");
    expect(ws.closeStatus).toBeUndefined();
  });

  it("refuses a wrong accept key or a connection that was not switched", async () => {
    await expect(docker.containers.attachWebsocket("badaccept")).rejects.toThrow(/Sec-WebSocket-Accept/);
    await sessions.at(-1)!.closed;
    const err = await docker.containers.attachWebsocket("notupgraded").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerProtocolError);
    expect((err as Error).message).toMatch(/HTTP 200/);
    await sessions.at(-1)!.closed;
  });

  it("fails on a masked or truncated server frame", async () => {
    const masked = await docker.containers.attachWebsocket("masked");
    await expect(masked[Symbol.asyncIterator]().next()).rejects.toThrow(/masked/);
    await sessions.at(-1)!.closed;
    const truncated = await docker.containers.attachWebsocket("truncated");
    const reading = truncated[Symbol.asyncIterator]();
    // The bytes that did arrive are handed out; the missing rest of the frame is the error.
    expect(text([(await reading.next()).value as Uint8Array])).toBe("01234");
    await expect(reading.next()).rejects.toThrow(/truncated frame/);
  });

  it("streams a frame that declares far more than memory holds, never buffering it; refuses a length past 2^53", async () => {
    const huge = await docker.containers.attachWebsocket("huge");
    let seen = 0;
    const reading = huge[Symbol.asyncIterator]();
    while (seen < 8 << 20) {
      const { value } = await reading.next();
      expect(value!.length).toBeLessThanOrEqual(1 << 20);
      seen += value!.length;
    }
    await reading.return?.();
    await sessions.at(-1)!.closed;
    const impossible = await docker.containers.attachWebsocket("impossible");
    await expect(impossible[Symbol.asyncIterator]().next()).rejects.toThrow(/impossible length/);
  });

  it("raises the daemon's error status as a typed error", async () => {
    const err = await docker.containers.attachWebsocket("missing").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toBe("No such container: missing");
  });

  it("aborting the signal hangs up", async () => {
    const controller = new AbortController();
    const ws = await docker.containers.attachWebsocket("silent", {}, { signal: controller.signal });
    const session = sessions.at(-1)!;
    const reading = ws[Symbol.asyncIterator]().next();
    controller.abort();
    await expect(reading).rejects.toThrow(/aborted/);
    await session.closed;
  });

  it("leaves the streams out before API 1.42, where the daemon always attaches all three", async () => {
    const old = new Docker({ host: `unix://${join(dir, "docker.sock")}`, apiVersion: "1.41" });
    const ws = await old.containers.attachWebsocket("silent", { logs: true });
    expect(sessions.at(-1)!.head.split("\r\n")[0]).toBe("GET /v1.41/containers/silent/attach/ws?logs=true&stream=true HTTP/1.1");
    await ws.close();
    await expect(old.containers.attachWebsocket("silent", { stderr: false })).rejects.toThrow(/needs API 1\.42/);
    await old.close();
  });
});
