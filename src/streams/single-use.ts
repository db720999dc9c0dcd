import { DockerError } from "../core/errors.js";
import type { DecodingIterator } from "./decoding.js";

/**
 * A stream that can be read once, in one of several ways (iteration or a helper such as
 * `text()`). A second read would silently see nothing, so it fails loudly instead.
 */
export abstract class SingleUseStream<T> implements AsyncIterable<T> {
  readonly #items: DecodingIterator<T>;
  #consumer: string | undefined;

  protected constructor(items: DecodingIterator<T>) {
    this.#items = items;
  }

  /** Iterates the items; `break` closes the connection. Can be called once. */
  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return this.claim("for await");
  }

  /** Stops reading and closes the connection. Safe to call at any time, more than once. */
  async close(): Promise<void> {
    this.#consumer ??= "close()";
    await this.#items.return();
  }

  /** Hands out the items to their one consumer; `use` names it for the error on a second read. */
  protected claim(use: string): DecodingIterator<T> {
    if (this.#consumer !== undefined) {
      throw new DockerError(
        `This stream was already consumed (by ${this.#consumer}); read it with ${use} at most once, and only before close()`,
      );
    }
    this.#consumer = use;
    return this.#items;
  }
}
