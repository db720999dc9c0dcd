import type { Duplex } from "node:stream";
import { OPERATIONS } from "../../generated/operations.js";
import { closedError, connectionError } from "../transport/errors.js";
import { upgrade, type HijackRequest, type UpgradedConnection } from "../transport/hijack.js";
import { hijackedStream, type HijackedStream } from "../streams/stdio.js";
import type { CredentialLookupOptions } from "../auth/resolve.js";
import type { BodyLimit } from "../transport/body.js";
import type { Transport, TransportRequest, TransportResponse } from "../transport/types.js";
import { answerKind, readAnswer, type Answer, type CallOptions } from "./answer.js";
import { checkSupport } from "./compat.js";
import {
  DockerAbortError,
  DockerArgumentError,
  DockerClientClosedError,
  DockerError,
  DockerProtocolError,
  DockerTimeoutError,
  errorForStatus,
  errorMessage,
  type RequestFacts,
} from "./errors.js";
import { encodeQueryFilters } from "./filters.js";
import { Lifecycle, type GracefulCloseOptions } from "./lifecycle.js";
import { callLimits, DEFAULT_LIMITS, ERROR_BODY_LIMIT, type DockerLimits } from "./limits.js";
import { logRequest, type DockerLogger } from "./log.js";
import { Negotiator, pingInfo, type PingInfo } from "./negotiate.js";
import { registryAuthErrorOf } from "./registry-errors.js";
import type { CallInit, OperationId, RequestOptions } from "./types.js";
import { buildPath, buildQuery } from "./url.js";

/** A ping that hangs must not hang every later call waiting on negotiation. */
const DEFAULT_PING_TIMEOUT = 30_000;

/** Calls whose answer may take as long as a stream: they go on the streams' connections. */
const LONG_WAITS: ReadonlySet<OperationId> = new Set<OperationId>(["ContainerWait"]);

/** A call's request: a handshake header of an upgrade may repeat (given a list). */
export type UpgradeInit<I extends OperationId> = Omit<CallInit<I>, "headers"> & {
  headers?: Readonly<Record<string, string | readonly string[]>> | undefined;
};

/** Settings of the request core. */
export interface CoreOptions {
  /** Resolves the transport lazily, so finding the engine (discovery, contexts) costs nothing until used. */
  transport: () => Promise<Transport>;
  /** Fixed API version (skips negotiation). */
  apiVersion?: string | undefined;
  /** Default per-call timeout in milliseconds. */
  timeout?: number | undefined;
  userAgent?: string | undefined;
  /** Receives method, path, status and timing of every request; nothing is logged without it. */
  logger?: DockerLogger | undefined;
  /** Where registry credentials are looked up (the CLI config the client was created with). */
  credentials?: CredentialLookupOptions | undefined;
  /** The builder of builds that name none (`DockerOptions.builder`). */
  builder?: "buildkit" | "classic" | undefined;
  /** Size limits of answers (checked); calls may change all but `responseHead`. */
  limits?: Readonly<DockerLimits> | undefined;
}

/** An error body past {@link ERROR_BODY_LIMIT} is dropped: the status alone then says what happened. */
const ERROR_BODY: BodyLimit = {
  maximum: ERROR_BODY_LIMIT,
  exceeded: (size) => new DockerProtocolError(`The error body is larger than ${ERROR_BODY_LIMIT} bytes (${size} bytes)`),
};

/**
 * Signal handling of one call: the caller's signal and our timer (when a timeout is set) feed one
 * controller, which also lets the reader of a streamed body hang up at once ({@link CallSignal.hangUp}).
 */
class CallSignal {
  readonly signal: AbortSignal | undefined;
  readonly #controller: AbortController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #unlink: (() => void) | undefined;
  timedOut = false;
  /** The request, once known: a timeout's abort reason names it. */
  facts: RequestFacts = {};
  /** The timeout is the call's own, which bounds all of it (see {@link CallSignal.answered}). */
  throughout = false;
  /** Set once the client was closed while this call was open. */
  closed = false;
  /** Stops counting the call as open (see {@link Lifecycle.track}). */
  untrack: (() => void) | undefined;

