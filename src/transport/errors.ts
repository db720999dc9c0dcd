import {
  DockerClientClosedError,
  DockerConnectionError,
  DockerError,
  DockerLimitError,
  DockerTLSError,
  limitError,
  type ConnectionFailure,
  type RequestFacts,
} from "../core/errors.js";
import type { EngineEndpoint } from "../config/endpoint.js";

const REASONS: Record<string, ConnectionFailure> = {
  ENOENT: "no-such-socket",
  ENOTDIR: "no-such-socket",
  EACCES: "permission-denied",
  EPERM: "permission-denied",
  ECONNREFUSED: "refused",
  ECONNRESET: "reset",
  EPIPE: "reset",
  ETIMEDOUT: "timed-out",
  UND_ERR_CONNECT_TIMEOUT: "timed-out",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  UND_ERR_SOCKET: "closed",
  UND_ERR_CLOSED: "closed",
  ERR_STREAM_PREMATURE_CLOSE: "closed",
};

const EXPLANATIONS: Record<ConnectionFailure, string> = {
  "no-such-socket": "no such socket (is the Docker daemon running?)",
  "permission-denied": "permission denied (is this user allowed to use the Docker socket?)",
  refused: "connection refused (is the Docker daemon listening there?)",
  reset: "connection reset by the daemon",
  "timed-out": "timed out while connecting",
  dns: "host name could not be resolved",
  tls: "TLS handshake failed",
  closed: "the daemon closed the connection before answering",
  other: "connection failed",
};

function errorCode(err: unknown): string | undefined {
  // Node puts the system code on the error itself; undici sometimes wraps it in `cause`.
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

function isTLSCode(code: string): boolean {
  return (
    code.startsWith("ERR_TLS") ||
    code.startsWith("ERR_SSL") ||
    code === "EPROTO" ||
    /CERT|SELF_SIGNED|UNABLE_TO_|LEAF_SIGNATURE/.test(code)
  );
}

/** What broke when the connection failed after the daemon had begun its answer. */
const MIDWAY: Partial<Record<ConnectionFailure, string>> = {
  closed: "the daemon closed the connection",
  reset: "the connection was reset",
};

/**
 * Turns a low-level socket/HTTP failure into a {@link DockerConnectionError} that names the host
 * and says why in plain words. With `answering`, the daemon had begun its answer, so the message
 * says the connection was lost mid-way rather than never made. DockerErrors pass through
 * unchanged, except that a connection error raised without the request's facts gains them.
 */
export function connectionError(err: unknown, host: string, facts: RequestFacts = {}, answering = false): DockerError {
  if (err instanceof DockerConnectionError && err.path === undefined && facts.path !== undefined) {
    const Class = err.constructor as typeof DockerConnectionError;
    return new Class(err.message, { ...facts, host: err.host, reason: err.reason, cause: err.cause });
  }
  if (err instanceof DockerLimitError && err.path === undefined && facts.path !== undefined) {
    return limitError(err.limit, err.maximum, err.size, { ...facts, cause: err.cause });
  }
  if (err instanceof DockerError) return err;
  const code = errorCode(err) ?? "";
  const tls = isTLSCode(code);
  const reason: ConnectionFailure = tls ? "tls" : (REASONS[code] ?? "other");
  const detail = reason === "other" || tls ? (err instanceof Error && err.message ? `: ${err.message}` : "") : "";
  // Before the engine is resolved there is no address to name.
  const at = host ? ` at ${host}` : "";
  const message = answering
    ? `Lost the connection to the Docker daemon${at} while reading the answer${facts.path ? ` to ${facts.method} ${facts.path}` : ""}: ${MIDWAY[reason] ?? EXPLANATIONS[reason]}${detail}`
    : `Cannot connect to the Docker daemon${at}: ${EXPLANATIONS[reason]}${detail}`;
  const Class = tls ? DockerTLSError : DockerConnectionError;
  return new Class(message, { ...facts, host, reason, cause: err });
}

/**
 * A daemon run with `--tlsverify` that gets no client certificate completes the TLS 1.3
 * handshake, then hangs up before answering; its alert may arrive after the hang-up, leaving only
 * "connection closed". When we indeed sent no certificate, say what most likely happened.
 */
export function missingClientCertError(err: unknown, endpoint: EngineEndpoint): DockerTLSError | undefined {
  if (endpoint.kind !== "tcp" || !endpoint.tls || endpoint.tls.cert !== undefined) return undefined;
  const code = errorCode(err) ?? "";
  const hungUp = code === "UND_ERR_SOCKET" && (err as { socket?: { bytesRead?: number } }).socket?.bytesRead === 0;
  if (!hungUp && !/CERTIFICATE_REQUIRED|BAD_CERTIFICATE/.test(code)) return undefined;
  const message =
    `Cannot connect to the Docker daemon at ${endpoint.host}: it closed the TLS connection without answering; ` +
    "it probably requires a client certificate and none is configured (cert.pem and key.pem in DOCKER_CERT_PATH, or the tls option's cert and key)";
  return new DockerTLSError(message, { host: endpoint.host, reason: "tls", cause: err });
}

/**
 * The daemon's response head was longer than the HTTP client takes: undici past `maxHeaderSize`
 * (given `maxHead`), Bun's fetch past its own fixed cap (about 1 MiB). A limit error rather than
 * a lost connection.
 */
export function headOverflow(err: unknown, maxHead: number): DockerLimitError | undefined {
  const code = errorCode(err);
  if (code !== "UND_ERR_HEADERS_OVERFLOW" && code !== "ResponseHeadersTooLarge") return undefined;
  return limitError("responseHead", maxHead, undefined, { cause: err });
}

/** A request made through a transport that was closed: the client it belongs to is. */
export function closedError(host: string, facts: RequestFacts = {}): DockerClientClosedError {
  return new DockerClientClosedError(`The client for ${host} is closed`, facts);
}
