/**
 * gRPC's wire format over HTTP/2 (the part a server needs): length-prefixed messages (1 flag
 * byte, 4-byte big-endian length, the protobuf bytes), status codes sent in trailers, and the
 * request metadata (HTTP/2 headers) decoded into lists of values.
 */
import { type FrameFormat, frames } from "./frames.js";

/** gRPC status codes the session services answer with. */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** A gRPC status code. */
export type GrpcStatusCode = (typeof GrpcStatus)[keyof typeof GrpcStatus];

/** A failure a service reports to the daemon with its gRPC status code. */
export class GrpcError extends Error {
  readonly code: GrpcStatusCode;
  constructor(code: GrpcStatusCode, message: string) {
    super(message);
    this.code = code;
  }
}

const HEADER = 5;
/**
 * The largest message accepted from the daemon. Its requests are small (a packet request, a
 * secret id, an agent chunk); grpc-go's default limit is 4 MiB.
 */
export const MAX_MESSAGE = 4 << 20;

/** Messages, each with its 5-byte prefix (never compressed), one after the other in one buffer. */
export function frame(...messages: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const message of messages) length += HEADER + message.length;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const message of messages) {
    view.setUint32(at + 1, message.length);
    out.set(message, at + HEADER);
    at += HEADER + message.length;
  }
  return out;
}

/** Splits the bytes of a request body into messages (their payloads, the prefix removed). */
export async function* messages(body: AsyncIterable<Uint8Array>, limit = MAX_MESSAGE): AsyncGenerator<Uint8Array> {
  const format: FrameFormat = {
    header: HEADER,
    length(view) {
      if (view.getUint8(0) !== 0) {
        throw new GrpcError(GrpcStatus.UNIMPLEMENTED, "compressed messages are not supported (grpc-accept-encoding: identity)");
      }
      const length = view.getUint32(1);
      if (length > limit) throw new GrpcError(GrpcStatus.RESOURCE_EXHAUSTED, `message of ${length} bytes exceeds ${limit}`);
      return length;
    },
    truncated: () => new GrpcError(GrpcStatus.INTERNAL, "the request ended inside a message"),
  };
  for await (const message of frames(body, format)) yield message.subarray(HEADER);
}

/**
 * Encodes `grpc-message`: percent-encoding of everything outside printable ASCII, and of `%`
 * itself, over the UTF-8 bytes (as gRPC's HTTP/2 mapping asks).
 */
export function encodeStatusMessage(message: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(message)) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Request metadata: lower-case key → every value sent for it, in order. */
export type Metadata = ReadonlyMap<string, readonly string[]>;

/** HTTP/2 and gRPC's own headers, which are not caller metadata. */
function reserved(name: string): boolean {
  return name.startsWith(":") || name.startsWith("grpc-") || name === "content-type" || name === "te" || name === "user-agent";
}

/**
 * Metadata from the raw header list (`[name, value, name, value, …]`), which keeps every value of
 * a repeated key apart; Node's header object would join them with commas, and patterns may hold
 * commas. Binary (`-bin`) keys are left as sent.
 */
export function metadataOf(rawHeaders: readonly string[]): Metadata {
  const map = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (reserved(name)) continue;
    const values = map.get(name);
    if (values) values.push(rawHeaders[i + 1]!);
    else map.set(name, [rawHeaders[i + 1]!]);
  }
  return map;
}
