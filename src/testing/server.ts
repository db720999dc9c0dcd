import { once } from "node:events";
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { RequestHandler } from "msw";
import { compareVersions } from "../core/version.js";
import { MOCK_ORIGIN, setApiVersion } from "./context.js";
import { directiveOf } from "./directives.js";
import { msw } from "./msw.js";
import { emptyInput, Pipe } from "./pipe.js";
import type { HijackSession } from "./directives.js";

/** One request as the mock daemon received it, for assertions. */
export interface RecordedRequest {
  /** HTTP method. */
  method: string;
  /** The request target exactly as sent, e.g. `/v1.47/containers/json?all=1`. */
  url: string;
  /** The path without version prefix or query, e.g. `/containers/json`. */
  path: string;
  /** The version from the `/v1.xx` prefix, if the path had one. */
  apiVersion: string | undefined;
  /** The query string, parsed. */
  query: URLSearchParams;
  /** Header names in lower case; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body as text when it is JSON or text (complete before handlers run); otherwise undefined. */
  body: string | undefined;
  /** True for `Connection: Upgrade` requests (attach, exec start with stdin). */
  upgrade: boolean;
}

/** Settings of {@link MockServer}. */
export interface MockServerOptions {
  socketPath: string;
  /** The handlers to consult, read per request so runtime overrides apply at once. */
  handlers: () => readonly RequestHandler[];
  /** Highest and lowest API versions accepted in a `/v1.xx` prefix. */
  maxApiVersion: string;
  minApiVersion: string;
  /** Headers the daemon adds to every answer it produces (Api-Version, Server, ...). */
  daemonHeaders: Record<string, string>;
  /** Receives every request as it arrives. */
  record: (request: RecordedRequest) => void;
}

/** The exchange the server answers: normal HTTP, or an upgrade whose socket may become a byte pipe. */
type Exchange =
  | { upgrade: false; req: IncomingMessage; res: ServerResponse }
  | { upgrade: true; req: IncomingMessage; socket: Duplex; head: Buffer };


const VERSION_PREFIX = /^\/v(\d+\.\d+)(\/.*)$/;
const TEXT_BODY = /json|^text\//i;

/**
 * An HTTP/1.1 server on a unix socket that answers each request with msw handlers, streaming
 * bodies both ways so follow-mode logs and events behave as they do against a real daemon.
 */
export class MockServer {
  readonly #server: Server;
  readonly #options: MockServerOptions;
  readonly #sockets = new Set<Socket>();
  /** Exchanges still being answered, so close() can let them finish first. */
  readonly #active = new Set<Promise<void>>();

