import { DockerArgumentError, DockerProtocolError, DockerStreamError, limitError, type RequestFacts } from "../core/errors.js";
import { DEFAULT_LIMITS } from "../core/limits.js";
import { concatBytes } from "../internal/bytes.js";
import { DecodingIterator } from "./decoding.js";

/** Which output of the process a frame belongs to. */
export type StreamName = "stdout" | "stderr";

/**
 * One piece of container output, as the daemon framed it: a frame up to the `outputFrame` limit
 * arrives whole; a larger one arrives in pieces, as its bytes do.
 */
export interface OutputFrame {
  /** Which output the bytes were written to. */
  stream: StreamName;
  /** The payload; a view into the received chunk when the frame arrived in one piece. */
  data: Uint8Array;
}

/** How to read an output body. */
export interface DemuxOptions {
  /**
   * `true` for the 8-byte-header framing the daemon uses when the container has no TTY;
   * `false` for raw TTY output, where every chunk is stdout.
   */
  multiplexed: boolean;
  /** The request the body belongs to, attached to errors. */
  facts?: RequestFacts | undefined;
  /**
   * The largest frame held until it is complete (the `outputFrame` limit); a larger one is
   * handed out in pieces as its bytes arrive, and a larger error frame is refused with a
   * `DockerLimitError`. Default: the client's default (1 MiB).
   */
  maxFrame?: number | undefined;
}

const HEADER_SIZE = 8;
const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder();

/**
 * Synchronous, incremental decoder of Docker's multiplexed framing: `[stream id, 0, 0, 0,
 * uint32 BE size]` then `size` bytes. Push a chunk with {@link FrameDecoder.write}, take frames
 * with {@link FrameDecoder.read} until it returns `undefined`, repeat; call
 * {@link FrameDecoder.end} when the input ends.
 *
 * Frames inside one chunk are views of it (no copy). A frame spanning chunks is kept as a list of
 * views and copied once, when its last byte arrives, so a huge declared size allocates nothing
 * up front — up to `maxFrame` bytes: a larger frame is handed out piece by piece as it arrives,
 * so that what a frame declares never decides what is held (the daemon writes at most 32 KiB per
 * frame; splitting a larger one loses nothing, since frames carry no meaning of their own). Stream ids 0 (stdin, which Docker's own stdcopy treats as stdout) and 1 are stdout,
 * 2 is stderr, 3 is the daemon reporting a failure (thrown as {@link DockerStreamError}); any
 * other id means the body is not what we think it is ({@link DockerProtocolError}).
 */
export class FrameDecoder {
  readonly #multiplexed: boolean;
  readonly #facts: RequestFacts | undefined;
  readonly #maxFrame: number;
  #chunk: Uint8Array = EMPTY;
  #pos = 0;
  /** A header split across chunks. */
  readonly #header = new Uint8Array(HEADER_SIZE);
  #headerLength = 0;
  /** A payload split across chunks: its stream id, declared size and the pieces so far. */
  #pieces: Uint8Array[] | undefined;
  #id = 0;
  #size = 0;
  #received = 0;
  /** The frame being received is larger than `maxFrame`: its pieces are handed out as they come. */
  #passing = false;

  constructor(options: DemuxOptions) {
    this.#multiplexed = options.multiplexed;
    this.#facts = options.facts;
    this.#maxFrame = options.maxFrame ?? DEFAULT_LIMITS.outputFrame;
  }

  /** Accepts the next chunk. Every frame of the previous chunk must have been read. */
  write(chunk: Uint8Array): void {
    if (this.#pos < this.#chunk.length) {
      throw new DockerArgumentError("FrameDecoder.write() was called before every frame of the previous chunk was read");
    }
    this.#chunk = chunk;
    this.#pos = 0;
  }

