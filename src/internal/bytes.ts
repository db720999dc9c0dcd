/** Joins byte pieces into one new array; `size` is their total length when the caller knows it. */
export function concatBytes(pieces: readonly Uint8Array[], size?: number): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  let total = size ?? 0;
  if (size === undefined) for (const piece of pieces) total += piece.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}
