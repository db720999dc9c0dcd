/**
 * Every error dockhand throws is a {@link DockerError}. HTTP failures get one subclass per
 * status the daemon uses (picked by {@link errorForStatus}); failures that never produced a
 * status (connection, timeout, abort, version, stream, configuration) have their own classes.
 */

import type { components } from "../../generated/engine.js";

/** Facts about the request an error belongs to. Never includes headers or bodies (they may hold secrets). */
export interface RequestFacts {
  /** The Engine API operation, by its operationId (e.g. `ContainerLogs`). */
  operation?: string;
  /** HTTP method, e.g. `POST`. */
  method?: string;
  /** Path without the query string; ids are already encoded. */
  path?: string;
  /** API version the request used, e.g. `1.47`. */
  apiVersion?: string;
}

/** Options accepted by every dockhand error constructor. */
export interface DockerErrorOptions extends RequestFacts {
  /** HTTP status of the daemon's answer, when there was one. */
  statusCode?: number;
  /** The underlying failure, kept as the error's `cause`. */
  cause?: unknown;
}

/** Base class of every error dockhand throws. */
export class DockerError extends Error {
  /** HTTP status from the daemon, or `undefined` when no response was received. */
  readonly statusCode: number | undefined;
  /** The Engine API operation (operationId, e.g. `ContainerLogs`) of the failed request, when there was one. */
  readonly operation: string | undefined;
  /** HTTP method of the failed request, when there was one. */
  readonly method: string | undefined;
  /** Request path (no query string), when there was one. */
  readonly path: string | undefined;
  /** API version the request used, when known. */
  readonly apiVersion: string | undefined;

  constructor(message: string, options: DockerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.statusCode = options.statusCode;
    this.operation = options.operation;
    this.method = options.method;
    this.path = options.path;
    this.apiVersion = options.apiVersion;
  }
}

/** The daemon answered with an error status. `message` is the daemon's own message. */
export class DockerAPIError extends DockerError {
  declare readonly statusCode: number;
}

/** 400: the daemon rejected the parameters. */
export class BadRequestError extends DockerAPIError {}
/** 401: registry or daemon authentication failed. */
export class UnauthorizedError extends DockerAPIError {}
/** 403: the operation is not allowed (e.g. by an authorization plugin). */
export class ForbiddenError extends DockerAPIError {}
/** 404: no such object (container, image, network, volume, …). */
export class NotFoundError extends DockerAPIError {}
/** 409: the object's state conflicts with the request (e.g. removing a running container). */
export class ConflictError extends DockerAPIError {}
/** 412: a precondition failed. */
export class PreconditionFailedError extends DockerAPIError {}
/** 429: too many requests (registry rate limit relayed by the daemon). */
export class TooManyRequestsError extends DockerAPIError {}
/** 500: the daemon failed internally. */
export class InternalServerError extends DockerAPIError {}
/** 501: the daemon does not implement this (e.g. swarm call on a non-swarm node with some engines). */
export class NotImplementedError extends DockerAPIError {}
/** 503: the daemon or a dependency is unavailable (e.g. node is not a swarm manager). */
export class ServiceUnavailableError extends DockerAPIError {}

const STATUS_CLASSES: Record<number, typeof DockerAPIError> = {
  400: BadRequestError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  412: PreconditionFailedError,
  429: TooManyRequestsError,
  500: InternalServerError,
  501: NotImplementedError,
  503: ServiceUnavailableError,
};

/** Builds the error subclass matching `statusCode` (falls back to {@link DockerAPIError}). */
export function errorForStatus(
  statusCode: number,
  message: string,
  facts: RequestFacts & { cause?: unknown } = {},
): DockerAPIError {
  const Class = STATUS_CLASSES[statusCode] ?? DockerAPIError;
  return new Class(message, { ...facts, statusCode });
}


