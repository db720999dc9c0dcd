import { DockerError, type RequestFacts } from "../core/errors.js";
import type { UpgradedConnection } from "../transport/hijack.js";
import type { TransportResponse } from "../transport/types.js";
import { compareVersions } from "../core/version.js";
import { OutputStream } from "./output-stream.js";

/*
 * Container stdio (logs, attach, exec start): whether an answer is multiplexed, and the
 * OutputStream or hijacked session made of it. Every multiplexing decision is made here.
 */

/** The content type of multiplexed output (8-byte frame headers). */
export const MULTIPLEXED = "application/vnd.docker.multiplexed-stream";
const encoder = new TextEncoder();

/**
 * Wraps the raw output bytes of a stream before they are decoded, e.g. to recognise a failure the
 * daemon writes into the stream instead of answering with an error status.
 */
export type OutputWrapper = (
  bytes: AsyncIterable<Uint8Array>,
  stream: { multiplexed: boolean; facts: RequestFacts },
) => AsyncIterable<Uint8Array>;

/** A connection the daemon handed over: container output to read, stdin to write. */
export interface HijackedStream {
  /** The process output; multiplexed unless the TTY is on (or the daemon says so). */
  readonly output: OutputStream;
  /** 101 when the daemon upgraded the connection, 200 when it just kept streaming. */
  readonly statusCode: number;
  /** Response headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Sends bytes to the process's stdin; resolves once the socket accepted them. */
  write(data: Uint8Array | string): Promise<void>;
  /** Half-closes: the process sees EOF on stdin while its output keeps flowing. */
  end(): Promise<void>;
  /** Closes the connection in both directions. */
  close(): Promise<void>;
}

/** How to read a hijacked attach or exec start. */
export interface HijackedOptions {
  /** The container (or exec) has a TTY: output is raw bytes rather than multiplexed frames. */
  tty: boolean;
  /** Wraps the output bytes before they are decoded; see {@link OutputWrapper}. */
  wrapOutput?: OutputWrapper | undefined;
  /** The call's signal: once it fired, writes fail with the abort. */
  signal?: AbortSignal | undefined;
  /** The `outputFrame` limit (see `DemuxOptions.maxFrame`). */
  maxFrame?: number | undefined;
}

/**
 * Makes a hijacked attach or exec start of an upgraded connection: the process's output to read
 * and its stdin to write. The daemon's content type wins over the TTY setting when it says
 * multiplexed.
 */
export function hijackedStream(connection: UpgradedConnection, options: HijackedOptions): HijackedStream {
  const { socket, statusCode, headers, bytes, facts, failure } = connection;
  const multiplexed = (headers["content-type"] ?? "").startsWith(MULTIPLEXED) || !options.tty;
  const output = new OutputStream(options.wrapOutput?.(bytes, { multiplexed, facts }) ?? bytes, {
    multiplexed,
    facts,
    maxFrame: options.maxFrame,
  });
  return {
    output,
    statusCode,
    headers,
    write: (data) =>
      new Promise<void>((resolve, reject) => {
        if (options.signal?.aborted) return reject(failure(options.signal.reason));
        if (socket.destroyed || socket.writableEnded) {
          return reject(new DockerError("Cannot write to the process: its input was already ended or closed", facts));
        }
        socket.write(typeof data === "string" ? encoder.encode(data) : data, (err) => (err ? reject(failure(err)) : resolve()));
      }),
    end: () =>
      new Promise<void>((resolve) => {
        if (socket.destroyed || socket.writableEnded) resolve();
        else socket.end(() => resolve());
      }),
    close: async () => {
      await output.close();
      // The output may be wrapped by a source that does not pass `return()` on; the socket goes anyway.
      socket.destroy();
    },
  };
}

/** A stream's TTY setting, or how to look it up (an inspect) when the answer does not say. */
export type TtyHint = boolean | (() => Promise<boolean>);

/** How to read a logs/attach/exec answer. */
export interface OutputOptions {
  /** The TTY setting or its lookup; see {@link isMultiplexed}. */
  tty?: TtyHint | undefined;
  /** Sees the bytes first (exec start uses it to recognise the daemon's own failure messages). */
  wrap?: OutputWrapper | undefined;
  /** The content type cannot be trusted (see {@link isMultiplexed}). */
  unlabelled?: boolean | undefined;
  /** The `outputFrame` limit (see `DemuxOptions.maxFrame`). */
  maxFrame?: number | undefined;
}

/**
 * Decides whether a logs/attach/exec body is multiplexed (8-byte frame headers) or raw TTY bytes.
 * A known TTY setting decides. Otherwise, from API 1.42 the daemon's content type says so; before
 * that it labels multiplexed output as `raw-stream` too, so the container's (or exec's) `Tty`
 * setting, looked up, is the only trustworthy answer. So it is too for `unlabelled` answers:
 * attach and exec start not asked to upgrade are labelled `raw-stream` by every version.
 */
export async function isMultiplexed(
  headers: Readonly<Record<string, string | undefined>>,
  apiVersion: string,
  tty: TtyHint | undefined,
  unlabelled = false,
): Promise<boolean> {
  if (typeof tty === "boolean") return !tty;
  const type = headers["content-type"] ?? "";
  if (type.startsWith(MULTIPLEXED)) return true;
  if (!unlabelled && compareVersions(apiVersion, "1.42") >= 0) return false;
  // With nothing to look up, a process without a TTY (multiplexed) is the usual case.
  return tty ? !(await tty()) : true;
}

/**
 * Wraps a logs/attach/exec answer in an {@link OutputStream}, demuxing when needed; `facts` name
 * the request in the errors met while reading it.
 */
export async function outputStream(
  res: Pick<TransportResponse, "body" | "headers">,
  facts: RequestFacts,
  options: OutputOptions = {},
): Promise<OutputStream> {
  let multiplexed: boolean;
  try {
    multiplexed = await isMultiplexed(res.headers, facts.apiVersion ?? "", options.tty, options.unlabelled);
  } catch (err) {
    // A follow stream never ends by itself: close it rather than drain it.
    await res.body[Symbol.asyncIterator]().return?.();
    throw err;
  }
  const { wrap } = options;
  return new OutputStream(wrap ? wrap(res.body, { multiplexed, facts }) : res.body, { multiplexed, facts, maxFrame: options.maxFrame });
}
