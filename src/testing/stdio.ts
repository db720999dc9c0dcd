import { compareVersions } from "../core/version.js";
import { MULTIPLEXED } from "../streams/stdio.js";

/** Output stream numbers in the daemon's multiplexed framing. */
export type StreamId = 1 | 2;

/** `application/vnd.docker.raw-stream`: TTY output, or any hijacked stream before API 1.42. */
export const RAW_STREAM = "application/vnd.docker.raw-stream";
/** `application/vnd.docker.multiplexed-stream`: framed stdout/stderr (API 1.42 and later). */
export const MULTIPLEXED_STREAM = MULTIPLEXED;

/** One multiplexed frame: stream byte, three zero bytes, big-endian length, payload. */
export function frame(stream: StreamId, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.byteLength);
  out[0] = stream;
  new DataView(out.buffer).setUint32(4, payload.byteLength);
  out.set(payload, 8);
  return out;
}

/** What a terminal's output processing does to a program's `\n`: it becomes `\r\n`. */
export function ttyTranslate(data: Uint8Array): Uint8Array {
  let newlines = 0;
  for (const byte of data) if (byte === 10) newlines++;
  if (newlines === 0) return data;
  const out = new Uint8Array(data.byteLength + newlines);
  let j = 0;
  for (const byte of data) {
    if (byte === 10) out[j++] = 13;
    out[j++] = byte;
  }
  return out;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string (byte arrays pass through). */
export function bytes(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? encoder.encode(data) : data;
}

/**
 * The Content-Type of a stdout/stderr stream: since API 1.42 the daemon says whether it is framed;
 * before that every such stream was labelled raw.
 */
export function streamContentType(apiVersion: string, tty: boolean): string {
  return !tty && compareVersions(apiVersion, "1.42") >= 0 ? MULTIPLEXED_STREAM : RAW_STREAM;
}
