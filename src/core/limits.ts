import { constants } from "node:buffer";
import { DockerArgumentError, DockerConfigError } from "./errors.js";

/**
 * How large the parts of an answer the client holds in memory may be, in bytes. A daemon (or
 * anything between it and the client) that sends more gets a `DockerLimitError`, and the
 * connection is closed rather than reused; the process never buffers without bound.
 */
export interface DockerLimits {
  /**
   * A whole JSON answer (inspect, list, info, …). Default 128 MiB; at most V8's longest string
   * (about 512 MiB), since the answer is parsed from one. A `Content-Length` above it is refused
   * before any of the body is read.
   */
  jsonBody: number;
  /** One line of a JSON-lines stream (events, stats, pull/push/build progress). Default 16 MiB. */
  jsonLine: number;
  /**
   * The largest frame of multiplexed container output (logs, attach, exec) held until it is
   * complete, so that each frame the daemon wrote is handed out whole. A frame declaring more
   * (the daemon writes at most 32 KiB) is handed out in pieces as its bytes arrive, never
   * buffered whole; only an error frame larger than this is refused. Default 1 MiB.
   */
  outputFrame: number;
  /**
   * The response head (status line and headers). Default 64 KiB (the daemon's are well under
   * 1 KiB). A client-wide setting only: pooled connections parse every head with the same limit.
   */
  responseHead: number;
}

/** The limits one call may change (`RequestOptions.limits`); unset ones keep the client's. */
export type CallLimits = Partial<Omit<DockerLimits, "responseHead">>;

/** Defaults: far above what a daemon sends, far below what would exhaust memory or V8's string size. */
export const DEFAULT_LIMITS: Readonly<DockerLimits> = Object.freeze({
  jsonBody: 128 << 20,
  jsonLine: 16 << 20,
  outputFrame: 1 << 20,
  responseHead: 64 << 10,
});

/**
 * The daemon's error bodies are short; anything longer is a proxy page or a bug. Past this the
 * body is dropped and the status alone tells what happened. @internal
 */
export const ERROR_BODY_LIMIT = 1 << 20;

/** Limits read as one string: longer cannot be decoded at all. */
const STRING_LIMITED: ReadonlySet<keyof DockerLimits> = new Set(["jsonBody", "jsonLine"]);

/** Checks given limits (whole numbers of bytes, at least 1); `where` names the option in the error. */
function checked(given: Partial<DockerLimits>, where: string, Failure: typeof DockerConfigError): Partial<DockerLimits> {
  if (typeof given !== "object" || given === null) throw new Failure(`${where} must be an object of byte counts`);
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) continue;
    if (!(name in DEFAULT_LIMITS)) {
      throw new Failure(`${where}.${name} is not a limit (known: ${Object.keys(DEFAULT_LIMITS).join(", ")})`);
    }
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
      throw new Failure(`${where}.${name} must be a whole number of bytes of at least 1, got ${String(value)}`);
    }
    if (STRING_LIMITED.has(name as keyof DockerLimits) && value > constants.MAX_STRING_LENGTH) {
      throw new Failure(`${where}.${name} cannot exceed ${constants.MAX_STRING_LENGTH} bytes, the longest string this runtime can hold`);
    }
  }
  return given;
}

/** The client's limits: its option over the defaults, checked when the client is made. */
export function clientLimits(given: Partial<DockerLimits> | undefined): Readonly<DockerLimits> {
  if (given === undefined) return DEFAULT_LIMITS;
  return Object.freeze({ ...DEFAULT_LIMITS, ...defined(checked(given, "limits", DockerConfigError)) });
}

/**
 * One call's limits: its own over the client's. Without any of its own, the client's object
 * itself (no allocation on the hot path).
 */
export function callLimits(client: Readonly<DockerLimits>, given: CallLimits | undefined): Readonly<DockerLimits> {
  if (given === undefined) return client;
  if (typeof given === "object" && given !== null && "responseHead" in given) {
    throw new DockerArgumentError("limits.responseHead is a client option (new Docker({ limits: { responseHead } })), not a call's");
  }
  return { ...client, ...defined(checked(given, "limits", DockerArgumentError)) };
}

/** Drops keys given as `undefined`, so that they keep the value beneath. */
function defined(given: Partial<DockerLimits>): Partial<DockerLimits> {
  const out: Partial<DockerLimits> = {};
  for (const [name, value] of Object.entries(given)) if (value !== undefined) out[name as keyof DockerLimits] = value as number;
  return out;
}
