/**
 * A gRPC server on a session's connection: once `POST /session` switched to h2c, the daemon is
 * the HTTP/2 client and calls the methods the session announced. node:http2 serves the frames;
 * this file maps streams to handlers, writes length-prefixed messages with flow control, and
 * ends every call with `grpc-status` trailers (a trailers-only answer for a method not served).
 */
import type { Http2Session, IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import type { Duplex } from "node:stream";
import { encodeStatusMessage, frame, GrpcError, GrpcStatus, type GrpcStatusCode, messages, type Metadata, metadataOf } from "./grpc.js";

/** One call from the daemon, as a handler sees it. */
export interface GrpcCall {
  /** `/package.Service/Method`. */
  readonly method: string;
  /** The request metadata (e.g. FileSync's `dir-name`). */
  readonly metadata: Metadata;
  /** Aborted when the daemon cancels the call or the session closes. */
  readonly signal: AbortSignal;
  /** The messages the daemon sends, as they arrive. */
  readonly requests: AsyncIterable<Uint8Array>;
  /**
   * Sends messages, waiting while HTTP/2 flow control holds the stream. Several go out in one
   * write: thousands of small messages sent one by one cost a turn of the event loop each.
   */
  send(...messages: Uint8Array[]): Promise<void>;
}

/** Serves one method; resolving ends the call with status OK, throwing a {@link GrpcError} with its code. */
export type GrpcHandler = (call: GrpcCall) => Promise<void>;

/** Method path → handler. */
export type GrpcServices = ReadonlyMap<string, GrpcHandler>;

/** A unary method: one request message in, one response message out. */
export function unary(handle: (request: Uint8Array, call: GrpcCall) => Promise<Uint8Array>): GrpcHandler {
  return async (call) => {
    let request: Uint8Array | undefined;
    for await (const message of call.requests) {
      if (request !== undefined) throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, "a unary call got more than one request message");
      request = message;
    }
    if (request === undefined) throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, "a unary call got no request message");
    await call.send(await handle(request, call));
  };
}

/** The running server; {@link SessionServer.close} tears down the HTTP/2 session and the connection. */
export interface SessionServer {
  /** Resolves once the connection is closed, by either side. */
  readonly closed: Promise<void>;
  /** Ends every call and closes the connection. Idempotent. */
  close(): void;
}

/** Options of {@link serveGrpc}. */
export interface ServeOptions {
  /** Sees each failure a handler reported to the daemon (messages only; handlers keep secrets out of them). */
  onCallError?: (method: string, error: Error) => void;
}

/** Starts serving `services` on `socket`, which must be the switched session connection. */
export async function serveGrpc(socket: Duplex, services: GrpcServices, options: ServeOptions = {}): Promise<SessionServer> {
  const http2 = await import("node:http2");
  const server = http2.createServer();
  const sessions = new Set<Http2Session>();
  let closing = false;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  const close = () => {
    if (closing) return;
    closing = true;
    for (const session of sessions) session.destroy();
    socket.destroy();
  };
  server.on("session", (session: Http2Session) => {
    sessions.add(session);
    // A broken connection is reported by `closed`; an unhandled 'error' would crash the process.
    session.on("error", () => {});
    session.once("close", () => {
      sessions.delete(session);
      close();
    });
  });
  server.on("stream", (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
    void answer(stream, headers, rawHeaders, services, options);
  });
  socket.once("close", () => {
    close();
    resolveClosed();
  });
  socket.on("error", () => {});
  server.emit("connection", socket);
  return { closed, close };
}

async function answer(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  rawHeaders: string[],
  services: GrpcServices,
  options: ServeOptions,
): Promise<void> {
  stream.on("error", () => {});
  const method = String(headers[":path"] ?? "");
  const handler = services.get(method);
  if (handler === undefined) {
    stream.resume();
    end(stream, GrpcStatus.UNIMPLEMENTED, `method ${method} is not served by this session`);
    return;
  }
  const abort = new AbortController();
  stream.once("close", () => abort.abort(new GrpcError(GrpcStatus.CANCELLED, "the call was closed")));
  const call: GrpcCall = {
    method,
    metadata: metadataOf(rawHeaders),
    signal: abort.signal,
    // Leaving the loop early (a FIN answered) must not destroy the stream: that resets it with
    // CANCEL, and the daemon fails the transfer even though the call ended with trailers.
    requests: messages(stream.iterator({ destroyOnReturn: false })),
    send: (...messages) => send(stream, messages),
  };
  try {
    await handler(call);
    // Whatever the daemon still sends is not needed; reading it lets its side end cleanly.
    stream.resume();
    end(stream, GrpcStatus.OK, "");
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    if (!stream.closed) options.onCallError?.(method, error);
    end(stream, error instanceof GrpcError ? error.code : GrpcStatus.UNKNOWN, error.message);
  }
}

/** The response headers, sent before the first message (or with the status when there is none). */
function respond(stream: ServerHttp2Stream, status?: { code: GrpcStatusCode; message: string }): void {
  const head: Record<string, string | number> = {
    ":status": 200,
    "content-type": "application/grpc",
    "grpc-accept-encoding": "identity",
  };
  if (status === undefined) {
    stream.respond(head, { waitForTrailers: true });
    return;
  }
  // Trailers-only: the status travels in the one header block, which ends the stream.
  head["grpc-status"] = String(status.code);
  if (status.message) head["grpc-message"] = encodeStatusMessage(status.message);
  stream.respond(head, { endStream: true });
}

async function send(stream: ServerHttp2Stream, messages: Uint8Array[]): Promise<void> {
  if (stream.closed || stream.destroyed) throw new GrpcError(GrpcStatus.CANCELLED, "the call was closed");
  if (!stream.headersSent) respond(stream);
  if (stream.write(frame(...messages))) return;
  await drained(stream);
}

/**
 * One wait per stream for flow control to let go, shared by every sender it holds: a handler
 * sending from several tasks (FileSync reads many files at once) would otherwise add a pair of
 * listeners per task, and Node warns about a leak past ten.
 */
const drains = new WeakMap<ServerHttp2Stream, Promise<void>>();

function drained(stream: ServerHttp2Stream): Promise<void> {
  let wait = drains.get(stream);
  if (wait === undefined) {
    wait = new Promise<void>((resolve, reject) => {
      const done = () => {
        stream.off("drain", done);
        stream.off("close", done);
        drains.delete(stream);
        if (stream.closed && stream.writableLength > 0) reject(new GrpcError(GrpcStatus.CANCELLED, "the call was closed"));
        else resolve();
      };
      stream.on("drain", done);
      stream.on("close", done);
    });
    drains.set(stream, wait);
  }
  return wait;
}

/** Ends the call with its status: in trailers after messages, or trailers-only. */
function end(stream: ServerHttp2Stream, code: GrpcStatusCode, message: string): void {
  if (stream.closed || stream.destroyed) return;
  if (!stream.headersSent) {
    respond(stream, { code, message });
    return;
  }
  const trailers: Record<string, string> = { "grpc-status": String(code) };
  if (message) trailers["grpc-message"] = encodeStatusMessage(message);
  stream.once("wantTrailers", () => stream.sendTrailers(trailers));
  stream.end();
}
