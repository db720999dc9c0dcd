// The session's gRPC server on one end of a unix socket and node:http2 as the client on the other,
// playing the daemon: unit tests make real gRPC calls to the services a build serves.
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { connect as http2Connect, type ClientHttp2Session } from "node:http2";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { frame, messages } from "../../src/session/grpc.js";
import { type GrpcServices, serveGrpc, type ServeOptions, type SessionServer } from "../../src/session/server.js";

/** What one call got back. */
export interface GrpcAnswer {
  headers: Record<string, unknown>;
  trailers: Record<string, unknown>;
  messages: Buffer[];
  rstCode: number;
}

/** A served session and the daemon's side of it. */
export interface GrpcSession {
  client: ClientHttp2Session;
  server: SessionServer;
  /** Calls `method` with `requests` (each one message), ending the request side unless told not to. */
  call(method: string, requests: Uint8Array[], endRequest?: boolean): Promise<GrpcAnswer>;
  /** Closes both sides and removes the socket. */
  close(): Promise<void>;
}

/** Serves `services` on a fresh connection. */
export async function startGrpcSession(services: GrpcServices, options?: ServeOptions): Promise<GrpcSession> {
  const dir = mkdtempSync(join(tmpdir(), "dockhand-grpc-"));
  const path = join(dir, "s.sock");
  let accept!: (socket: Socket) => void;
  const accepted = new Promise<Socket>((resolve) => (accept = resolve));
  const listener = createServer(accept);
  listener.listen(path);
  await once(listener, "listening");
  const client = http2Connect("http://daemon", { createConnection: () => connect(path) });
  client.on("error", () => {});
  const server = await serveGrpc(await accepted, services, options);

  async function call(method: string, requests: Uint8Array[], endRequest = true): Promise<GrpcAnswer> {
    const stream = client.request({ ":method": "POST", ":path": method, "content-type": "application/grpc", te: "trailers", "dir-name": "context" });
    for (const r of requests) stream.write(frame(r));
    if (endRequest) stream.end();
    const answer: GrpcAnswer = { headers: {}, trailers: {}, messages: [], rstCode: 0 };
    stream.on("response", (h) => (answer.headers = h));
    stream.on("trailers", (t) => (answer.trailers = t));
    stream.on("error", () => {});
    const body = (async () => {
      for await (const m of messages(stream)) answer.messages.push(Buffer.from(m));
    })().catch(() => {});
    await once(stream, "close");
    await body;
    answer.rstCode = stream.rstCode ?? 0;
    return answer;
  }

  async function close(): Promise<void> {
    server.close();
    await server.closed;
    client.destroy();
    listener.close();
    rmSync(dir, { recursive: true, force: true });
  }

  return { client, server, call, close };
}