  /**
   * `stoppable`: the caller may stop reading a streamed body (or owns a hijacked connection), so
   * the exchange needs a controller of its own. A whole-body call with neither a caller signal
   * nor a timeout needs none, and creating one (plus undici's abort listener) costs every call.
   */
  constructor(
    readonly user: AbortSignal | undefined,
    readonly timeout: number | undefined,
    stoppable = true,
  ) {
    if (!stoppable && !(timeout !== undefined && timeout > 0)) {
      this.signal = user;
      return;
    }
    const controller = (this.#controller = new AbortController());
    this.signal = controller.signal;
    if (timeout !== undefined && timeout > 0) {
      this.#timer = setTimeout(() => {
        this.timedOut = true;
        // A DockerTimeoutError as the reason lets a hijacked connection report the timeout as such.
        controller.abort(this.#timeoutError(undefined));
      }, timeout);
    }
    if (user?.aborted) controller.abort(user.reason);
    else if (user) {
      const onAbort = () => controller.abort(user.reason);
      user.addEventListener("abort", onAbort, { once: true });
      this.#unlink = () => user.removeEventListener("abort", onAbort);
    }
  }

  /**
   * The reader stopped early: abort the exchange so the transport drops the connection now, even
   * while a read is pending (an iterator's own `return()` would wait for that read to finish).
   */
  hangUp(): void {
    this.release();
    this.#controller?.abort(new Error("The response body was closed by its reader"));
  }

  /**
   * The daemon's answer head arrived: a default timeout ends here, so that long-lived streams and
   * connections are not cut by it; a call's own timeout (`throughout`) keeps running until the
   * body is read or the connection closed. The caller's signal keeps working until `release`.
   */
  answered(): void {
    if (!this.throughout) clearTimeout(this.#timer);
  }

  release(): void {
    clearTimeout(this.#timer);
    this.#unlink?.();
    this.#unlink = undefined;
    this.untrack?.();
    this.untrack = undefined;
  }

  /**
   * The client was closed: end the call now. A hijacked connection reports the abort reason as
   * its error; everything else goes through {@link CallSignal.classify}. A call without a
   * controller (a whole-body call with neither signal nor timeout) ends when the transport is
   * destroyed right after.
   */
  close(): void {
    this.release();
    this.closed = true;
    this.#controller?.abort(closedCall(this.facts));
  }

  /**
   * Turns a failure into the right dockhand error, knowing which signal fired; `answering` when
   * the daemon had begun its answer (the connection broke mid-body, not before).
   */
  classify(err: unknown, facts: RequestFacts, host: string, answering = false): DockerError {
    if (this.timedOut) return this.#timeoutError(err, facts);
    if (this.closed) return closedCall(facts);
    if (this.user?.aborted || this.signal?.aborted) {
      return new DockerAbortError(`${describe(facts)} was aborted`, { ...facts, cause: this.user?.reason ?? err });
    }
    return connectionError(err, host, facts, answering);
  }

  #timeoutError(cause: unknown, facts = this.facts): DockerTimeoutError {
    const timeout = this.timeout ?? 0;
    return new DockerTimeoutError(`${describe(facts)} timed out after ${timeout} ms`, { ...facts, timeout, cause });
  }
}

function describe(facts: RequestFacts): string {
  return `${facts.method ?? "Request"} ${facts.path ?? ""}`.trim();
}

function closedCall(facts: RequestFacts): DockerClientClosedError {
  return new DockerClientClosedError(`${describe(facts)} was ended: the client was closed`, { ...facts });
}

/**
 * The one path every call takes: negotiate the version, build the URL from the generated
 * operation table, send through the transport, and turn error statuses into typed errors.
 */
export class RequestCore {
  readonly negotiator: Negotiator;
  readonly #options: CoreOptions;
  #transport: Promise<Transport> | undefined;
  /** Display address of the engine, known once the transport is resolved. */
  #host = "";
  /**
   * Where registry credentials are looked up for calls through this core. Without a config
   * directory or env they follow `DOCKER_CONFIG` (else `~/.docker`) of `process.env`.
   */
  readonly credentials: CredentialLookupOptions;
  /** Open calls, and closing. */
  readonly #lifecycle: Lifecycle;
  /** The client's default builder, if it set one. */
  readonly builder: "buildkit" | "classic" | undefined;
  /** The client's answer size limits. */
  readonly #limits: Readonly<DockerLimits>;

