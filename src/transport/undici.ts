import { createRequire } from "node:module";
import type { Duplex } from "node:stream";
import type { Socket } from "node:net";
import type { Dispatcher, Pool } from "undici";
import type { EngineEndpoint } from "../config/endpoint.js";
import { bracket } from "../config/host.js";
import type { DockerError } from "../core/errors.js";
import { drain, readText } from "./body.js";
import { closedError, connectionError, headOverflow, missingClientCertError } from "./errors.js";
import { openSocket } from "./socket.js";
import { plainTextToTLS, type HungUpSocket } from "./tls-probe.js";
import type { ConnectionLimits } from "./limits.js";
import { openSSH } from "./ssh.js";
import type { Transport, TransportRequest, TransportResponse } from "./types.js";

type RequestFn = (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

let undici: { Pool: typeof Pool; request: RequestFn } | undefined;

/**
 * Loads undici's pool and request API on first use. Requiring just these two modules costs a
 * fraction of the package index (which also loads fetch, WebSocket, caches …), and cold start of
 * short CI scripts is something we measure. The version is pinned in package.json for this reason.
 */
function loadUndici(): { Pool: typeof Pool; request: RequestFn } {
  if (!undici) {
    const require = createRequire(import.meta.url);
    undici = {
      Pool: require("undici/lib/dispatcher/pool.js") as typeof Pool,
      request: require("undici/lib/api/api-request.js") as RequestFn,
    };
  }
  return undici;
}

function origin(endpoint: EngineEndpoint): string {
  switch (endpoint.kind) {
    case "unix":
    case "npipe":
    case "ssh":
      // The daemon ignores the Host header; any stable name works over a socket.
      return "http://localhost";
    case "tcp": {
      return `${endpoint.tls ? "https" : "http"}://${bracket(endpoint.hostname)}:${endpoint.port}`;
    }
  }
}

function poolOptions(endpoint: EngineEndpoint, connections: number, maxHead: number): Pool.Options {
  const options: Pool.Options = {
    // Streams such as `events` or `logs --follow` may be silent for hours: timeouts are the
    // request core's job (per call), not a blanket socket idle limit.
    headersTimeout: 0,
    bodyTimeout: 0,
    keepAliveTimeout: 10_000,
    maxHeaderSize: maxHead,
    // Requests beyond the cap wait in the pool's queue for a free connection.
    connections: Number.isFinite(connections) ? connections : null,
  };
  if (endpoint.kind === "unix") options.socketPath = endpoint.socketPath;
  if (endpoint.kind === "npipe") options.socketPath = endpoint.path;
  if (endpoint.kind === "ssh") {
    // undici ignores a connector that answers synchronously: answer on the next microtask.
    options.connect = (_, callback) => {
      queueMicrotask(() => {
        try {
          callback(null, openSSH(endpoint) as Socket);
        } catch (err) {
          callback(err as Error, null);
        }
      });
    };
  }
  if (endpoint.kind === "tcp" && endpoint.tls) {
    const { ca, cert, key, rejectUnauthorized, servername } = endpoint.tls;
    options.connect = {
      ca: ca as string | undefined,
      cert: cert as string | undefined,
      key: key as string | undefined,
      rejectUnauthorized,
      ...(servername ? { servername } : {}),
    };
  }
  return options;
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name in raw) {
    const value = raw[name];
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/**
 * Transport for Node and Deno: keep-alive undici pools over a unix socket, named pipe, TCP or TLS.
 * Two pools, each capped with a queue: one for calls, one for streams (see {@link ConnectionLimits}),
 * so that open streams never hold the connections calls wait for.
 */
export class UndiciTransport implements Transport {
  readonly host: string;
  readonly basePath: string;
  readonly #endpoint: EngineEndpoint;
  readonly #origin: string;
  readonly #limits: ConnectionLimits;
  /** The `responseHead` limit, which undici applies to every head on the pools' connections. */
  readonly #maxHead: number;
  #calls: Pool | undefined;
  #streams: Pool | undefined;
  #closed = false;

  constructor(endpoint: EngineEndpoint, limits: ConnectionLimits, maxHead: number) {
    this.host = endpoint.host;
    this.basePath = (endpoint.kind === "tcp" && endpoint.basePath) || "";
    this.#endpoint = endpoint;
    this.#origin = origin(endpoint);
    this.#limits = limits;
    this.#maxHead = maxHead;
  }

  /** The pool for this request, made on first use. */
  #pool(stream: boolean): Pool {
    const { Pool } = loadUndici();
    if (stream) return (this.#streams ??= new Pool(this.#origin, poolOptions(this.#endpoint, this.#limits.streams, this.#maxHead)));
    return (this.#calls ??= new Pool(this.#origin, poolOptions(this.#endpoint, this.#limits.calls, this.#maxHead)));
  }

  async request(req: TransportRequest): Promise<TransportResponse> {
    if (this.#closed) throw closedError(this.host);
    const { request } = loadUndici();
    let res: Dispatcher.ResponseData;
    try {
      res = await request.call(this.#pool(req.stream === true), {
        method: req.method as Dispatcher.HttpMethod,
        path: this.basePath + req.path,
        headers: req.headers,
        body: req.body as Dispatcher.DispatchOptions["body"],
        signal: req.signal,
      });
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason;
      throw (
        headOverflow(err, this.#maxHead) ??
        missingClientCertError(err, this.#endpoint) ??
        (await this.#plainToTLS(err)) ??
        connectionError(err, this.host)
      );
    }
    const body = res.body;
    const headers = flattenHeaders(res.headers);
    return {
      status: res.statusCode,
      headers,
      body,
      text: (limit) => readText(body, limit, headers["content-length"]),
      discard: () => drain(body),
    };
  }

  /** A plain-TCP request hung up on before any answer: was it a TLS server? (See {@link plainTextToTLS}.) */
  async #plainToTLS(err: unknown): Promise<DockerError | undefined> {
    if (this.#endpoint.kind !== "tcp" || this.#endpoint.tls || (err as { code?: unknown }).code !== "UND_ERR_SOCKET") return undefined;
    return plainTextToTLS((err as { socket?: HungUpSocket }).socket, this.host, {}, err);
  }

  connect(signal?: AbortSignal): Promise<Duplex> {
    return openSocket(this.#endpoint, signal);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([this.#calls?.close(), this.#streams?.close()]);
  }

  async destroy(): Promise<void> {
    this.#closed = true;
    await Promise.all([this.#calls?.destroy(), this.#streams?.destroy()]);
  }
}
