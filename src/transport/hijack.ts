import type { Duplex } from "node:stream";
import {
  DockerAbortError,
  DockerArgumentError,
  DockerClientClosedError,
  DockerConnectionError,
  DockerError,
  DockerProtocolError,
  DockerTimeoutError,
  errorForStatus,
  errorMessage,
  limitError,
  type RequestFacts,
} from "../core/errors.js";
import { DEFAULT_LIMITS, ERROR_BODY_LIMIT } from "../core/limits.js";
import { concatBytes } from "../internal/bytes.js";
import { connectionError } from "./errors.js";
import { plainTextToTLS, type HungUpSocket } from "./tls-probe.js";

/** The HTTP request that asks the daemon to hand over the connection. */
export interface HijackRequest {
  method: string;
  /** Path with version prefix and query string, e.g. `/v1.41/containers/abc/attach?stream=1&stdin=1`. */
  path: string;
  /** Header values; a list is sent as one line per value (the session handshake repeats a header). */
  headers: Readonly<Record<string, string | readonly string[]>>;
  /** JSON body (exec start), sent with a `Content-Length`. */
  body?: string | undefined;
}

/** How to treat the upgraded connection. */
export interface UpgradeOptions {
  /** Aborting destroys the connection; pending reads and writes fail with {@link DockerAbortError}. */
  signal?: AbortSignal | undefined;
  /** Display form of the engine address, for connection errors (never with credentials). */
  host?: string | undefined;
  /** Called once the connection is closed, whatever closed it (lets the caller drop its signal links). */
  onClose?: (() => void) | undefined;
  /** The request, for errors (the caller knows its operation); by default read off the request line. */
  facts?: RequestFacts | undefined;
  /** The `responseHead` limit: a longer head is a `DockerLimitError`. Default: the client's default (64 KiB). */
  maxHead?: number | undefined;
}
const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder();

/** A connection the daemon switched over: the socket, the answer's head, and the bytes that follow it. */
export interface UpgradedConnection {
  readonly socket: Duplex;
  /** 101 when the daemon upgraded the connection, 200 when it just kept streaming. */
  readonly statusCode: number;
  /** Response headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** What the daemon sends after the head (starting with bytes that came with it); stopping early destroys the socket. */
  readonly bytes: AsyncIterable<Uint8Array>;
  /** The request, for errors. */
  readonly facts: RequestFacts;
  /** The dockhand error for a failure of this connection (an abort once the signal fired). */
  failure(err: unknown): DockerError;
  /**
   * Hands the socket over whole, instead of reading it through `bytes`: the bytes already
   * received are put back into the socket, so whoever reads it next gets them first. A protocol
   * library given the socket itself (node:http2) can then use it natively rather than through a
   * stream wrapper. Use `socket` or `bytes`, never both; afterwards `bytes` must not be read.
   */
  detach(): Duplex;
}

/**
 * Sends `request` on a fresh connection with `Connection: Upgrade` (and `Upgrade: tcp` unless the
 * request names another protocol) and returns the connection once the daemon answered 101 (or
 * 200 followed by the stream, which is what the daemon sends when it is not asked to upgrade).
 * Any other status reads the (bounded) error body and throws the matching {@link errorForStatus}
 * error with the daemon's message. Aborting the signal destroys the socket at any point.
 *
 * `connect` opens a raw socket to the daemon (unix, TCP or TLS); plain `node:net`/`node:tls`
 * sockets work in Node, Deno and Bun.
 */
export async function upgrade(
  connect: () => Promise<Duplex>,
  request: HijackRequest,
  options: UpgradeOptions,
): Promise<UpgradedConnection> {
  const facts = options.facts ?? factsOf(request);
  const host = options.host ?? "the Docker daemon";
  const { signal } = options;
  // A signal aborted by a call's timeout or by closing the client carries the error to report.
  const aborted = () =>
    signal?.reason instanceof DockerTimeoutError || signal?.reason instanceof DockerClientClosedError
      ? signal.reason
      : new DockerAbortError(`${request.method} ${facts.path} was aborted`, { ...facts, cause: signal?.reason });
  const head = requestHead(request);
  if (signal?.aborted) throw aborted();
  const socket = await connect();
  // Without a listener, a socket error nobody is reading at that moment would crash the process.
  socket.on("error", () => {});
  const onAbort = () => socket.destroy(aborted());
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort, { once: true });
  socket.once("close", () => {
    signal?.removeEventListener("abort", onAbort);
    options.onClose?.();
  });
  const failure = (err: unknown) => (signal?.aborted ? aborted() : connectionError(err, host, facts));

  const reader = new SocketReader(socket, failure);
  let response: ResponseHead;
  try {
    socket.write(head);
    response = await readHead(reader, facts, host, options.maxHead ?? DEFAULT_LIMITS.responseHead);
  } catch (err) {
    // Read before the socket goes: a plain TCP connection hung up on may have met a TLS server.
    const { bytesRead, remoteAddress, remotePort } = socket as HungUpSocket;
    socket.destroy();
    const plain = err instanceof DockerConnectionError && !signal?.aborted && !("encrypted" in socket);
    throw (plain && (await plainTextToTLS({ bytesRead, remoteAddress, remotePort }, host, facts, err))) || failure(err);
  }

  if (response.status !== 101 && response.status !== 200) {
    let text = "";
    try {
      // Still abortable: an error body that never ends must not hold the caller.
      text = await readErrorBody(response, reader);
    } catch {
      // The status alone still says what happened.
    } finally {
      socket.destroy();
    }
    throw errorForStatus(response.status, errorMessage(response.status, response.headers["content-type"], text), facts);
  }
  return {
    socket,
    statusCode: response.status,
    headers: response.headers,
    bytes: reader.remaining(response.rest),
    facts,
    failure,
    detach: () => reader.detach(),
  };
}

