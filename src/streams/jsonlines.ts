import { Buffer } from "node:buffer";
import type { Transform } from "node:stream";
import split2 from "split2";
import { DockerProtocolError, limitError, type RequestFacts } from "../core/errors.js";
import { concatBytes } from "../internal/bytes.js";
import { DecodingIterator } from "./decoding.js";
import { SingleUseStream } from "./single-use.js";

/** Options of a {@link JsonStream}. */
export interface JsonStreamOptions<T> {
  /**
   * Called with every message before it is handed out; throw to end the stream with that
   * error (e.g. the daemon-error check of `message-errors.ts`). The messages before it are still delivered.
   */
  check?: ((message: T) => void) | undefined;
  /** The request the body belongs to, attached to errors. */
  facts?: RequestFacts | undefined;
  /**
   * The longest line in bytes (without its newline); a longer one ends the stream with a
   * `DockerLimitError` and closes the connection. Default: no limit (the calls pass the client's).
   */
  maxLine?: number | undefined;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const PREVIEW_LENGTH = 200;

/**
 * Decodes JSON lines: split2 splits and decodes UTF-8, and each line is parsed straight into our
 * queue from split2's mapper (going through its readable side costs a stream push and an event
 * per line).
 *
 * split2 rescans everything it holds since the last line end on every write, so a line arriving
 * in thousands of chunks would cost quadratic time. Chunks are therefore handed to it only up to
 * their last newline; the bytes after it wait here (as views, no copy) until a newline arrives —
 * counted, so that a line that never ends fails once it passes `maxLine` instead of growing
 * until the string cannot be made.
 */
class JsonLinesIterator<T> extends DecodingIterator<T> {
  readonly #splitter: Transform;
  readonly #check: ((message: T) => void) | undefined;
  readonly #facts: RequestFacts | undefined;
  readonly #finished: Promise<void>;
  readonly #maxLine: number;
  #queue: T[] = [];
  #head = 0;
  #error: unknown;
  #tail: Uint8Array[] = [];
  /** Bytes in `#tail`: the start of a line whose end has not arrived. */
  #tailSize = 0;

