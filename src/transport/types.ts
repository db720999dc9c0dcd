import type { Duplex } from "node:stream";
import type { BodyLimit } from "./body.js";

/** A request body the transport can send without buffering it whole. */
export type RequestBody = string | Uint8Array | AsyncIterable<Uint8Array>;

/** One HTTP exchange, already serialised by the request core. */
export interface TransportRequest {
  method: string;
  /** Path plus query string, e.g. `/v1.47/containers/json?all=1`. */
  path: string;
  headers: Record<string, string>;
  body?: RequestBody | undefined;
  signal?: AbortSignal | undefined;
  /**
   * The answer is a stream, or the daemon may take long to give it (`containers.wait`): it goes
   * on the streams' connections, so it never holds one that calls wait for.
   */
  stream?: boolean | undefined;
}

/** The daemon's answer: status and headers, with the body still unread. */
export interface TransportResponse {
  status: number;
  /** Lower-case header names; repeated headers are joined with `, `. */
  headers: Record<string, string | undefined>;
  /** The body as byte chunks; stopping iteration early closes the connection. */
  body: AsyncIterable<Uint8Array>;
  /** Reads the body as UTF-8 text, failing past `limit` (its connection is then closed, not reused). */
  text(limit: BodyLimit): Promise<string>;
  /** Drops the body so the connection can be reused. */
  discard(): Promise<void>;
}

/** Moves bytes to one engine. The only layer that touches sockets. */
export interface Transport {
  /** Display form of the engine address, e.g. `unix:///var/run/docker.sock`. */
  readonly host: string;
  /** Path prefix of an engine behind a proxy (`tcp://host:port/prefix`), or `""`. Hijacked requests need it too. */
  readonly basePath: string;
  request(req: TransportRequest): Promise<TransportResponse>;
  /** Opens a fresh raw connection for a hijacked (upgraded) exchange. */
  connect(signal?: AbortSignal): Promise<Duplex>;
  /** Closes pooled connections once the exchanges on them are done; later requests are refused. */
  close(): Promise<void>;
  /**
   * Closes every pooled connection now: exchanges in progress or waiting for a connection fail.
   * Later requests are refused. (Hijacked connections are their callers' to end.)
   */
  destroy(): Promise<void>;
}