  private constructor(options: MockServerOptions) {
    this.#options = options;
    this.#server = createServer((req, res) => this.#track(this.#serve({ upgrade: false, req, res })));
    this.#server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.#track(this.#serve({ upgrade: true, req, socket, head }));
    });
    this.#server.on("connection", (socket: Socket) => {
      this.#sockets.add(socket);
      // Clients vanish mid-stream all the time in tests; that must never crash the daemon.
      socket.on("error", () => undefined);
      socket.on("close", () => this.#sockets.delete(socket));
    });
  }

  /** Starts listening on `options.socketPath`. */
  static async listen(options: MockServerOptions): Promise<MockServer> {
    const server = new MockServer(options);
    server.#server.listen(options.socketPath);
    await once(server.#server, "listening");
    return server;
  }

  /**
   * Stops listening, lets answers that are ending (streams the daemon just finished) flush for up
   * to `graceMs`, then destroys every connection, including hijacked and hanging ones.
   */
  async close(graceMs = 250): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all(this.#active), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  #track(exchange: Promise<void>): void {
    this.#active.add(exchange);
    void exchange.finally(() => this.#active.delete(exchange));
  }

  async #serve(exchange: Exchange): Promise<void> {
    try {
      const [response, fromDaemon] = await this.#respond(exchange);
      await this.#write(exchange, response, fromDaemon ? this.#options.daemonHeaders : {});
    } catch {
      // A failure while writing means the client went away or a handler's stream broke mid-body:
      // either way the only honest signal left is to drop the connection.
      (exchange.upgrade ? exchange.socket : exchange.req.socket).destroy();
    }
  }

  /** Finds the answer, and whether it is the daemon's own (which then carries its standard headers). */
  async #respond(exchange: Exchange): Promise<[Response, boolean]> {
    const { req } = exchange;
    const rawUrl = req.url ?? "/";
    const target = new URL(rawUrl, MOCK_ORIGIN);
    const prefixed = VERSION_PREFIX.exec(target.pathname);
    const apiVersion = prefixed?.[1];
    const path = prefixed?.[2] ?? target.pathname;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const recorded: RecordedRequest = {
      method: req.method ?? "GET",
      url: rawUrl,
      path,
      apiVersion,
      query: target.searchParams,
      headers: Object.fromEntries(headers),
      body: undefined,
      upgrade: exchange.upgrade,
    };
    this.#options.record(recorded);

    const versionError = apiVersion === undefined ? undefined : this.#checkVersion(apiVersion);
    if (versionError) return [Response.json({ message: versionError }, { status: 400 }), true];

    const body = exchange.upgrade ? await upgradeBody(exchange.socket, exchange.head, recorded) : await requestBody(req, recorded);
    const request = new Request(MOCK_ORIGIN + path + target.search, {
      method: recorded.method,
      headers,
      body,
      duplex: "half",
    } as RequestInit);
    setApiVersion(request, apiVersion ?? this.#options.maxApiVersion);

    let response: Response | undefined;
    try {
      response = await msw().getResponse([...this.#options.handlers()], request);
    } catch (error) {
      // An unexpected throw in a handler is the daemon's 500, with the error text as its message.
      const message = error instanceof Error ? error.message : String(error);
      return [Response.json({ message }, { status: 500 }), true];
    }
    // Like the daemon's router, an unknown route gets a bare 404 without the usual headers.
    if (response === undefined) return [Response.json({ message: "page not found" }, { status: 404 }), false];
    return [response, true];
  }

  #checkVersion(version: string): string | undefined {
    const { maxApiVersion: max, minApiVersion: min } = this.#options;
    if (compareVersions(version, max) > 0) {
      return `client version ${version} is too new. Maximum supported API version is ${max}`;
    }
    if (compareVersions(version, min) < 0) {
      return `client version ${version} is too old. Minimum supported API version is ${min}, please upgrade your client to a newer version`;
    }
    return undefined;
  }

  async #write(exchange: Exchange, response: Response, extraHeaders: Record<string, string>): Promise<void> {
    const directive = directiveOf(response);
    const socket = exchange.upgrade ? exchange.socket : exchange.req.socket;
    if (response.type === "error" || directive?.kind === "reset") {
      socket.destroy();
      return;
    }
    if (directive?.kind === "hang") {
      // Silent, but not deaf: once the client hangs up, so does the daemon (an upgrade's socket is
      // half-open by default and would otherwise linger until close()).
      socket.once("end", () => socket.destroy());
      return;
    }
    if (directive?.kind === "hijack") {
      await this.#hijack(exchange, withHeaders(response.headers, extraHeaders), directive.session);
      return;
    }
    const limit = directive?.kind === "truncate" ? directive.afterBytes : Infinity;
    const answer = directive?.kind === "truncate" ? directive.response : response;
    const headers = withHeaders(answer.headers, extraHeaders);
    if (exchange.upgrade) {
      // An upgrade request that is refused gets a plain response on the raw socket.
      const body = new Uint8Array(await answer.arrayBuffer());
      headers["Content-Length"] = String(body.byteLength);
      await writeTo(socket, statusHead(answer.status, answer.statusText, headers));
      await writeTo(socket, body.subarray(0, Math.min(limit, body.byteLength)));
      if (limit < body.byteLength) socket.destroy();
      else socket.end();
      return;
    }
    const { res } = exchange;
    res.writeHead(answer.status, answer.statusText || undefined, headers);
    res.flushHeaders();
    const sent = await pump(answer.body, res, limit);
    if (sent < limit) res.end();
    else socket.destroy();
  }

  async #hijack(exchange: Exchange, headers: Record<string, string>, session: HijackSession): Promise<void> {
    const closed = new AbortController();
    // Writes to a client that has gone are dropped; sessions watch `closed` to stop early.
    const writer = (stream: NodeJS.WritableStream) => (chunk: Uint8Array) => writeTo(stream, chunk).catch(() => undefined);
    if (!exchange.upgrade) {
      // Without an upgrade the daemon still streams the output, just as an ordinary body.
      const { res } = exchange;
      res.on("close", () => closed.abort());
      res.writeHead(200, headers);
      res.flushHeaders();
      await session.run({ input: emptyInput(), write: writer(res), closed: closed.signal });
      res.end();
      return;
    }
    const { socket } = exchange;
    socket.on("close", () => closed.abort());
    const upgraded = { "Content-Type": session.contentType, Connection: "Upgrade", Upgrade: "tcp" };
    await writeTo(socket, statusHead(101, "UPGRADED", upgraded));
    await session.run({ input: socketInput(socket), write: writer(socket), closed: closed.signal });
    // The daemon closes the whole connection when the stream is done, not just its write side.
    socket.end(() => socket.destroy());
  }
}

