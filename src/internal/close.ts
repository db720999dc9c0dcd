/**
 * Closes a source nobody started reading. Asking a fresh iterator to `return()` is not enough
 * for a Node Readable (its iterator only takes ownership once started), so streams are closed
 * through their own API when they have one.
 */
export async function closeUnstarted(source: AsyncIterable<Uint8Array>): Promise<void> {
  const stream = source as { destroy?: unknown; cancel?: unknown; locked?: unknown };
  if (typeof stream.destroy === "function") {
    (stream.destroy as () => void)();
  } else if (typeof stream.cancel === "function" && stream.locked === false) {
    await (stream.cancel as () => Promise<void>)();
  } else {
    await source[Symbol.asyncIterator]().return?.();
  }
}
