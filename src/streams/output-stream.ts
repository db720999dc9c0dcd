import { DockerError } from "../core/errors.js";
import { concatBytes } from "../internal/bytes.js";
import { FrameIterator, type DemuxOptions, type OutputFrame, type StreamName } from "./demux.js";
import type { DecodingIterator } from "./decoding.js";
import { SingleUseStream } from "./single-use.js";

/** Options of an {@link OutputStream}: whether the body is multiplexed, and the request facts for errors. */
export type OutputStreamOptions = DemuxOptions;

/** Where {@link OutputStream.demux} writes each stream. A stream without a target is dropped. */
export interface DemuxTargets {
  /** Receives the process's standard output. */
  stdout?: NodeJS.WritableStream | undefined;
  /** Receives its error output (with a TTY there is none). */
  stderr?: NodeJS.WritableStream | undefined;
}

/** Options of {@link OutputStream.demux}. */
export interface DemuxPipeOptions {
  /** End the targets once the output is complete (default `false`, so `process.stdout` stays usable). */
  end?: boolean;
}

/** The whole output of a logs/attach/exec call, decoded as UTF-8. */
export interface OutputText {
  /** Everything written to standard output. */
  stdout: string;
  /** Everything written to error output (empty with a TTY). */
  stderr: string;
}

/**
 * The output of `logs`, `attach` and `exec`: an async iterable of `{ stream, data }` frames that
 * can be read once, either by iterating or with one of the helpers. Multiplexed bodies are
 * demultiplexed; TTY bodies arrive as stdout. Stopping early (`break`, {@link OutputStream.close})
 * closes the connection.
 *
 * @example
 * ```ts
 * const { stdout, stderr } = await output.text();
 * await output.demux({ stdout: process.stdout, stderr: process.stderr });
 * for await (const { stream, data } of output) console.log(stream, data.length);
 * ```
 */
export class OutputStream extends SingleUseStream<OutputFrame> {
  /** Whether the body carries frame headers (no TTY) or raw TTY bytes. */
  readonly multiplexed: boolean;

  /** Made by the calls that return output. @internal */
  constructor(source: AsyncIterable<Uint8Array>, options: OutputStreamOptions) {
    super(new FrameIterator(source, options));
    this.multiplexed = options.multiplexed;
  }

  /**
   * Reads everything and decodes stdout and stderr as UTF-8 (split characters are joined
   * correctly; invalid bytes become U+FFFD).
   */
  async text(): Promise<OutputText> {
    const frames = this.claim("text()");
    const stdout = new Utf8Collector();
    const stderr = new Utf8Collector();
    await frames.drain((frame) => (frame.stream === "stdout" ? stdout : stderr).add(frame.data));
    return { stdout: stdout.finish(), stderr: stderr.finish() };
  }

  /**
   * Copies stdout and stderr into Node writables, waiting for `drain` when a target is full.
   * Consecutive frames of one stream that arrived together are written with one `write()`.
   * Resolves when the output is complete; rejects (and closes the connection) if a target fails.
   */
  async demux(targets: DemuxTargets, options: DemuxPipeOptions = {}): Promise<void> {
    const frames = this.claim("demux()");
    const watcher = new TargetWatcher([targets.stdout, targets.stderr]);
    const run = new Run(targets, watcher);
    try {
      await frames.drain(
        (frame) => run.add(frame),
        () => run.flush(),
      );
      watcher.check();
      if (options.end) await watcher.end();
    } finally {
      watcher.detach();
    }
  }

  /**
   * Exposes the output as a WHATWG `ReadableStream` (for `Response`, web APIs, Deno, Bun).
   * Without an argument the chunks are `{ stream, data }` frames; with `"stdout"` or `"stderr"`
   * they are that stream's bytes (the other is dropped); with `"all"` they are both streams'
   * bytes, interleaved as they arrived. Nothing is read before the consumer asks for it, and
   * cancelling the stream closes the connection.
   */
  toWeb(): ReadableStream<OutputFrame>;
  toWeb(select: StreamName | "all"): ReadableStream<Uint8Array>;
  toWeb(select?: StreamName | "all"): ReadableStream<OutputFrame> | ReadableStream<Uint8Array> {
    const frames = this.claim("toWeb()");
    if (select === undefined) return webStream<OutputFrame>(frames, (frame) => frame);
    return webStream<Uint8Array>(frames, (frame) =>
      (select === "all" || frame.stream === select) && frame.data.length > 0 ? frame.data : undefined,
    );
  }
}

