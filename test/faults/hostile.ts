// A hostile fake daemon on a real unix socket, speaking HTTP by hand so that it can send what no
// HTTP server library would: gigabytes of one JSON document or one line, a frame declaring 4 GiB,
// a 64 MB response head. It streams such answers from one reused buffer (never allocating them)
// and stops when the client hangs up. Ordinary calls (`/_ping`, `/version`) get ordinary answers
// on kept-alive connections, so a client can be checked to still work after meeting a fault.
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One request as the daemon read it. */
export interface HostileRequest {
  method: string;
  /** Path with query. */
  path: string;
}

/**
 * Answers one request. The socket is its own from then on (nothing more is read from it), unless
 * it returns `"keep-alive"`: it answered completely, and the connection serves the next request.
 */
export type Answer = (socket: Socket, request: HostileRequest) => void | "keep-alive" | Promise<void>;

const VERSION = { ApiVersion: "1.47", Version: "hostile", MinAPIVersion: "1.24" };

/** A complete JSON answer on a kept-alive connection. */
export function sendJson(socket: Socket, body: unknown, status = 200): void {
  const text = JSON.stringify(body);
  socket.write(
    `HTTP/1.1 ${status} OK\r\nApi-Version: 1.47\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

/**
 * Writes `prefix` as it is, then `total` bytes made of `fill` repeated, as HTTP chunks when
 * `chunked`, waiting for the socket to drain between writes. Stops early once the client closes;
 * resolves with the bytes written after the prefix.
 */
export async function pour(socket: Socket, total: number, fill: Uint8Array, options: { chunked?: boolean; prefix?: Uint8Array } = {}): Promise<number> {
  const gone = () => socket.destroyed || !socket.writable;
  // Resolves once the socket can take more, or is gone (an error or a close of the client's doing).
  const writable = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        socket.off("drain", done).off("close", done).off("error", done);
        resolve();
      };
      socket.on("drain", done).on("close", done).on("error", done);
    });
  const write = async (parts: Uint8Array[]) => {
    let full = false;
    for (const part of parts) full = !socket.write(part) || full;
    if (full && !gone()) await writable();
  };
  if (options.prefix) await write([options.prefix]);
  let written = 0;
  const end = Buffer.from("\r\n");
  while (written < total && !gone()) {
    const piece = total - written >= fill.length ? fill : fill.subarray(0, total - written);
    await write(options.chunked ? [Buffer.from(`${piece.length.toString(16)}\r\n`), piece, end] : [piece]);
    written += piece.length;
  }
  return written;
}

/** The hostile daemon: routes by method and path, the rest answered as a plain daemon would. */
export class HostileDaemon {
  readonly socketPath: string;
  readonly #server: Server;
  readonly #dir: string;
  readonly #routes: { method: string; path: RegExp; answer: Answer }[] = [];
  /** Connections open on the daemon's side right now. */
  readonly connections = new Set<Socket>();
  /** What each open connection was last asked (for a test that finds one left open). */
  readonly asked = new Map<Socket, string>();
  /** Bytes each hostile answer managed to write before the client hung up. */
  readonly poured: number[] = [];

  private constructor(server: Server, dir: string) {
    this.#server = server;
    this.#dir = dir;
    this.socketPath = join(dir, "docker.sock");
  }

  /** `unix://` address for clients. */
  get host(): string {
    return `unix://${this.socketPath}`;
  }

  static async start(): Promise<HostileDaemon> {
    const dir = await mkdtemp(join(tmpdir(), "dockhand-hostile-"));
    const server = createServer();
    const daemon = new HostileDaemon(server, dir);
    server.on("connection", (socket) => daemon.#serve(socket));
    server.listen(daemon.socketPath);
    await once(server, "listening");
    return daemon;
  }

  /** Answers `method` requests whose path (after `/v1.xx`) matches `path` with `answer`, until {@link HostileDaemon.reset}. */
  on(method: string, path: RegExp, answer: Answer): void {
    this.#routes.push({ method, path, answer });
  }

  /** Forgets the routes added with {@link HostileDaemon.on}. */
  reset(): void {
    this.#routes.length = 0;
    this.poured.length = 0;
  }

  async close(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    this.#server.close();
    await rm(this.#dir, { recursive: true, force: true });
  }

  #serve(socket: Socket): void {
    this.connections.add(socket);
    socket.on("close", () => {
      this.connections.delete(socket);
      this.asked.delete(socket);
    });
    // A client that hangs up mid-answer is what the tests provoke.
    socket.on("error", () => {});
    let buffer = Buffer.alloc(0);
    const onData = (data: Buffer) => {
      buffer = Buffer.concat([buffer, data]);
      for (let end; (end = buffer.indexOf("\r\n\r\n")) >= 0; ) {
        const head = buffer.subarray(0, end).toString("latin1");
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        buffer = buffer.subarray(end + 4 + length);
        const [method = "", path = ""] = head.split("\r\n", 1)[0]!.split(" ");
        this.asked.set(socket, `${method} ${path}`);
        if (this.#answer(socket, { method, path })) {
          socket.off("data", onData);
          return;
        }
      }
    };
    socket.on("data", onData);
  }

  /** Answers one request; true when a route took the socket over. */
  #answer(socket: Socket, request: HostileRequest): boolean {
    const bare = request.path.replace(/^\/v\d+\.\d+/, "");
    const route = this.#routes.find((r) => r.method === request.method && r.path.test(bare));
    if (route) {
      const answered = route.answer(socket, request);
      if (answered === "keep-alive") return false;
      void Promise.resolve(answered).catch(() => socket.destroy());
      return true;
    }
    if (bare.startsWith("/_ping")) {
      socket.write("HTTP/1.1 200 OK\r\nApi-Version: 1.47\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nOK");
    } else if (bare.startsWith("/version")) {
      sendJson(socket, VERSION);
    } else {
      sendJson(socket, { message: `no route for ${request.method} ${bare}` }, 404);
    }
    return false;
  }
}
