import type { Duplex } from "node:stream";
import type { EngineEndpoint } from "../config/endpoint.js";
import { bracket } from "../config/host.js";
import { DockerConfigError } from "../core/errors.js";
import { drain, readText } from "./body.js";
import { limitError } from "../core/errors.js";
import { closedError, connectionError, headOverflow } from "./errors.js";
import { openSocket } from "./socket.js";
import type { Transport, TransportRequest, TransportResponse } from "./types.js";

/** Bun's fetch extensions: a unix socket path and TLS material. */
interface BunRequestInit extends RequestInit {
  unix?: string;
  tls?: { ca?: unknown; cert?: unknown; key?: unknown; rejectUnauthorized?: boolean; serverName?: string };
  decompress?: boolean;
  duplex?: "half";
}

/**
 * Transport for Bun. Bun ignores undici's `socketPath`, but its native fetch speaks HTTP over a
 * unix socket with the `unix` option, and it is Bun's fastest client anyway.
 */
export class BunTransport implements Transport {
  readonly host: string;
  readonly basePath: string;
  readonly #endpoint: EngineEndpoint;
  readonly #base: string;
  readonly #init: BunRequestInit;
  /** The `responseHead` limit. Bun's fetch has no such setting, so the head is measured once received. */
  readonly #maxHead: number;
  /** Ends every exchange in progress when the transport is destroyed (Bun's pool is its own). */
  readonly #closer = new AbortController();
  #closed = false;

  constructor(endpoint: EngineEndpoint, maxHead: number) {
    this.host = endpoint.host;
    this.#maxHead = maxHead;
    this.basePath = (endpoint.kind === "tcp" && endpoint.basePath) || "";
    this.#endpoint = endpoint;
    if (endpoint.kind === "unix") {
      this.#base = "http://localhost";
      this.#init = { unix: endpoint.socketPath };
    } else if (endpoint.kind === "tcp") {
      this.#base = `${endpoint.tls ? "https" : "http"}://${bracket(endpoint.hostname)}:${endpoint.port}`;
      const tls = endpoint.tls;
      this.#init = tls
        ? {
            tls: {
              ca: tls.ca,
              cert: tls.cert,
              key: tls.key,
              rejectUnauthorized: tls.rejectUnauthorized,
              ...(tls.servername ? { serverName: tls.servername } : {}),
            },
          }
        : {};
    } else {
      throw new DockerConfigError(`The Bun transport cannot reach ${endpoint.host}`);
    }
  }

  async request(req: TransportRequest): Promise<TransportResponse> {
    if (this.#closed) throw closedError(this.host);
    const body = req.body;
    const closer = this.#closer.signal;
    const signal = req.signal ? AbortSignal.any([req.signal, closer]) : closer;
    const init: BunRequestInit = {
      ...this.#init,
      method: req.method,
      headers: req.headers,
      // Bun's fetch takes async iterables as streaming bodies.
      body: body as RequestInit["body"],
      signal,
      redirect: "manual",
      decompress: false,
    };
    if (body !== undefined && typeof body !== "string" && !(body instanceof Uint8Array)) init.duplex = "half";
    let res: Response;
    try {
      res = await fetch(this.#base + this.basePath + req.path, init);
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason;
      throw closer.aborted ? closedError(this.host) : (headOverflow(err, this.#maxHead) ?? connectionError(err, this.host));
    }
    const headers: Record<string, string> = {};
    // The head as sent: the status line, then a `name: value` line per header, then a blank line.
    let head = 17 + res.statusText.length;
    res.headers.forEach((value, name) => {
      headers[name] = value;
      head += name.length + value.length + 4;
    });
    if (head > this.#maxHead) {
      await res.body?.cancel().catch(() => undefined);
      throw limitError("responseHead", this.#maxHead, head, {});
    }
    // No body (204, 304): an already-closed stream, so reading or draining it ends at once.
    const empty = () => new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
    const stream = (res.body ?? empty()) as ReadableStream<Uint8Array> & AsyncIterable<Uint8Array>;
    return {
      status: res.status,
      headers,
      body: stream,
      text: (limit) => readText(stream, limit, headers["content-length"]),
      discard: () => drain(stream),
    };
  }

  connect(signal?: AbortSignal): Promise<Duplex> {
    return openSocket(this.#endpoint, signal);
  }

  async close(): Promise<void> {
    // Bun pools fetch connections itself; nothing to release here.
    this.#closed = true;
  }

  async destroy(): Promise<void> {
    this.#closed = true;
    this.#closer.abort(closedError(this.host));
  }
}