/** The daemon's message from an error body: `{"message": …}` when JSON, the text otherwise. @internal */
export function errorMessage(status: number, contentType: string | undefined, text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      const parsed = JSON.parse(trimmed) as { message?: unknown };
      if (typeof parsed.message === "string" && parsed.message) return parsed.message;
    } catch {
      // Not JSON after all; fall through to the text.
    }
  }
  if (trimmed && !contentType?.includes("html")) return trimmed.slice(0, 2000);
  return `The daemon answered HTTP ${status}${trimmed ? " with an HTML page (a proxy in the way?)" : " with no message"}`;
}

/** Why a connection failed, in words a user can act on. */
export type ConnectionFailure =
  | "no-such-socket"
  | "permission-denied"
  | "refused"
  | "reset"
  | "timed-out"
  | "dns"
  | "tls"
  | "closed"
  | "other";

/** Options for {@link DockerConnectionError}. */
export interface DockerConnectionErrorOptions extends DockerErrorOptions {
  /** Where we tried to connect, e.g. `unix:///var/run/docker.sock` (never with credentials). */
  host: string;
  /** Why the connection failed. */
  reason: ConnectionFailure;
}

/** The daemon could not be reached, or the connection broke before a full answer arrived. */
export class DockerConnectionError extends DockerError {
  /** Where we tried to connect. */
  readonly host: string;
  /** Classified cause. */
  readonly reason: ConnectionFailure;
  constructor(message: string, options: DockerConnectionErrorOptions) {
    super(message, options);
    this.host = options.host;
    this.reason = options.reason;
  }
}

/** A TLS handshake or certificate check failed (wrong CA, missing client certificate, …). */
export class DockerTLSError extends DockerConnectionError {}

/** The request took longer than its `timeout`. */
export class DockerTimeoutError extends DockerError {
  /** The timeout that elapsed, in milliseconds. */
  readonly timeout: number;
  constructor(message: string, options: DockerErrorOptions & { timeout: number }) {
    super(message, options);
    this.timeout = options.timeout;
  }
}

/** The caller's AbortSignal fired. `cause` holds the signal's reason. */
export class DockerAbortError extends DockerError {}

/**
 * The client was closed (`docker.close()`, the end of an `await using` scope, or a graceful close
 * that ran out of time) while this call was open — a stream being read or not yet read, a hijacked
 * attach/exec, a call waiting for its answer — or the call was made after the close began. An
 * abort of a kind: code that treats {@link DockerAbortError} as "stopped on purpose" handles it too.
 */
export class DockerClientClosedError extends DockerAbortError {}

/** The negotiated (or pinned) API version cannot serve this call, or the daemon is too old. */
export class UnsupportedApiVersionError extends DockerError {
  /** Version the operation, parameter or client needs. */
  readonly requiredVersion: string;
  /** Version in use with the daemon. */
  readonly actualVersion: string;
  constructor(message: string, options: DockerErrorOptions & { requiredVersion: string; actualVersion: string }) {
    super(message, options);
    this.requiredVersion = options.requiredVersion;
    this.actualVersion = options.actualVersion;
  }
}

/** The daemon reported an error inside a stream (JSON-lines `error`, a systemerr frame, a failed exec). */
export class DockerStreamError extends DockerError {
  /** Machine-readable code from `errorDetail.code` when the daemon sent one. */
  readonly code: number | undefined;
  constructor(message: string, options: DockerErrorOptions & { code?: number } = {}) {
    super(message, options);
    this.code = options.code;
  }
}

/**
 * A build failed; `output` holds the output up to the failure and, for BuildKit, `step` names the
 * failed step. When the build's `outputs` could not be written on the client, `cause` is that
 * failure (an {@link ArchiveExtractError}, or the error writing a tar output).
 */
export class BuildError extends DockerStreamError {
  /**
   * Build output received before the failure: a classic build's text (its last MiB), or the
   * failed step's own output (stdout and stderr, its last 64 KiB) in a BuildKit build.
   */
  readonly output: string;
  /**
   * The BuildKit step that failed, as BuildKit names it (e.g. `[2/3] RUN make`); the message
   * starts with it. `undefined` for classic builds and failures outside a step.
   */
  readonly step: string | undefined;
  constructor(message: string, options: DockerErrorOptions & { code?: number; output: string; step?: string }) {
    super(message, options);
    this.output = options.output;
    this.step = options.step;
  }
}