/** Reads the request body: whole (and recorded) when it is JSON or text, streamed otherwise. */
async function requestBody(req: IncomingMessage, recorded: RecordedRequest): Promise<RequestInit["body"]> {
  if (req.method === "GET" || req.method === "HEAD") return undefined;
  if (req.headers["content-length"] === undefined && req.headers["transfer-encoding"] === undefined) return undefined;
  if (TEXT_BODY.test(req.headers["content-type"] ?? "")) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    recorded.body = bytes.toString("utf8");
    return bytes;
  }
  const iterator = req[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(new Uint8Array(next.value as Buffer));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/**
 * Reads an upgrade request's body (Content-Length bytes, e.g. exec start options) off the raw
 * socket. Node hands over whatever followed the headers as `head`; it goes back into the socket so
 * the bytes after the body reach the session as stdin.
 */
async function upgradeBody(socket: Duplex, head: Buffer, recorded: RecordedRequest): Promise<Uint8Array | undefined> {
  if (head.byteLength > 0) socket.unshift(head);
  const length = Number(recorded.headers["content-length"] ?? 0);
  if (!(length > 0)) return undefined;
  let body: Buffer | null = socket.read(length) as Buffer | null;
  while (body === null && !socket.readableEnded && !socket.destroyed) {
    await Promise.race([once(socket, "readable"), once(socket, "close")]);
    body = socket.read(length) as Buffer | null;
  }
  if (body === null) return undefined;
  if (TEXT_BODY.test(recorded.headers["content-type"] ?? "")) recorded.body = body.toString("utf8");
  return new Uint8Array(body);
}

/** Copies a response body to `res`, stopping after `limit` bytes; returns how many were sent. */
async function pump(body: ReadableStream<Uint8Array> | null, res: ServerResponse, limit: number): Promise<number> {
  if (!body) return 0;
  const reader = body.getReader();
  // The client hanging up (e.g. aborting a follow stream) cancels the handler's stream, which is
  // how follow-mode handlers learn to unsubscribe.
  const onClose = () => void reader.cancel().catch(() => undefined);
  res.on("close", onClose);
  let sent = 0;
  let ended = false;
  try {
    while (sent < limit) {
      const { done, value } = await reader.read();
      if ((ended = done)) break;
      const chunk = value.subarray(0, Math.min(value.byteLength, limit - sent));
      sent += chunk.byteLength;
      await writeTo(res, chunk);
    }
    return sent;
  } finally {
    res.off("close", onClose);
    // Stopped before the handler's stream ended (the limit was reached, or a write failed because
    // the client went away before "close"): cancel it, or a follow handler would never unsubscribe.
    if (!ended) void reader.cancel().catch(() => undefined);
  }
}

/** Writes one chunk, resolving once it is flushed to the socket (so slow readers push back). */
function writeTo(stream: NodeJS.WritableStream, chunk: Uint8Array | string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

/**
 * The client's bytes after an upgrade. Not `for await` over the socket: finishing that iteration
 * destroys the socket, and the output still has to go out after the client's EOF (half-close).
 */
function socketInput(socket: Duplex): AsyncIterable<Uint8Array> {
  const input = new Pipe();
  socket.on("data", (chunk: Buffer) => input.push(new Uint8Array(chunk)));
  // A reset from the client just ends its input.
  for (const event of ["end", "close", "error"]) socket.on(event, () => input.end());
  return input;
}

/** A raw HTTP/1.1 status line and header block, for answers written straight to a socket. */
function statusHead(status: number, reason: string, headers: Record<string, string>): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${status} ${reason || STATUS_CODES[status] || "Unknown"}\r\n${lines.join("")}\r\n`;
}

/**
 * The response's headers over `defaults`, with names in Go's canonical form (`Api-Version`,
 * `Ostype`) as the daemon writes them.
 */
function withHeaders(headers: Headers, defaults: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (value: string, name: string) => {
    out[name.toLowerCase().replace(/(^|-)([a-z])/g, (m) => m.toUpperCase())] = value;
  };
  for (const [name, value] of Object.entries(defaults)) add(value, name);
  headers.forEach(add);
  return out;
}