/** A pull-driven web stream of `frames`, mapped by `pick` (frames it maps to `undefined` are skipped). */
function webStream<T>(frames: DecodingIterator<OutputFrame>, pick: (frame: OutputFrame) => T | undefined): ReadableStream<T> {
  return new ReadableStream<T>(
    {
      async pull(controller) {
        for (;;) {
          const result = await frames.next();
          if (result.done) return controller.close();
          const chunk = pick(result.value);
          if (chunk !== undefined) return controller.enqueue(chunk);
        }
      },
      async cancel() {
        await frames.return();
      },
    },
    // Read from the daemon only when the consumer asks. (Not a byte stream: enqueuing into one
    // would transfer, and so detach, the buffer our frames share.)
    { highWaterMark: 0 },
  );
}

/**
 * Decodes one stream's frames to a string. Frames are gathered and decoded in batches: one
 * decoder call per tiny frame costs about three times as much.
 */
class Utf8Collector {
  static readonly #BATCH = 256;
  readonly #decoder = new TextDecoder();
  readonly #pieces: Uint8Array[] = [];
  #text = "";

  add(data: Uint8Array): void {
    if (data.length === 0) return;
    this.#pieces.push(data);
    if (this.#pieces.length === Utf8Collector.#BATCH) this.#flush(true);
  }

  finish(): string {
    this.#flush(false);
    return this.#text;
  }

  #flush(more: boolean): void {
    if (this.#pieces.length > 0) this.#text += this.#decoder.decode(concatBytes(this.#pieces), { stream: more });
    else if (!more) this.#text += this.#decoder.decode();
    this.#pieces.length = 0;
  }
}

/**
 * Frames of one stream waiting to be written together: one `write()` per run of small frames
 * costs far less than one per frame. A run is flushed when the stream changes and whenever the
 * decoded frames are used up, so nothing waits for more input.
 */
class Run {
  readonly #targets: DemuxTargets;
  readonly #watcher: TargetWatcher;
  #stream: StreamName = "stdout";
  #pieces: Uint8Array[] = [];

  constructor(targets: DemuxTargets, watcher: TargetWatcher) {
    this.#targets = targets;
    this.#watcher = watcher;
  }

  add(frame: OutputFrame): void | Promise<void> {
    if (frame.data.length === 0 || this.#targets[frame.stream] === undefined) return;
    const flushed = frame.stream === this.#stream ? undefined : this.flush();
    this.#stream = frame.stream;
    this.#pieces.push(frame.data);
    return flushed;
  }

  flush(): void | Promise<void> {
    this.#watcher.check();
    const target = this.#targets[this.#stream];
    if (this.#pieces.length === 0 || target === undefined) return;
    const bytes = concatBytes(this.#pieces);
    this.#pieces = [];
    if (!target.write(bytes)) return this.#watcher.drained(target);
  }
}

/** Watches the targets of a pipe for errors, so a failing target stops the copy. */
class TargetWatcher {
  readonly #targets: NodeJS.WritableStream[];
  #error: unknown;
  #wake: ((err?: unknown) => void) | undefined;
  readonly #onError = (err: unknown) => {
    this.#error ??= err;
    this.#wake?.(err);
  };

  constructor(targets: (NodeJS.WritableStream | undefined)[]) {
    // stdout and stderr may be the same writable: watch (and end) it once.
    this.#targets = [...new Set(targets.filter((t) => t !== undefined))];
    for (const target of this.#targets) target.on("error", this.#onError);
  }

  /** Throws the first error a target reported. */
  check(): void {
    if (this.#error !== undefined) throw this.#error;
  }

  /** Waits for `target` to accept more data. */
  drained(target: NodeJS.WritableStream): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (err?: unknown) => {
        target.off("drain", onDrain);
        target.off("close", onClose);
        this.#wake = undefined;
        if (err === undefined) resolve();
        else reject(err);
      };
      const onDrain = () => done();
      const onClose = () => done(new DockerError("An output target closed before all output was written"));
      this.#wake = done;
      target.once("drain", onDrain);
      target.once("close", onClose);
    });
  }

  /** Ends every target and waits until each has flushed (or failed). */
  async end(): Promise<void> {
    await Promise.all(
      this.#targets.map(
        (target) =>
          new Promise<void>((resolve, reject) => {
            // Node calls the end callback with the error when the stream fails before finishing.
            const onFinish = (err?: Error | null) => (err ? reject(err) : resolve());
            target.end(onFinish as () => void);
          }),
      ),
    );
  }

  detach(): void {
    for (const target of this.#targets) target.off("error", this.#onError);
  }
}
