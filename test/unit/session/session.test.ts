// Session handshake against a fake daemon on a real unix socket: what is written on the wire
// (repeated method headers included), the bytes that arrive with the 101, and the failures.
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BadRequestError, DockerProtocolError } from "../../../src/core/errors.js";
import { RequestCore } from "../../../src/core/request.js";
import { Session } from "../../../src/resources/session.js";
import type { Transport } from "../../../src/transport/types.js";

const PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

const REFUSAL = `${JSON.stringify({ message: "session taken already exists" })}\n`;

/** How the fake daemon answers a session request, by the session id it was given. */
const answers: Record<string, string> = {
  taken: `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${REFUSAL.length}\r\n\r\n${REFUSAL}`,
  plain: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
};

describe("Session.start", () => {
  let dir: string;
  let server: Server;
  const heads: string[] = [];
  const received: string[] = [];
  const closed: Promise<void>[] = [];
  let session: Session;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "dockhand-session-"));
    const path = join(dir, "docker.sock");
    server = createServer((socket: Socket) => {
      closed.push(once(socket, "close").then(() => {}));
      let buffered = "";
      const onHead = (chunk: Buffer) => {
        buffered += chunk.toString("latin1");
        const end = buffered.indexOf("\r\n\r\n");
        if (end < 0) return;
        socket.off("data", onHead);
        const head = buffered.slice(0, end);
        heads.push(head);
        const id = /^x-docker-expose-session-uuid: (.*)$/m.exec(head)?.[1] ?? "";
        if (answers[id]) return void socket.end(answers[id]);
        // The upgrade answer and the daemon's first HTTP/2 bytes in one write, as the daemon may send them.
        socket.write(`HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n${PREFACE}`);
        socket.on("data", (data: Buffer) => received.push(data.toString()));
      };
      socket.on("data", onHead);
      socket.on("error", () => {});
    });
    server.listen(path);
    await once(server, "listening");
    const transport: Transport = {
      host: `unix://${path}`,
      basePath: "",
      request: () => Promise.reject(new Error("a session never takes the pooled path")),
      connect: async () => {
        const socket = connect(path);
        await once(socket, "connect");
        return socket as Duplex;
      },
      close: async () => {},
      destroy: async () => {},
    };
    session = new Session(new RequestCore({ transport: async () => transport, apiVersion: "1.51" }));
  });

  afterAll(async () => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("asks for h2c with the session's headers, one line per gRPC method", async () => {
    const methods = ["/moby.filesync.v1.FileSync/DiffCopy", "/moby.filesync.v1.Auth/Credentials"];
    const { sessionId, socket } = await session.start({ sessionId: "s1", name: "ctx", sharedKey: "key", methods });
    socket.destroy();
    expect(sessionId).toBe("s1");
    const lines = heads.at(-1)!.split("\r\n");
    expect(lines[0]).toBe("POST /v1.51/session HTTP/1.1");
    expect(lines).toEqual(
      expect.arrayContaining([
        "upgrade: h2c",
        "connection: Upgrade",
        "x-docker-expose-session-uuid: s1",
        "x-docker-expose-session-name: ctx",
        "x-docker-expose-session-sharedkey: key",
      ]),
    );
    expect(lines.filter((line) => line.startsWith("x-docker-expose-session-grpc-method:"))).toEqual(
      methods.map((method) => `x-docker-expose-session-grpc-method: ${method}`),
    );
  });

  it("generates a session id when none is given, and leaves optional headers out", async () => {
    const { sessionId, socket } = await session.start();
    socket.destroy();
    expect(sessionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const head = heads.at(-1)!;
    expect(head).toContain(`x-docker-expose-session-uuid: ${sessionId}`);
    expect(head).not.toMatch(/session-(name|sharedkey|grpc-method)/);
  });

  it("hands over a connection that replays the bytes that came with the 101, then carries both ways", async () => {
    const { socket } = await session.start({ sessionId: "io" });
    const [first] = (await once(socket, "data")) as [Buffer];
    expect(first.toString("latin1")).toBe(PREFACE);
    socket.write("client bytes");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received.join("")).toContain("client bytes");
    const serverClosed = closed.at(-1)!;
    socket.destroy();
    await serverClosed;
  });

  it("turns a daemon refusal into its typed error with the daemon's message", async () => {
    const err = await session.start({ sessionId: "taken" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as Error).message).toBe("session taken already exists");
  });

  it("refuses an answer that does not switch protocols", async () => {
    const err = await session.start({ sessionId: "plain" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerProtocolError);
    expect(err).toMatchObject({ statusCode: 200, method: "POST", path: "/v1.51/session" });
  });
});