  constructor(options: CoreOptions) {
    this.#options = options;
    this.#limits = options.limits ?? DEFAULT_LIMITS;
    this.credentials = options.credentials ?? {};
    this.builder = options.builder;
    this.negotiator = new Negotiator((signal) => this.#ping({ signal }).then((r) => r.info), options.apiVersion);
    this.#lifecycle = new Lifecycle(async (graceful) => {
      const transport = await this.#transport?.catch(() => undefined);
      await (graceful ? transport?.close() : transport?.destroy());
    });
  }

  /** The engine's transport, resolved once (a failed resolution is retried next time). */
  transport(): Promise<Transport> {
    if (this.#lifecycle.closed) return Promise.reject(closedError(this.#host));
    this.#transport ??= this.#options.transport().then(
      (t) => {
        this.#host = t.host;
        return t;
      },
      (err: unknown) => {
        this.#transport = undefined;
        throw err;
      },
    );
    return this.#transport;
  }

  /**
   * Closes at once: every open call ends with a {@link DockerClientClosedError} (streams, hijacked
   * connections, calls waiting for an answer or a connection), the pool is destroyed, and later
   * calls are refused.
   */
  close(): Promise<void> {
    return this.#lifecycle.close();
  }

  /** Refuses new calls, waits for open ones to finish (within `options`), then closes the pool. */
  closeGracefully(options?: GracefulCloseOptions): Promise<void> {
    return this.#lifecycle.closeGracefully(options);
  }

  /** A call made once closing began: refused before anything is sent. */
  #refuse(op: OperationId): DockerClientClosedError | undefined {
    if (this.#lifecycle.open) return undefined;
    return new DockerClientClosedError(`${op} was not sent: the client is closed`, { operation: op, method: OPERATIONS[op].method });
  }