/**
 * A registry refused the credentials the daemon used for the caller: a wrong password, none at
 * all, or an account not allowed to do this (pull, push, a build's base image, a plugin, a
 * distribution inspect, a login check). `message` is the daemon's text; `statusCode` is the
 * daemon's status when it answered with one (dockerd 20.10 says 500, later engines 401), and
 * `undefined` when the refusal came inside a progress stream. `cause` is the error dockhand
 * would otherwise have thrown (the status class, a {@link DockerStreamError} or a
 * {@link BuildError} with the build's output).
 */
export class RegistryAuthError extends DockerError {}

/** The daemon's answer could not be understood (malformed JSON, truncated frame, bad upgrade). */
export class DockerProtocolError extends DockerError {}

/** Which size limit an answer broke (see `DockerLimits`). */
export type LimitName = "jsonBody" | "jsonLine" | "outputFrame" | "responseHead";

/**
 * The daemon's answer was larger than a limit allows (`DockerLimits`): a JSON answer, one line of
 * a JSON-lines stream, an error frame of container output, or the response head. Nothing more of
 * the answer was read and its connection was closed, not reused. The message says how to raise
 * the limit, for an engine that really sends that much.
 */
export class DockerLimitError extends DockerProtocolError {
  /** The limit that was broken. */
  readonly limit: LimitName;
  /** The limit's value, in bytes. */
  readonly maximum: number;
  /**
   * The answer's size in bytes when known (a `Content-Length`); otherwise how much had arrived
   * when reading stopped — more than {@link DockerLimitError.maximum}, not the whole answer.
   */
  readonly size: number | undefined;
  constructor(message: string, options: DockerErrorOptions & { limit: LimitName; maximum: number; size?: number | undefined }) {
    super(message, options);
    this.limit = options.limit;
    this.maximum = options.maximum;
    this.size = options.size;
  }
}

/** What each limit bounds, for messages. */
const LIMITED: Record<LimitName, string> = {
  jsonBody: "JSON answer",
  jsonLine: "line of the JSON stream",
  outputFrame: "error frame of the output stream",
  responseHead: "response head",
};

/**
 * The {@link DockerLimitError} for an answer part of `size` bytes (`declared` when the daemon
 * announced it, else how much had arrived) past `maximum`. @internal
 */
export function limitError(
  limit: LimitName,
  maximum: number,
  size: number | undefined,
  facts: RequestFacts & { cause?: unknown },
  declared = false,
): DockerLimitError {
  const call = facts.path ? ` to ${facts.method ?? "a request"} ${facts.path}` : "";
  const seen = size === undefined ? "" : declared ? ` (it declared ${size} bytes)` : ` (${size} bytes had arrived)`;
  const raise =
    limit === "responseHead"
      ? `new Docker({ limits: { responseHead: … } })`
      : `new Docker({ limits: { ${limit}: … } }) or the call's { limits: { ${limit}: … } }`;
  const message =
    `The ${LIMITED[limit]}${call} is larger than the ${limit} limit of ${maximum} bytes${seen}; ` +
    `it was not read further and its connection was closed. If the engine really sends that much, raise the limit: ${raise}`;
  return new DockerLimitError(message, { ...facts, limit, maximum, size });
}

/** Why extracting a container's archive onto the host stopped (see {@link ArchiveExtractError}). */
export type ArchiveExtractFailure =
  /** An entry would land outside the target directory, or be written through a symlink. */
  | "unsafe-entry"
  /** An entry would replace a directory with a non-directory, or the reverse (as `docker cp` refuses). */
  | "conflict"
  /** The bytes are not a readable tar archive, or an entry contradicts the archive (a hard link to nothing). */
  | "malformed"
  /** Writing on the host failed (permissions, a full disk, a missing `mknod`, …); `cause` is the system error. */
  | "filesystem"
  /** The archive stopped arriving: the connection broke, the call was aborted or timed out; `cause` says which. */
  | "interrupted";

