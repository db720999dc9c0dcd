import { DockerStreamError, type RequestFacts } from "../core/errors.js";
import { concatBytes } from "../internal/bytes.js";

/** The daemon's message about a command that could not start is one short line; this bounds what is held back. */
const MESSAGE_LIMIT = 4096;
const HEADER_SIZE = 8;
const STDOUT = 1;
const CR = 0x0d;
const LF = 0x0a;
const decoder = new TextDecoder();
const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** Decides whether a line at the start of an exec's output was written by the daemon (see {@link execStartFailures}). */
export type DaemonMessageCheck = (message: string) => Promise<boolean>;

/**
 * Exec start answers 200 before the command runs, so when the command cannot start (no such
 * executable, unknown user, missing working directory, exec already started) the daemon writes
 * its error into the output, as one CRLF-terminated stdout line, and closes. This wrapper holds
 * back the first frame (or TTY chunk) only while it has that shape, asks `fromDaemon` (which
 * inspects the exec), and then either throws the message as a {@link DockerStreamError} or passes
 * every byte on unchanged. Output of any other shape is not delayed at all.
 */
export function execStartFailures(
  bytes: AsyncIterable<Uint8Array>,
  stream: { multiplexed: boolean; facts: RequestFacts },
  fromDaemon: DaemonMessageCheck,
): AsyncIterable<Uint8Array> {
  return { [Symbol.asyncIterator]: () => new FailureGuard(bytes, stream.multiplexed, stream.facts, fromDaemon) };
}

class FailureGuard implements AsyncIterator<Uint8Array, undefined> {
  readonly #source: AsyncIterator<Uint8Array>;
  readonly #multiplexed: boolean;
  readonly #facts: RequestFacts;
  readonly #fromDaemon: DaemonMessageCheck;
  /** Chunks held back during the check, handed out first; `undefined` until the check ran. */
  #held: Uint8Array[] | undefined;
  #ended = false;

  constructor(bytes: AsyncIterable<Uint8Array>, multiplexed: boolean, facts: RequestFacts, fromDaemon: DaemonMessageCheck) {
    this.#source = bytes[Symbol.asyncIterator]();
    this.#multiplexed = multiplexed;
    this.#facts = facts;
    this.#fromDaemon = fromDaemon;
  }

  async next(): Promise<IteratorResult<Uint8Array, undefined>> {
    if (this.#held === undefined) await this.#check();
    const chunk = this.#held!.shift();
    if (chunk !== undefined) return { value: chunk, done: false };
    if (this.#ended) return DONE;
    return this.#source.next() as Promise<IteratorResult<Uint8Array, undefined>>;
  }

  /** Closes the source at once, even while the check waits for it. */
  async return(): Promise<IteratorResult<Uint8Array, undefined>> {
    this.#held = [];
    this.#ended = true;
    await this.#source.return?.();
    return DONE;
  }

  async #check(): Promise<void> {
    const held: Uint8Array[] = [];
    try {
      for (;;) {
        const result = await this.#source.next();
        if (result.done) {
          this.#ended = true;
          break;
        }
        held.push(result.value);
        const verdict = this.#multiplexed ? firstFrame(concatBytes(held)) : firstChunk(held);
        if (verdict === MORE) continue;
        if (verdict !== PASS && (await this.#fromDaemon(verdict))) {
          await this.return();
          throw new DockerStreamError(verdict.trim(), { ...this.#facts });
        }
        break;
      }
    } finally {
      this.#held ??= held;
    }
  }
}

const MORE = Symbol("more");
const PASS = Symbol("pass");

/** A multiplexed start: the message if it is exactly one CRLF-terminated stdout frame, else whether to wait. */
function firstFrame(bytes: Uint8Array): string | typeof MORE | typeof PASS {
  if (bytes[0] !== STDOUT || bytes[1] || bytes[2] || bytes[3]) return bytes.length === 0 ? MORE : PASS;
  if (bytes.length < HEADER_SIZE) return MORE;
  const size = bytes[4]! * 0x1000000 + ((bytes[5]! << 16) | (bytes[6]! << 8) | bytes[7]!);
  if (size > MESSAGE_LIMIT) return PASS;
  if (bytes.length < HEADER_SIZE + size) return MORE;
  // Anything after the frame means the command is producing output.
  if (bytes.length > HEADER_SIZE + size) return PASS;
  return crlfLine(bytes.subarray(HEADER_SIZE));
}

/** A TTY start: the message if the first chunk is one CRLF-terminated line. */
function firstChunk(held: Uint8Array[]): string | typeof PASS {
  return held.length === 1 && held[0]!.length <= MESSAGE_LIMIT ? crlfLine(held[0]!) : PASS;
}

function crlfLine(bytes: Uint8Array): string | typeof PASS {
  const n = bytes.length;
  if (n < 3 || bytes[n - 2] !== CR || bytes[n - 1] !== LF || bytes.indexOf(LF) !== n - 1) return PASS;
  return decoder.decode(bytes);
}