  /** Counts `call` as open until it is released (its answer read, its connection closed). */
  #track(call: CallSignal): CallSignal {
    call.untrack = this.#lifecycle.track(call);
    return call;
  }

  /**
   * Pings the daemon without a version prefix: `HEAD /_ping`, falling back to `GET` as the Go
   * client does for daemons or proxies that mishandle HEAD.
   */
  async ping(options: RequestOptions = {}): Promise<{ info: PingInfo; status: number }> {
    const refused = this.#refuse("SystemPing");
    if (refused) throw refused;
    return this.#ping(options);
  }

  /** {@link RequestCore.ping}, also for the version negotiation of calls already under way. */
  async #ping(options: RequestOptions): Promise<{ info: PingInfo; status: number }> {
    const timeout = options.timeout ?? this.#options.timeout ?? DEFAULT_PING_TIMEOUT;
    const head = OPERATIONS.SystemPingHead;
    const headFacts = { operation: "SystemPingHead", method: head.method, path: head.path };
    let res = await this.#exchange(head.method, head.path, {}, undefined, this.#track(new CallSignal(options.signal, timeout)), headFacts);
    if (res.status !== 200) {
      await res.discard().catch(() => {});
      const get = OPERATIONS.SystemPing;
      const facts = { operation: "SystemPing", method: get.method, path: get.path };
      res = await this.#exchange(get.method, get.path, {}, undefined, this.#track(new CallSignal(options.signal, timeout)), facts);
      if (failed(res.status)) throw await this.#statusError(res, facts);
    }
    // Reading the (empty) body to its end is what stops the call's timer; a pending timer would
    // keep the process alive for the whole ping timeout.
    await res.discard();
    const info = pingInfo(res.headers);
    this.negotiator.learn(info);
    return { info, status: res.status };
  }

  /**
   * Sends one operation and hands back its answer, read as the generated table says the
   * operation answers (see {@link Answer}): parsed JSON, nothing, {@link Changed} or
   * {@link NotModified}, a JSON-lines stream, container output, bytes, or a connection switched
   * to another protocol. Every error, raised now or while reading a stream later, carries the
   * call's operation, method, encoded path and API version. `options` may add the few quirks
   * that are a resource's to know ({@link CallOptions}).
   */
  async call<I extends OperationId, O extends CallOptions = RequestOptions>(
    op: I,
    init: UpgradeInit<I>,
    options?: O,
  ): Promise<Answer<I, O>> {
    const given: CallOptions = options ?? {};
    const kind = given.as ?? answerKind(op);
    const limits = callLimits(this.#limits, given.limits);
    if (kind === "upgrade") return (await this.#upgrade(op, init, given)) as Answer<I, O>;
    if (given.hijack) return (await this.#hijack(op, init, given, limits)) as Answer<I, O>;
    const whole = kind === "json" || kind === "none" || kind === "changed";
    const { res, facts } = await this.#send(op, init as CallInit<I>, given, whole);
    return (await readAnswer(op, kind, res, facts, given, limits)) as Answer<I, O>;
  }

  /**
   * Sends one operation and returns the response once the daemon answered with success (or 304).
   * With `whole`, any timeout also covers reading the body (JSON and empty answers). For a stream, a call's own timeout covers reading it to the end, and the
   * client's default ends once the daemon answered with success (an error body is read within
   * either).
   */
  async #send<I extends OperationId>(op: I, init: CallInit<I>, options: RequestOptions, whole: boolean) {
    const call = this.#call(op, options, !whole);
    const { method, url, headers, body, facts } = await this.#prepare(op, init, call);
    const res = await this.#exchange(method, url, headers, body, call, facts, !whole || LONG_WAITS.has(op));
    if (failed(res.status)) throw registryAuthErrorOf(op, await this.#statusError(res, facts));
    if (!whole) call.answered();
    return { res, facts };
  }

  /**
   * The signal of one call. `timeout` has one meaning: a call's own bounds the whole call (a
   * stream read to its end, a hijacked connection until it closes); the client's default applies
   * to each call only until the daemon's answer head arrives, so it never cuts a long stream.
   */
  #call(op: OperationId, options: RequestOptions, stoppable = true): CallSignal {
    const refused = this.#refuse(op);
    if (refused) throw refused;
    const call = new CallSignal(options.signal, options.timeout ?? this.#options.timeout, stoppable);
    call.throughout = options.timeout !== undefined;
    return this.#track(call);
  }

  /**
   * Sends an operation on a connection of its own and takes the connection over (attach, exec
   * start with stdin): the daemon answers 101 and the socket becomes the process's stdio. The
   * TTY setting must be known before: it decides how the output is read.
   */
  async #hijack<I extends OperationId>(
    op: I,
    init: UpgradeInit<I>,
    options: CallOptions,
    limits: Readonly<DockerLimits>,
  ): Promise<HijackedStream> {
    const tty = typeof options.tty === "function" ? await options.tty() : (options.tty ?? false);
    return this.#raw(op, init, options, async (connect, request, signal, onClose, facts) => {
      const connection = await upgrade(connect, request, { signal, host: this.#host, onClose, facts, maxHead: limits.responseHead });
      return hijackedStream(connection, { tty, wrapOutput: options.wrapOutput, signal, maxFrame: limits.outputFrame });
    });
  }

  /**
   * Sends an operation on a connection of its own asking to switch protocols (`init.headers`
   * carry `Upgrade` and the protocol's handshake, e.g. websocket) and hands over the connection.
   */
  async #upgrade<I extends OperationId>(op: I, init: UpgradeInit<I>, options: RequestOptions): Promise<UpgradedConnection> {
    return this.#raw(op, init, options, (connect, request, signal, onClose, facts) =>
      upgrade(connect, request, { signal, host: this.#host, onClose, facts, maxHead: this.#limits.responseHead }),
    );
  }

  /**
   * Sends an operation on a raw connection that `take` opens and switches over. The call's
   * signal and own timeout cover the connection's whole life; the client's default timeout,
   * everything up to the daemon's answer.
   */
  async #raw<I extends OperationId, T extends { readonly statusCode: number }>(
    op: I,
    init: UpgradeInit<I>,
    options: RequestOptions,
    take: (
      connect: () => Promise<Duplex>,
      request: HijackRequest,
      signal: AbortSignal,
      onClose: () => void,
      facts: RequestFacts,
    ) => Promise<T>,
  ): Promise<T> {
    const call = this.#call(op, options);
    // A handshake header given a list is sent once per value (the session's methods).
    const { headers: handshake, ...rest } = init;
    const { method, url, headers, body, facts } = await this.#prepare(op, rest as CallInit<I>, call);
    const log = this.#options.logger;
    const started = log ? performance.now() : 0;
    try {
      if (typeof body === "object") throw new DockerArgumentError(`${op} cannot send a streamed body on an upgraded connection`);
      const transport = await this.transport();
      const request = { method, path: transport.basePath + url, headers: { ...headers, ...handshake }, body };
      // A hijack is always stoppable, so its call has a controller and a signal.
      const signal = call.signal as AbortSignal;
      const taken = await take(() => transport.connect(signal), request, signal, () => call.release(), facts);
      call.answered();
      if (log) logRequest(log, method, url, started, taken.statusCode);
      return taken;
    } catch (err) {
      call.release();
      const error = call.classify(err, facts, this.#host);
      if (log) logRequest(log, method, url, started, error.statusCode, error);
      throw error;
    }
  }

  /**
   * Builds the request of one operation: the arguments first (a bad one fails before even the
   * version ping), then the version check, URL, headers and body. Nothing is sent but the ping,
   * which the call's signal and timeout stop waiting for.
   */
  async #prepare<I extends OperationId>(op: I, init: CallInit<I>, call: CallSignal) {
    const spec = OPERATIONS[op];
    let route: string | undefined;
    try {
      route = buildPath(spec.path, init.path as Record<string, unknown> | undefined);
      if ("required" in spec) checkRequired(op, spec.required, init);
      const query = buildQuery(encodeQueryFilters(op, init.query as Record<string, unknown> | undefined));
      const headers: Record<string, string> = { "user-agent": this.#options.userAgent ?? "dockhand" };
      let body: TransportRequest["body"];
      if (init.raw !== undefined) {
        body = init.raw;
        headers["content-type"] = init.contentType ?? "application/x-tar";
      } else if (init.body !== undefined) {
        body = jsonBody(op, init.body);
        headers["content-type"] = "application/json";
      }
      if (init.headers) Object.assign(headers, init.headers);
      checkHeaders(op, headers);
      const apiVersion = await this.negotiator.version(call.signal);
      // Refused here, before anything is sent, when the version in use cannot serve the call.
      checkSupport(op, apiVersion, init, this.negotiator.pinned, this.negotiator.info?.apiVersion);
      const path = `/v${apiVersion}${route}`;
      const facts: RequestFacts = { operation: op, method: spec.method, path, apiVersion };
      call.facts = facts;
      return { method: spec.method, url: path + query, headers, body, facts };
    } catch (err) {
      call.release();
      throw err instanceof DockerAbortError ? call.classify(err, { operation: op, method: spec.method, path: route }, this.#host) : err;
    }
  }

  async #exchange(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: TransportRequest["body"],
    call: CallSignal,
    facts: RequestFacts,
    stream = false,
  ): Promise<TransportResponse> {
    if (call.signal?.aborted) {
      call.release();
      throw call.classify(call.signal.reason, facts, this.#host);
    }
    const log = this.#options.logger;
    const started = log ? performance.now() : 0;
    let res: TransportResponse;
    try {
      const transport = await this.transport();
      res = await transport.request({ method, path, headers, body, signal: call.signal, stream });
    } catch (err) {
      call.release();
      const error = call.classify(err, facts, this.#host);
      if (log) logRequest(log, method, path, started, undefined, error);
      throw error;
    }
    if (log) logRequest(log, method, path, started, res.status);
    return guardBody(res, call, facts, this.#host);
  }

  async #statusError(res: TransportResponse, facts: RequestFacts): Promise<DockerError> {
    let text = "";
    try {
      text = await res.text(ERROR_BODY);
    } catch (err) {
      // The call ran out of time (or was aborted) while the daemon stalled in its error body:
      // that is what happened. Otherwise the status alone still tells the user what did.
      if (err instanceof DockerTimeoutError || err instanceof DockerAbortError) throw err;
    }
    const location = res.status < 400 ? res.headers["location"] : undefined;
    const message = location
      ? `The daemon answered HTTP ${res.status}, redirecting to ${location.slice(0, 200)}, which dockhand does not follow`
      : errorMessage(res.status, res.headers["content-type"], text);
    return errorForStatus(res.status, message, facts);
  }
}

/**
 * Whether a status means the call failed. Besides 4xx and 5xx that is any redirect but 304: no
 * Engine API call redirects, so one comes from the daemon's router cleaning a path or from a
 * proxy, and taking it for success would report work that was never done.
 */
function failed(status: number): boolean {
  return status >= 300 && status !== 304;
}

/** Refuses a call missing a query parameter or body the daemon requires (JS callers, casts). */
function checkRequired(
  op: OperationId,
  required: { readonly query?: readonly string[]; readonly body?: true },
  init: CallInit<OperationId>,
): void {
  const query = init.query as Record<string, unknown> | undefined;
  for (const name of required.query ?? []) {
    if (query?.[name] === undefined || query[name] === null) {
      throw new DockerArgumentError(`${op} needs the query parameter "${name}"`);
    }
  }
  if (required.body && init.body === undefined && init.raw === undefined) {
    throw new DockerArgumentError(`${op} needs a request body`);
  }
}

/** Serialises a JSON request body; a value JSON cannot carry (a cycle, a BigInt) is the caller's error. */
function jsonBody(op: OperationId, value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    throw new DockerArgumentError(`The body of ${op} cannot be sent as JSON: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Refuses header values that could end the header line (CR, LF, NUL) before anything is sent.
 * Only the header's name goes in the error: its value may be a credential.
 */
function checkHeaders(op: OperationId, headers: Record<string, string>): void {
  for (const name in headers) {
    const value: unknown = headers[name];
    if (typeof value !== "string" || /[\r\n\0]/.test(value)) {
      throw new DockerArgumentError(`The ${name} header of ${op} must be a single-line string`);
    }
  }
}

/**
 * Wraps the body so that failures while reading it become dockhand errors (abort, timeout,
 * connection lost), stopping early closes the connection at once, and the caller's abort
 * listener is removed once the body is done.
 */
function guardBody(res: TransportResponse, call: CallSignal, facts: RequestFacts, host: string): TransportResponse {
  const raw = res.body;
  const body: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]() {
      const chunks = raw[Symbol.asyncIterator]();
      return {
        async next() {
          try {
            const result = await chunks.next();
            if (result.done) call.release();
            return result;
          } catch (err) {
            call.release();
            throw call.classify(err, facts, host, true);
          }
        },
        async return() {
          call.hangUp();
          try {
            await chunks.return?.();
          } catch {
            // Closing after an abort may complain about the abort; the reader asked to stop.
          }
          return { done: true, value: undefined };
        },
      };
    },
  };
  const settle = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await work;
    } catch (err) {
      throw err instanceof DockerError ? err : call.classify(err, facts, host, true);
    } finally {
      call.release();
    }
  };
  return {
    status: res.status,
    headers: res.headers,
    body,
    text: (limit) => settle(res.text(limit)),
    discard: () => settle(res.discard()),
  };
}