/** What `errors.ts` records about the request: method, path without query, API version. */
function factsOf(request: HijackRequest): RequestFacts {
  const path = request.path.split("?", 1)[0]!;
  const version = /\/v(\d+\.\d+)\//.exec(path)?.[1];
  return { method: request.method, path, ...(version ? { apiVersion: version } : {}) };
}

/** Serialises the request head (and body). Refuses anything that could smuggle extra lines. */
function requestHead(request: HijackRequest): Uint8Array {
  const unsafe = /[\r\n]/;
  if (!/^[A-Z]+$/.test(request.method) || /[\s]/.test(request.path) || !request.path.startsWith("/")) {
    throw new DockerArgumentError(`Invalid request line for a hijacked connection: ${request.method} ${request.path.slice(0, 200)}`);
  }
  const body = request.body === undefined ? undefined : encoder.encode(request.body);
  const headers: Record<string, readonly string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const values = typeof value === "string" ? [value] : value;
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || values.some((v) => unsafe.test(v))) {
      // Name the header, never its value: it may be a credential.
      throw new DockerArgumentError(`Invalid header for a hijacked connection: ${name.slice(0, 100)}`);
    }
    headers[name.toLowerCase()] = values;
  }
  headers.host ??= ["localhost"];
  headers.connection = ["Upgrade"];
  headers.upgrade ??= ["tcp"];
  if (body !== undefined) headers["content-length"] = [String(body.length)];
  let text = `${request.method} ${request.path} HTTP/1.1\r\n`;
  for (const [name, values] of Object.entries(headers)) for (const value of values) text += `${name}: ${value}\r\n`;
  const head = encoder.encode(`${text}\r\n`);
  return body === undefined ? head : concatBytes([head, body]);
}

interface ResponseHead {
  status: number;
  headers: Record<string, string>;
  /** Bytes that arrived after the head: the start of the stream (or the error body). */
  rest: Uint8Array;
}

/** Reads until the blank line that ends the response head, which may arrive in any pieces. */
async function readHead(reader: AsyncIterator<Uint8Array>, facts: RequestFacts, host: string, maxHead: number): Promise<ResponseHead> {
  let buffer: Uint8Array = new Uint8Array(0);
  for (;;) {
    const end = indexOfHeadEnd(buffer);
    if (end >= 0 && end <= maxHead) return parseHead(buffer.subarray(0, end), buffer.subarray(end + 4), facts);
    // A head longer than this is not the daemon talking; the buffer holds at most one chunk more.
    if (end > maxHead || buffer.length > maxHead) throw limitError("responseHead", maxHead, end > maxHead ? end : buffer.length, facts);
    const { done, value } = await reader.next();
    if (done) {
      throw new DockerConnectionError(`The Docker daemon at ${host} closed the connection before answering`, {
        ...facts,
        host,
        reason: "closed",
      });
    }
    buffer = buffer.length === 0 ? value : concatBytes([buffer, value]);
  }
}

function indexOfHeadEnd(bytes: Uint8Array): number {
  for (let i = bytes.indexOf(13); i >= 0 && i + 3 < bytes.length; i = bytes.indexOf(13, i + 1)) {
    if (bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  }
  return -1;
}

function parseHead(bytes: Uint8Array, rest: Uint8Array, facts: RequestFacts): ResponseHead {
  const [statusLine = "", ...lines] = latin1.decode(bytes).split("\r\n");
  const match = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
  if (!match) {
    throw new DockerProtocolError(`The daemon answered with an invalid status line: ${statusLine.slice(0, 200)}`, {
      ...facts,
    });
  }
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(match[1]), headers, rest };
}

/**
 * Reads an error response body, up to {@link ERROR_BODY_LIMIT}: by `Content-Length`, chunked,
 * or until the daemon closes the connection.
 */
