import type { operations } from "../../generated/engine.js";
import type { RequestBody } from "../transport/types.js";
import type { FilteredOperationId, Filters } from "./filters.js";
import type { CallLimits } from "./limits.js";

/** Every Engine API operation, by its operationId (e.g. `ContainerInspect`). */
export type OperationId = keyof operations;

type Op<I extends OperationId> = operations[I];
type Parameters<I extends OperationId> = Op<I> extends { parameters: infer P } ? P : never;

/** Path parameters of an operation (`{ id }` for `/containers/{id}/json`). */
export type PathParams<I extends OperationId> = Parameters<I> extends { path: infer P } ? P : never;

/**
 * Query parameters of an operation, all optional unless the spec requires them. `filters`, which
 * the spec types as a plain string, takes the operation's typed keys ({@link Filters}) or an
 * already encoded JSON string.
 */
export type QueryParams<I extends OperationId> = Parameters<I> extends { query?: infer Q }
  ? [Q] extends [never | undefined]
    ? never
    : WithTypedFilters<I, NonNullable<Q>>
  : never;

type WithTypedFilters<I extends OperationId, Q> = I extends FilteredOperationId
  ? { [P in keyof Q]: P extends "filters" ? Filters<I> | string : Q[P] }
  : Q;

/** JSON request body of an operation. */
export type JsonBody<I extends OperationId> = Op<I> extends { requestBody?: { content: infer C } }
  ? C extends { "application/json": infer B }
    ? B
    : never
  : never;

type SuccessContent<R> = R extends { 200: { content: infer C } }
  ? C
  : R extends { 201: { content: infer C } }
    ? C
    : never;

/** The JSON value a successful call returns (`void` when the daemon sends no body). */
export type JsonResult<I extends OperationId> = Op<I> extends { responses: infer R }
  ? [SuccessContent<R>] extends [never]
    ? void
    : SuccessContent<R> extends { "application/json": infer T }
      ? T
      : void
  : void;

/** The documented message of a JSON-lines answer (`application/x-ndjson`), or void when the spec names none. */
export type JsonLineResult<I extends OperationId> = Op<I> extends { responses: infer R }
  ? SuccessContent<R> extends { "application/x-ndjson": infer T }
    ? T
    : void
  : void;

/** Per-call options accepted by every method. */
export interface RequestOptions {
  /** Aborts the call (and closes its connection) when the signal fires. */
  signal?: AbortSignal;
  /**
   * Milliseconds the whole call may take before it fails with a `DockerTimeoutError`: for JSON
   * calls until the answer is read, for streams until the stream is read to its end (a followed
   * `logs` or `events` stream ends with the error), for hijacked attach/exec until the connection
   * closes. (The client's default `timeout` differs: it bounds a stream only until the daemon answers.)
   */
  timeout?: number;
  /**
   * This call's answer size limits, over the client's (`DockerOptions.limits`): e.g.
   * `{ limits: { jsonBody: 512 << 20 } }` for one huge inspect. A breach fails the call with a
   * `DockerLimitError`.
   */
  limits?: CallLimits;
}

/** What a resource passes to the request core for one call. */
export interface CallInit<I extends OperationId> {
  path?: PathParams<I>;
  query?: QueryParams<I> | Record<string, unknown>;
  /** A JSON body, serialised with `application/json`. */
  body?: JsonBody<I> | unknown;
  /** A byte body (tar archive, stdin), streamed as given. */
  raw?: RequestBody;
  /** Content type of `raw`; defaults to `application/x-tar`. */
  contentType?: string;
  headers?: Record<string, string>;
}