  constructor(source: AsyncIterable<Uint8Array>, options: JsonStreamOptions<T>) {
    super(source);
    this.#check = options.check;
    this.#facts = options.facts;
    this.#maxLine = options.maxLine ?? Infinity;
    // A plain "\n" matcher splits several times faster than the default /\r?\n/; the `\r` of the
    // daemon's `\r\n` line ends is JSON whitespace.
    this.#splitter = split2("\n", (line: string) => this.#parse(line)) as Transform;
    this.#finished = new Promise<void>((resolve) => {
      this.#splitter.once("finish", resolve);
      this.#splitter.once("close", resolve);
      this.#splitter.once("error", (err) => {
        this.#error ??= err;
        resolve();
      });
    });
  }

  protected read(): T | undefined {
    const queue = this.#queue;
    if (this.#head < queue.length) {
      const message = queue[this.#head++]!;
      if (this.#head === queue.length) {
        queue.length = 0;
        this.#head = 0;
      }
      this.#check?.(message);
      return message;
    }
    if (this.#error !== undefined) throw this.#error;
    return undefined;
  }

  protected write(chunk: Uint8Array): void {
    if (this.#error !== undefined) return;
    const last = chunk.lastIndexOf(NEWLINE);
    if (last < 0) {
      this.#tail.push(chunk);
      this.#tailSize += chunk.length;
      if (this.#tailSize > this.#maxLine) throw this.#tooLong(this.#tailSize);
      return;
    }
    if (this.#tail.length > 0) {
      this.#splitter.write(concatBytes(this.#tail, this.#tailSize));
      this.#tail = [];
    }
    this.#splitter.write(last === chunk.length - 1 ? chunk : chunk.subarray(0, last + 1));
    this.#tailSize = chunk.length - 1 - last;
    if (this.#tailSize > 0) this.#tail.push(chunk.subarray(last + 1));
    if (this.#tailSize > this.#maxLine) throw this.#tooLong(this.#tailSize);
  }

  protected async end(): Promise<void> {
    // A last line without a newline is flushed by split2 itself when it ends.
    if (this.#error === undefined && this.#tail.length > 0) this.#splitter.write(concatBytes(this.#tail, this.#tailSize));
    this.#tail = [];
    this.#tailSize = 0;
    this.#splitter.end();
    await this.#finished;
  }

  protected override dispose(): void {
    this.#tail = [];
    this.#tailSize = 0;
    this.#queue = [];
    this.#head = 0;
    this.#splitter.destroy();
  }

  /** split2's mapper: queues the message, or records the first bad line (and ignores the rest). */
  #parse(line: string): undefined {
    if (this.#error !== undefined) return;
    // A complete line is checked here, where its length is known without a scan: UTF-8 takes at
    // most 3 bytes per UTF-16 unit, so only a line over a third of the limit needs counting.
    if (line.length > this.#maxLine / 3) {
      const size = Buffer.byteLength(line);
      if (size > this.#maxLine) {
        this.#error = this.#tooLong(size);
        return;
      }
    }
    try {
      const message = parseLine(line, this.#facts);
      if (message !== undefined) this.#queue.push(message as T);
    } catch (err) {
      this.#error = err;
    }
  }

  #tooLong(size: number) {
    return limitError("jsonLine", this.#maxLine, size, this.#facts ?? {});
  }
}

/**
 * Parses one line (without its `\n`; a `\r` before it is JSON whitespace, so it is left for
 * `JSON.parse` rather than sliced off). Blank lines are skipped (`undefined`); anything else must
 * be a JSON object.
 */
function parseLine(line: string, facts: RequestFacts | undefined): unknown {
  if (line.length === 0 || (line.length === 1 && line.charCodeAt(0) === CARRIAGE_RETURN)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    const text = line.trim();
    if (text === "") return undefined;
    throw new DockerProtocolError(`The daemon sent a line that is not valid JSON: ${preview(text)}`, { ...facts, cause: err });
  }
  // Every Docker JSON-lines message is an object; `null` would also end split2's output early.
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new DockerProtocolError(`The daemon sent a JSON line that is not an object: ${preview(line.trim())}`, { ...facts });
  }
  return value;
}

function preview(text: string): string {
  return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH)}… (${text.length} characters)` : text;
}

/**
 * A stream of JSON messages (events, stats, pull/push/build progress), read once: iterate it,
 * or let {@link JsonStream.done} / {@link JsonStream.collect} drain it. Stopping early closes the
 * connection. Invalid lines fail with {@link DockerProtocolError}; a `check` can turn messages
 * into errors (a failure the daemon reports in the stream ends it with a `DockerStreamError`).
 *
 * @example
 * ```ts
 * for await (const event of await docker.system.events()) console.log(event.Type, event.Action);
 * const last = await (await docker.images.create({ fromImage: "busybox" })).done();
 * ```
 */
export class JsonStream<T> extends SingleUseStream<T> {
  constructor(source: AsyncIterable<Uint8Array>, options: JsonStreamOptions<T> = {}) {
    super(new JsonLinesIterator<T>(source, options));
  }

  /**
   * Reads to the end and resolves with the last message (`undefined` if there was none) —
   * only if the stream ended without error. `onMessage` sees every message on the way, e.g.
   * to drive a progress bar; if it throws, the stream is closed and the promise rejects.
   */
  async done(onMessage?: (message: T) => void): Promise<T | undefined> {
    let last: T | undefined;
    await this.claim("done()").drain((message) => {
      onMessage?.(message);
      last = message;
    });
    return last;
  }

  /** Reads to the end and resolves with every message, only if the stream ended without error. */
  async collect(): Promise<T[]> {
    const messages: T[] = [];
    await this.claim("collect()").drain((message) => {
      messages.push(message);
    });
    return messages;
  }
}