async function readErrorBody(response: ResponseHead, reader: AsyncIterator<Uint8Array>): Promise<string> {
  const declared = Number(response.headers["content-length"]);
  const chunked = /\bchunked\b/i.test(response.headers["transfer-encoding"] ?? "");
  const want = !chunked && Number.isFinite(declared) ? Math.min(declared, ERROR_BODY_LIMIT) : ERROR_BODY_LIMIT;
  const pieces = [response.rest];
  let size = response.rest.length;
  while (size < want && !(chunked && endsChunkedBody(pieces))) {
    const { done, value } = await reader.next();
    if (done) break;
    pieces.push(value);
    size += value.length;
  }
  const body = concatBytes(pieces).subarray(0, want);
  return utf8.decode(chunked ? dechunk(body) : body);
}

function endsChunkedBody(pieces: Uint8Array[]): boolean {
  const tail = latin1.decode(concatBytes(pieces.slice(-2)).subarray(-7));
  return tail.endsWith("0\r\n\r\n");
}

/** Decodes a chunked body, stopping at the last complete chunk. */
function dechunk(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf(10, at);
    if (lineEnd < 0) break;
    const size = parseInt(latin1.decode(bytes.subarray(at, lineEnd)), 16);
    if (!(size > 0) || lineEnd + 1 + size > bytes.length) break;
    parts.push(bytes.subarray(lineEnd + 1, lineEnd + 1 + size));
    at = lineEnd + 1 + size + 2;
  }
  return concatBytes(parts);
}

/** How far the socket may read ahead of the consumer before it is paused. */
const READ_AHEAD = 256 << 10;

/**
 * Reads the socket into a queue of its own, so that bytes already received survive the socket
 * being torn down: Node destroys a socket when a write fails, which is what happens when the
 * process exits without reading all its stdin, and its last output must not be lost then. A
 * failure is reported once every byte received before it was delivered. `return()` destroys the
 * socket at once, even while a read is pending (the socket's own iterator would wait for the next
 * chunk first).
 */
class SocketReader implements AsyncIterator<Uint8Array, undefined> {
  readonly #socket: Duplex;
  readonly #failure: (err: unknown) => DockerError;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  #closed = false;
  #error: unknown;
  #wake: (() => void) | undefined;
  readonly #listeners: Record<"data" | "error" | "end" | "close", (...args: any[]) => void>;

  constructor(socket: Duplex, failure: (err: unknown) => DockerError) {
    this.#socket = socket;
    this.#failure = failure;
    this.#listeners = {
      data: (chunk: Uint8Array) => this.#push(chunk),
      error: (err: unknown) => {
        this.#error ??= err;
        this.#notify();
      },
      end: () => {
        this.#ended = true;
        this.#notify();
      },
      close: () => {
        // A paused socket may still hold bytes Node read for us; they are ours to deliver.
        for (let chunk: Uint8Array | null; (chunk = socket.read() as Uint8Array | null) !== null; ) this.#push(chunk);
        this.#ended = true;
        this.#notify();
      },
    };
    for (const [event, listener] of Object.entries(this.#listeners)) socket.on(event, listener);
  }

  /** Stops reading and gives the socket back with the bytes still queued put back in front. */
  detach(): Duplex {
    const socket = this.#socket;
    for (const [event, listener] of Object.entries(this.#listeners)) socket.off(event, listener);
    socket.pause();
    for (let i = this.#queue.length - 1; i >= 0; i--) socket.unshift(this.#queue[i]!);
    // Neither paused nor flowing, as a fresh socket: the next 'data' listener starts the flow.
    (socket as { readableFlowing: boolean | null }).readableFlowing = null;
    this.#queue = [];
    this.#queued = 0;
    this.#closed = true;
    return socket;
  }

  /** The rest of the stream, starting with `first` (the bytes that came with the response head). */
  remaining(first: Uint8Array): AsyncIterable<Uint8Array> {
    if (first.length > 0) {
      this.#queue.unshift(first);
      this.#queued += first.length;
    }
    return { [Symbol.asyncIterator]: () => this };
  }

  async next(): Promise<IteratorResult<Uint8Array, undefined>> {
    for (;;) {
      if (this.#closed) return { value: undefined, done: true };
      const chunk = this.#queue.shift();
      if (chunk !== undefined) {
        this.#queued -= chunk.length;
        if (this.#queued < READ_AHEAD && this.#socket.isPaused()) this.#socket.resume();
        return { value: chunk, done: false };
      }
      if (this.#error !== undefined) throw this.#failure(this.#error);
      if (this.#ended) return { value: undefined, done: true };
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  async return(): Promise<IteratorResult<Uint8Array, undefined>> {
    this.#closed = true;
    this.#queue = [];
    this.#queued = 0;
    this.#socket.destroy();
    this.#notify();
    return { value: undefined, done: true };
  }

  #push(chunk: Uint8Array): void {
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    if (this.#queued >= READ_AHEAD) this.#socket.pause();
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

