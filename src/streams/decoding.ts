/**
 * The machinery shared by every stream decoder: pull byte chunks from a source only when the
 * consumer wants more, decode them synchronously, and close the source when the consumer stops
 * early or the data turns out to be bad.
 */

import { closeUnstarted } from "../internal/close.js";

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * An async iterator of items decoded from a byte source. Subclasses supply a synchronous
 * decoder (`write`, `read`, `end`); this class owns the source and its cancellation contract:
 *
 * - the source is read one chunk at a time, only when no decoded item is waiting;
 * - items already decoded are handed out without touching the source (one settled promise each);
 * - `return()` (a `break` in `for await`) and decode failures call the source iterator's
 *   `return()`, which is what closes the underlying connection;
 * - errors thrown by the source propagate unchanged.
 */
export abstract class DecodingIterator<T> implements AsyncIterableIterator<T, undefined> {
  readonly #source: AsyncIterable<Uint8Array>;
  #iterator: AsyncIterator<Uint8Array> | undefined;
  #sourceDone = false;
  #closed = false;
  /** The pending source read, so that overlapping `next()` calls are served in order. */
  #busy: Promise<unknown> | undefined;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#source = source;
  }

  /** Returns the next decoded item, or `undefined` when more bytes are needed. May throw. */
  protected abstract read(): T | undefined;
  /** Accepts the next chunk; only called once `read()` returned `undefined`. May throw. */
  protected abstract write(chunk: Uint8Array): void | Promise<void>;
  /** The source has ended; flush or complain about leftovers. May throw. */
  protected abstract end(): void | Promise<void>;
  /** Releases decoder state after a close or failure. */
  protected dispose(): void {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#busy !== undefined) {
      const retry = () => this.next();
      return this.#busy.then(retry, retry);
    }
    let item: T | undefined;
    try {
      item = this.#read();
    } catch (err) {
      return this.#abandon(err);
    }
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    const pending = this.#nextFromSource();
    this.#busy = pending;
    const settle = () => {
      if (this.#busy === pending) this.#busy = undefined;
    };
    pending.then(settle, settle);
    return pending;
  }

  /** Stops reading and closes the source. Safe to call more than once. */
  async return(): Promise<IteratorReturnResult<undefined>> {
    await this.#shutdown();
    return DONE;
  }

  /**
   * Hands every remaining item to `visit` without a promise per item: the fast path for
   * consumers that take everything (text, piping). `idle` runs whenever the items decoded so far
   * are used up, before waiting for more input, so a consumer that batches can flush without
   * holding output back. A rejected `visit` or `idle` closes the source.
   */
  async drain(visit: (item: T) => void | Promise<void>, idle?: () => void | Promise<void>): Promise<void> {
    try {
      do {
        let item: T | undefined;
        while ((item = this.#read()) !== undefined) {
          const pending = visit(item);
          if (pending !== undefined) await pending;
        }
        const flushed = idle?.();
        if (flushed !== undefined) await flushed;
      } while (await this.#pull());
    } catch (err) {
      return this.#abandon(err);
    }
  }

  async #nextFromSource(): Promise<IteratorResult<T, undefined>> {
    try {
      while (await this.#pull()) {
        const item = this.#read();
        if (item !== undefined) return { value: item, done: false };
      }
    } catch (err) {
      return this.#abandon(err);
    }
    return DONE;
  }

  #read(): T | undefined {
    return this.#closed ? undefined : this.read();
  }

  /** Feeds one more chunk (or the end) to the decoder. False when nothing more can arrive. */
  async #pull(): Promise<boolean> {
    if (this.#sourceDone || this.#closed) return false;
    this.#iterator ??= this.#source[Symbol.asyncIterator]();
    let result: IteratorResult<Uint8Array>;
    try {
      result = await this.#iterator.next();
    } catch (err) {
      // The source finished by failing: there is nothing left to close, and its error is the
      // answer — unless we closed it ourselves meanwhile, and it only complains about that.
      this.#sourceDone = true;
      if (this.#closed) return false;
      throw err;
    }
    if (this.#closed) return false;
    if (result.done) {
      this.#sourceDone = true;
      await this.end();
    } else {
      const pending = this.write(result.value);
      if (pending !== undefined) await pending;
    }
    return true;
  }

  /** Closes the source (unless it already finished) and rethrows `err`. */
  async #abandon(err: unknown): Promise<never> {
    await this.#shutdown();
    throw err;
  }

  async #shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.dispose();
    if (this.#sourceDone) return;
    this.#sourceDone = true;
    try {
      if (this.#iterator) await this.#iterator.return?.();
      else await closeUnstarted(this.#source);
    } catch {
      // The consumer asked us to stop; a failure while closing changes nothing for them.
    }
  }
}
