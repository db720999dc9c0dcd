import { concatBytes } from "../internal/bytes.js";
import { closeUnstarted } from "../internal/close.js";

const decoder = new TextDecoder();

/** The most bytes a whole body may have, and the error for one with more. */
export interface BodyLimit {
  /** The most bytes the body may have. */
  readonly maximum: number;
  /**
   * The error for a body past {@link BodyLimit.maximum}: `size` is its declared length
   * (`declared`) or the bytes that had arrived when reading stopped.
   */
  exceeded(size: number, declared: boolean): Error;
}

/**
 * Reads a whole body as UTF-8, the one reader of whole bodies (JSON answers and error bodies
 * alike). It counts bytes as they arrive and fails as soon as the count passes the limit (or at
 * once, when `contentLength` announces more), so no answer is ever buffered past it; leaving
 * the body unread closes its connection rather than returning it to the pool.
 */
export async function readText(body: AsyncIterable<Uint8Array>, limit: BodyLimit, contentLength?: string): Promise<string> {
  const maximum = limit.maximum;
  if (contentLength !== undefined) {
    const declared = Number(contentLength);
    if (declared > maximum) {
      await closeUnstarted(body);
      throw limit.exceeded(declared, true);
    }
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maximum) throw limit.exceeded(size, false);
    chunks.push(chunk);
  }
  return decoder.decode(concatBytes(chunks, size));
}

/** Drains a body without keeping it, so a keep-alive connection can be reused. */
export async function drain(body: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _ of body) {
    // discard
  }
}