/** An archive entry that was not written on the host, and why. */
export interface SkippedArchiveEntry {
  /** The entry's path relative to the target directory, `/`-separated. */
  readonly path: string;
  /** The entry's tar type: `fifo`, `character-device`, `block-device`, or another the extractor does not create. */
  readonly type: string;
  /** Why it was not created, in words. */
  readonly reason: string;
}

/**
 * Extracting a container's archive into a host directory stopped before the end. Nothing after
 * {@link ArchiveExtractError.entry} was written; {@link ArchiveExtractError.written} lists what
 * was, so a caller can clean up or resume.
 */
export class ArchiveExtractError extends DockerError {
  /** What went wrong. */
  readonly reason: ArchiveExtractFailure;
  /** The host directory being extracted into. */
  readonly directory: string;
  /**
   * The entry at fault (`/`-separated, relative to {@link ArchiveExtractError.directory}), when
   * there is one. A refused entry was not written at all; one cut off by an interruption or a
   * host failure may be partly written.
   */
  readonly entry: string | undefined;
  /** Entries fully written before the failure, in archive order (relative, `/`-separated). */
  readonly written: readonly string[];
  /** Entries passed over before the failure (fifos, devices, …). */
  readonly skipped: readonly SkippedArchiveEntry[];
  constructor(
    message: string,
    options: DockerErrorOptions & {
      reason: ArchiveExtractFailure;
      directory: string;
      entry?: string;
      written: readonly string[];
      skipped: readonly SkippedArchiveEntry[];
    },
  ) {
    super(message, options);
    this.reason = options.reason;
    this.directory = options.directory;
    this.entry = options.entry;
    this.written = options.written;
    this.skipped = options.skipped;
  }
}

/** Configuration is invalid (bad DOCKER_HOST, unreadable TLS files, unknown context, …). Nothing was sent. */
export class DockerConfigError extends DockerError {}

/** Caller passed an invalid argument. Nothing was sent. */
export class DockerArgumentError extends DockerError {}

/** A credential helper (`docker-credential-*`) is missing, failed, or answered nonsense. */
export class CredentialHelperError extends DockerError {
  /** The helper's name (e.g. `desktop`), never the credentials. */
  readonly helper: string;
  constructor(message: string, options: DockerErrorOptions & { helper: string }) {
    super(message, options);
    this.helper = options.helper;
  }
}

/** One health check run, as the daemon records it. */
export type HealthCheckResult = NonNullable<components["schemas"]["HealthcheckResult"]>;

/** A container's health check reported `unhealthy` while something waited for it to become healthy. */
export class ContainerUnhealthyError extends DockerError {
  /** The container's id, as given to the wait. */
  readonly containerId: string;
  /** Consecutive failed checks when the wait gave up. */
  readonly failingStreak: number;
  /** The most recent check runs (the daemon keeps the last few), oldest first. */
  readonly log: readonly HealthCheckResult[];
  constructor(
    message: string,
    options: DockerErrorOptions & { containerId: string; failingStreak: number; log: readonly HealthCheckResult[] },
  ) {
    super(message, options);
    this.containerId = options.containerId;
    this.failingStreak = options.failingStreak;
    this.log = options.log;
  }
}

/** A container stopped while something waited for it (to become healthy, to print a line). */
export class ContainerExitedError extends DockerError {
  /** The container's id, as given to the wait. */
  readonly containerId: string;
  /** Its exit code, when the daemon reported one. */
  readonly exitCode: number | undefined;
  /** The end of its output, when the wait was reading it (last lines, stdout and stderr interleaved). */
  readonly output: string | undefined;
  constructor(message: string, options: DockerErrorOptions & { containerId: string; exitCode?: number; output?: string }) {
    super(message, options);
    this.containerId = options.containerId;
    this.exitCode = options.exitCode;
    this.output = options.output;
  }
}