  /** The next complete frame, or `undefined` when more input is needed. */
  read(): OutputFrame | undefined {
    const chunk = this.#chunk;
    let pos = this.#pos;
    if (pos >= chunk.length) return undefined;
    if (!this.#multiplexed) {
      this.#pos = chunk.length;
      return { stream: "stdout", data: chunk };
    }
    if (this.#pieces !== undefined) return this.#continuePayload();

    let id: number;
    let size: number;
    if (this.#headerLength === 0 && chunk.length - pos >= HEADER_SIZE) {
      id = chunk[pos]!;
      size = readSize(chunk, pos);
      pos += HEADER_SIZE;
    } else {
      const header = this.#header;
      let filled = this.#headerLength;
      while (filled < HEADER_SIZE && pos < chunk.length) header[filled++] = chunk[pos++]!;
      this.#pos = pos;
      if (filled < HEADER_SIZE) {
        this.#headerLength = filled;
        return undefined;
      }
      this.#headerLength = 0;
      id = header[0]!;
      size = readSize(header, 0);
    }
    if (id > 3) {
      throw new DockerProtocolError(
        `Unknown stream id ${id} in multiplexed output (is the container's TTY setting what the client assumed?)`,
        { ...this.#facts },
      );
    }
    const available = chunk.length - pos;
    if (size <= available) {
      this.#pos = pos + size;
      return this.#frame(id, new Uint8Array(chunk.buffer, chunk.byteOffset + pos, size));
    }
    this.#id = id;
    this.#size = size;
    this.#received = 0;
    this.#pieces = [];
    this.#pos = pos;
    if (size > this.#maxFrame) {
      // The daemon's error message is one short text: one this large is not the daemon.
      if (id === 3) throw limitError("outputFrame", this.#maxFrame, size, this.#facts ?? {}, true);
      this.#passing = true;
    }
    return this.#continuePayload();
  }

  /** Checks that the input stopped between frames. */
  end(): void {
    if (this.#headerLength > 0) {
      throw new DockerProtocolError(
        `Output ended inside a frame header (truncated: ${this.#headerLength} of ${HEADER_SIZE} header bytes)`,
        { ...this.#facts },
      );
    }
    if (this.#pieces !== undefined) {
      throw new DockerProtocolError(
        `Output ended inside a frame (truncated: ${this.#received} of ${this.#size} payload bytes)`,
        { ...this.#facts },
      );
    }
  }

  #continuePayload(): OutputFrame | undefined {
    const chunk = this.#chunk;
    const pos = this.#pos;
    const take = Math.min(chunk.length - pos, this.#size - this.#received);
    if (take === 0) return undefined;
    const piece = new Uint8Array(chunk.buffer, chunk.byteOffset + pos, take);
    this.#received += take;
    this.#pos = pos + take;
    const complete = this.#received === this.#size;
    if (this.#passing) {
      if (complete) {
        this.#pieces = undefined;
        this.#passing = false;
      }
      return this.#frame(this.#id, piece);
    }
    const pieces = this.#pieces!;
    pieces.push(piece);
    if (!complete) return undefined;
    this.#pieces = undefined;
    return this.#frame(this.#id, concatBytes(pieces, this.#size));
  }

  #frame(id: number, data: Uint8Array): OutputFrame {
    if (id === 2) return { stream: "stderr", data };
    if (id < 2) return { stream: "stdout", data };
    throw new DockerStreamError(decoder.decode(data).trim() || "The daemon reported an error in the output stream", {
      ...this.#facts,
    });
  }
}

function readSize(bytes: Uint8Array, at: number): number {
  // Multiply the top byte so the result stays a positive number for sizes >= 2 GiB.
  return bytes[at + 4]! * 0x1000000 + ((bytes[at + 5]! << 16) | (bytes[at + 6]! << 8) | bytes[at + 7]!);
}

/** Async iterator of frames decoded from a byte source; see {@link demux}. */
export class FrameIterator extends DecodingIterator<OutputFrame> {
  readonly #decoder: FrameDecoder;

  constructor(source: AsyncIterable<Uint8Array>, options: DemuxOptions) {
    super(source);
    this.#decoder = new FrameDecoder(options);
  }

  protected read(): OutputFrame | undefined {
    return this.#decoder.read();
  }

  protected write(chunk: Uint8Array): void {
    this.#decoder.write(chunk);
  }

  protected end(): void {
    this.#decoder.end();
  }
}

/**
 * Splits a logs/attach/exec body into stdout and stderr frames.
 *
 * Stopping early (`break`, `return()`) closes the source. A truncated frame or unknown stream
 * id fails with {@link DockerProtocolError}, a daemon error frame with {@link DockerStreamError};
 * errors from the source itself pass through unchanged.
 *
 * @example
 * ```ts
 * for await (const { stream, data } of demux(res.body, { multiplexed: true })) {
 *   (stream === "stdout" ? process.stdout : process.stderr).write(data);
 * }
 * ```
 */
export function demux(source: AsyncIterable<Uint8Array>, options: DemuxOptions): FrameIterator {
  return new FrameIterator(source, options);
}
