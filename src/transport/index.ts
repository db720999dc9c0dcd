import type { EngineEndpoint } from "../config/endpoint.js";
import { DEFAULT_LIMITS } from "../core/limits.js";
import { BunTransport } from "./bun.js";
import { DEFAULT_CONNECTIONS, DEFAULT_STREAM_CONNECTIONS } from "./limits.js";
import { SSH_POOL_SIZE } from "./ssh.js";
import type { Transport } from "./types.js";
import { UndiciTransport } from "./undici.js";

export type { Transport, TransportRequest, TransportResponse, RequestBody } from "./types.js";

/** Connection caps asked for by the client's options (unset ones take the defaults), and the longest response head. */
export interface TransportLimits {
  calls?: number | undefined;
  streams?: number | undefined;
  /** The `responseHead` limit; the default is {@link DEFAULT_LIMITS}'. */
  responseHead?: number | undefined;
}

/**
 * Picks the transport for this runtime. The only runtime check in the library lives here.
 * ssh goes through undici everywhere (Bun included): its pool takes our own connections, each
 * an ssh process, where Bun's fetch can only dial sockets itself. Bun's fetch keeps its own
 * connection limit (`BUN_CONFIG_MAX_HTTP_REQUESTS`, 256 by default), so the caps are undici's.
 */
export function createTransport(endpoint: EngineEndpoint, limits: TransportLimits = {}): Transport {
  const maxHead = limits.responseHead ?? DEFAULT_LIMITS.responseHead;
  if ("Bun" in globalThis && endpoint.kind !== "ssh") return new BunTransport(endpoint, maxHead);
  // Over ssh every connection is an ssh process: far fewer by default (see SSH_POOL_SIZE).
  const ssh = endpoint.kind === "ssh";
  return new UndiciTransport(
    endpoint,
    {
      calls: limits.calls ?? (ssh ? SSH_POOL_SIZE : DEFAULT_CONNECTIONS),
      streams: limits.streams ?? (ssh ? SSH_POOL_SIZE : DEFAULT_STREAM_CONNECTIONS),
    },
    maxHead,
  );
}
