/**
 * Splits a byte stream into length-prefixed frames: gRPC messages and SSH agent messages are both
 * a fixed header holding a big-endian length, then that many bytes. Chunks may hold several frames
 * or parts of one; a frame is copied only when it spans chunks.
 */

/** How one kind of frame is laid out, and what its reader refuses. */
export interface FrameFormat {
  /** Bytes before the body. */
  readonly header: number;
  /** The body's length read from the header; throws to refuse the frame (too large, unsupported). */
  length(header: DataView): number;
  /** The error for a stream that ends inside a frame. */
  truncated(): Error;
}

/** Yields each whole frame, header included. */
export async function* frames(body: AsyncIterable<Uint8Array>, format: FrameFormat): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array = new Uint8Array(0);
  for await (const chunk of body) {
    const buf = pending.length === 0 ? chunk : concat(pending, chunk);
    let at = 0;
    while (buf.length - at >= format.header) {
      const length = format.length(new DataView(buf.buffer, buf.byteOffset + at, format.header));
      if (buf.length - at - format.header < length) break;
      yield buf.subarray(at, at + format.header + length);
      at += format.header + length;
    }
    pending = at === buf.length ? new Uint8Array(0) : buf.subarray(at);
  }
  if (pending.length > 0) throw format.truncated();
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
