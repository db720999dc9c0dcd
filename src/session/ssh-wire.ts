/**
 * The SSH wire encoding (RFC 4251 §5) that agent messages and OpenSSH key files are made of:
 * uint32s, length-prefixed strings, and mpints (big-endian, two's complement, minimal).
 */
import { concatBytes } from "../internal/bytes.js";

/** Why bytes could not be read as SSH wire fields (the reason only, never the bytes). */
export class WireError extends Error {}

/** Reads fields in order; every read past the end throws WireError. */
export class WireReader {
  private at = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.bytes.length - this.at;
  }

  uint32(): number {
    if (this.remaining < 4) throw new WireError("truncated");
    const value = this.view.getUint32(this.at);
    this.at += 4;
    return value;
  }

  /** A string field's bytes (a view, not a copy). */
  string(): Uint8Array {
    const length = this.uint32();
    if (this.remaining < length) throw new WireError("truncated");
    this.at += length;
    return this.bytes.subarray(this.at - length, this.at);
  }

  /** A string field read as UTF-8 text (names: key types, ciphers, curves). */
  text(): string {
    return new TextDecoder().decode(this.string());
  }

  /** An mpint's magnitude, without the sign byte; negative numbers are refused. */
  mpint(): Uint8Array {
    const bytes = this.string();
    if (bytes.length > 0 && bytes[0]! & 0x80) throw new WireError("negative mpint");
    let start = 0;
    while (start < bytes.length && bytes[start] === 0) start++;
    return bytes.subarray(start);
  }
}

/** Encodes one uint32. */
export function uint32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

/** Encodes a string field (text as UTF-8). */
export function sshString(value: Uint8Array | string): Uint8Array {
  const bytes = typeof value === "string" ? new TextEncoder().encode(value) : value;
  return concatBytes([uint32(bytes.length), bytes]);
}

/** Encodes a non-negative big-endian magnitude as an mpint: leading zeros dropped, a zero byte added where the top bit is set. */
export function mpint(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length && magnitude[start] === 0) start++;
  const digits = magnitude.subarray(start);
  return sshString(digits.length > 0 && digits[0]! & 0x80 ? concatBytes([Uint8Array.of(0), digits]) : digits);
}
