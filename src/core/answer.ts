import { OPERATIONS, type OperationInfo } from "../../generated/operations.js";
import type { UpgradedConnection } from "../transport/hijack.js";
import type { TransportResponse } from "../transport/types.js";
import { JsonStream } from "../streams/jsonlines.js";
import { daemonErrorCheck } from "../streams/message-errors.js";
import type { OutputStream } from "../streams/output-stream.js";
import type { ProgressMessage } from "../streams/progress.js";
import { outputStream, type HijackedStream, type OutputWrapper, type TtyHint } from "../streams/stdio.js";
import type { BodyLimit } from "../transport/body.js";
import { DockerProtocolError, limitError, type RequestFacts } from "./errors.js";
import type { DockerLimits } from "./limits.js";
import { checkDocument } from "./shape.js";
import type { JsonLineResult, JsonResult, OperationId, RequestOptions } from "./types.js";

/*
 * The answer side of a call: what an operation's success answer is, read off the generated
 * operation table, and the value a call hands back for it. The request side is `request.ts`.
 */

/** The call changed the object's state (start of a stopped container, stop of a running one). */
export interface Changed {
  /** The daemon did what was asked. */
  readonly changed: true;
}

/** The object already was in the asked state (the daemon's 304 Not Modified): nothing was done. */
export interface NotModified {
  /** Nothing needed doing. */
  readonly changed: false;
}

const CHANGED: Changed = Object.freeze({ changed: true });
const NOT_MODIFIED: NotModified = Object.freeze({ changed: false });

/**
 * How an answer is read: one JSON document, nothing, nothing-or-304, a JSON-lines stream, container
 * output, bytes, or a connection switched to another protocol.
 */
export type AnswerKind = "json" | "none" | "changed" | "json-lines" | "stdio" | "binary" | "upgrade";

/** The kind of `op`'s answer, from the generated table. */
export function answerKind(op: OperationId): AnswerKind {
  const info: OperationInfo = OPERATIONS[op];
  return info.stream ?? (info.upgrade ? "upgrade" : (info.answer ?? "json"));
}

/**
 * What a resource may add to a call: the few quirks that are the resource's to know. Everything
 * else about the answer follows from the operation.
 */
export interface CallOptions extends RequestOptions {
  /**
   * Reads the answer as this kind rather than the table's, for an argument that changes what the
   * daemon sends (stats with `stream: false` answer one document; a detached exec start, nothing).
   */
  as?: "json" | "none" | undefined;
  /** Container output: the TTY setting, or how to look it up when the answer does not say (before API 1.42). */
  tty?: TtyHint | undefined;
  /** Container output: sees the raw bytes first (exec start recognises the daemon's own failure messages). */
  wrapOutput?: OutputWrapper | undefined;
  /** Operations that can upgrade to tcp (attach, exec start): take the connection over, to write stdin. */
  hijack?: boolean | undefined;
  /**
   * JSON lines: the resource's own decoder in place of a plain {@link JsonStream} (a build's
   * output), given the line limit of the call.
   */
  decode?: ((body: AsyncIterable<Uint8Array>, facts: RequestFacts, maxLine: number) => unknown) | undefined;
  /** Sees a success answer's headers before its body is read; when it throws, the body is closed. */
  head?: ((headers: Readonly<Record<string, string | undefined>>) => void) | undefined;
}

type Info<I extends OperationId> = (typeof OPERATIONS)[I];

/** The message type of a JSON-lines operation: its documented schema, else a progress message. */
type LineOf<I extends OperationId> = [JsonResult<I>] extends [void]
  ? [JsonLineResult<I>] extends [void]
    ? ProgressMessage
    : JsonLineResult<I>
  : JsonResult<I>;

/** What `core.call(op, init, options)` resolves to, by the operation's kind and the call's options. */
export type Answer<I extends OperationId, O> = O extends { as: "json" }
  ? JsonResult<I>
  : O extends { as: "none" }
    ? void
    : O extends { hijack: true }
      ? HijackedStream
      : Info<I> extends { stream: "json-lines" }
        ? O extends { decode: (...args: never[]) => infer S }
          ? S
          : JsonStream<LineOf<I>>
        : Info<I> extends { stream: "stdio" }
          ? OutputStream
          : Info<I> extends { stream: "binary" }
            ? AsyncIterable<Uint8Array>
            : Info<I> extends { upgrade: string }
              ? UpgradedConnection
              : Info<I> extends { answer: "changed" }
                ? Changed | NotModified
                : Info<I> extends { answer: "none" }
                  ? void
                  : JsonResult<I>;

/**
 * Reads a success answer of `kind` (not an upgrade: those never reach a response). Whole answers
 * (JSON, none) are read here; streams are handed to their decoder in `streams/`, with the call's
 * facts for the errors met while reading them and its limits.
 */
export async function readAnswer(
  op: OperationId,
  kind: Exclude<AnswerKind, "upgrade">,
  res: TransportResponse,
  facts: RequestFacts,
  options: CallOptions,
  limits: Readonly<DockerLimits>,
): Promise<unknown> {
  if (options.head) {
    try {
      options.head(res.headers);
    } catch (err) {
      await res.body[Symbol.asyncIterator]().return?.();
      throw err;
    }
  }
  switch (kind) {
    case "json":
      return parseJson(op, await res.text(jsonBodyLimit(limits.jsonBody, facts)), facts);
    case "none":
      await res.discard();
      return undefined;
    case "changed":
      await res.discard();
      return res.status === 304 ? NOT_MODIFIED : CHANGED;
    case "json-lines":
      if (options.decode) return options.decode(res.body, facts, limits.jsonLine);
      // Pull, push, load and plugin streams report failures as messages; events and stats never
      // carry those fields, so every JSON-lines answer can take the same check.
      return new JsonStream(res.body, { facts, check: daemonErrorCheck(facts), maxLine: limits.jsonLine });
    case "stdio":
      // Attach and exec start (the operations that can upgrade) label their output raw-stream
      // whatever it is, so only the TTY setting tells.
      return outputStream(res, facts, {
        tty: options.tty,
        wrap: options.wrapOutput,
        unlabelled: upgradesToTcp(op),
        maxFrame: limits.outputFrame,
      });
    case "binary":
      return res.body;
  }
}

/** The bound of a whole JSON answer: past it, a `DockerLimitError` naming `jsonBody`. */
function jsonBodyLimit(maximum: number, facts: RequestFacts): BodyLimit {
  return { maximum, exceeded: (size, declared) => limitError("jsonBody", maximum, size, facts, declared) };
}

function upgradesToTcp(op: OperationId): boolean {
  const info: OperationInfo = OPERATIONS[op];
  return info.upgrade === "tcp";
}

/**
 * Operations engines answer with nothing although the spec promises a document: their empty
 * answer is handed over as `undefined`. dockerd 20.10 removes a plugin with an empty 200.
 */
const MAY_ANSWER_NOTHING: ReadonlySet<OperationId> = new Set<OperationId>(["PluginDelete"]);

/** The one JSON document of a success, of the type the spec gives it (see `shape.ts`). */
function parseJson(op: OperationId, text: string, facts: RequestFacts): unknown {
  const info: OperationInfo = OPERATIONS[op];
  if (text === "" && MAY_ANSWER_NOTHING.has(op)) return undefined;
  if (text === "") throw new DockerProtocolError(`The daemon answered ${op} with an empty body where a JSON document is expected`, { ...facts });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DockerProtocolError(`The daemon sent invalid JSON for ${op}: ${text.slice(0, 200)}`, { ...facts, cause: err });
  }
  checkDocument(op, value, info.document, facts);
  return value;
}
