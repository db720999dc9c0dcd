import type { Duplex } from "node:stream";
import { DockerError, DockerProtocolError, type RequestFacts } from "../core/errors.js";
import { DecodingIterator } from "./decoding.js";
import { SingleUseStream } from "../streams/single-use.js";
import type { UpgradedConnection } from "../transport/hijack.js";

/**
 * A minimal RFC 6455 client over a connection the daemon upgraded: just what attaching to a
 * container needs (data frames both ways, ping/pong, close). It runs on our own raw socket, so
 * it reaches the engine over unix sockets, TCP, TLS or ssh alike, in every runtime.
 */

const ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const CONTINUATION = 0x0;
const TEXT = 0x1;
const BINARY = 0x2;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;
/** RFC 6455 caps control frames (close, ping, pong) at this many payload bytes. */
const MAX_CONTROL_PAYLOAD = 125;
/** How long `close()` waits for the close frame to leave before cutting the connection. */
const CLOSE_FLUSH_MS = 1000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What the daemon said when it closed the websocket. */
export interface WebSocketClose {
  /** The status code (1000 is a normal closure), or `undefined` when the frame carried none. */
  code: number | undefined;
  /** The reason text the peer sent (may be empty). */
  reason: string;
}

/** The client side of the opening handshake: the headers to send and the check of the answer. */
export class WebSocketHandshake {
  /** Headers to add to the upgrade request. */
  readonly headers: Record<string, string>;
  readonly #expected: Promise<string>;

  constructor() {
    const key = base64(crypto.getRandomValues(new Uint8Array(16)));
    this.headers = { upgrade: "websocket", "sec-websocket-key": key, "sec-websocket-version": "13" };
    this.#expected = crypto.subtle
      .digest("SHA-1", encoder.encode(key + ACCEPT_GUID))
      .then((digest) => base64(new Uint8Array(digest)));
  }

  /**
   * Checks that the daemon really switched to websocket for this key and returns the socket;
   * closes the connection and throws {@link DockerProtocolError} otherwise.
   */
  async accept(connection: UpgradedConnection): Promise<DockerWebSocket> {
    const { statusCode, headers, facts } = connection;
    const expected = await this.#expected;
    let problem: string | undefined;
    if (statusCode !== 101) problem = `answered HTTP ${statusCode} instead of switching protocols`;
    else if (headers["upgrade"]?.toLowerCase() !== "websocket") problem = `switched to "${headers["upgrade"] ?? ""}" instead of websocket`;
    else if (headers["sec-websocket-accept"] !== expected) problem = "answered with a wrong Sec-WebSocket-Accept";
    if (problem !== undefined) {
      connection.socket.destroy();
      throw new DockerProtocolError(`The daemon ${problem}`, { ...facts });
    }
    return new DockerWebSocket(connection);
  }
}

/**
 * A websocket to a container's stdio (`containers.attachWebsocket`). Iterate it for the output
 * (stdout and stderr arrive together, unframed, as the daemon sends them over websocket), and
 * `send()` input. Read it once; stopping early, `close()` or the call's signal ends the
 * connection. The daemon's control frames are answered while the output is being read.
 *
 * @example
 * ```ts
 * const ws = await docker.containers.attachWebsocket(id, { stdin: true, stdout: true, stream: true });
 * await ws.send("hi\n");
 * for await (const chunk of ws) process.stdout.write(chunk);
 * ```
 */
export class DockerWebSocket extends SingleUseStream<Uint8Array> {
  readonly #link: FrameWriter;

  /** @internal Built by {@link WebSocketHandshake.accept}. */
  constructor(connection: UpgradedConnection) {
    const link = new FrameWriter(connection.socket, connection.facts, connection.failure);
    super(new FrameReader(quietAfterClose(connection.bytes, link), link, connection.facts));
    this.#link = link;
  }

  /** The daemon's close frame, once it arrived; `undefined` while open or when the connection just ended. */
  get closeStatus(): WebSocketClose | undefined {
    return this.#link.received;
  }

  /**
   * Sends input to the container: bytes as a binary frame, a string as a text frame (UTF-8).
   * Resolves once the socket accepted it.
   */
  send(data: Uint8Array | string): Promise<void> {
    return typeof data === "string" ? this.#link.send(TEXT, encoder.encode(data)) : this.#link.send(BINARY, data);
  }

  /**
   * Closes the websocket: sends a close frame (default code 1000), then ends the connection.
   * Safe to call at any time, more than once.
   */
  override async close(code = 1000, reason = ""): Promise<void> {
    await this.#link.close(code, reason);
    await super.close();
  }
}

/** Writes masked client frames to the socket, and remembers the closing handshake. */
class FrameWriter {
  received: WebSocketClose | undefined;
  #closeSent = false;

  constructor(
    readonly socket: Duplex,
    readonly facts: RequestFacts,
    readonly failure: (err: unknown) => DockerError,
  ) {}

  send(opcode: number, payload: Uint8Array): Promise<void> {
    if (this.#closeSent || this.socket.destroyed || this.socket.writableEnded) {
      return Promise.reject(new DockerError("Cannot send on a websocket that is closed or closing", { ...this.facts }));
    }
    return new Promise<void>((resolve, reject) => {
      this.socket.write(encodeFrame(opcode, payload), (err) => (err ? reject(this.failure(err)) : resolve()));
    });
  }

  /** Answers a ping; a failure shows up on the read side anyway. */
  pong(payload: Uint8Array): void {
    if (!this.#closeSent && !this.socket.destroyed) this.socket.write(encodeFrame(PONG, payload));
  }

  /** The daemon closed: echo its code, as the protocol asks, and end our side. */
  closedByPeer(close: WebSocketClose): void {
    this.received = close;
    if (this.#closeSent || this.socket.destroyed) return;
    this.#closeSent = true;
    this.socket.end(encodeFrame(CLOSE, closePayload(close.code, "")));
  }

  /** Sends our close frame and waits (briefly) until it left; the caller then destroys the socket. */
  async close(code: number, reason: string): Promise<void> {
    if (this.#closeSent || this.socket.destroyed || this.socket.writableEnded) return;
    this.#closeSent = true;
    const frame = encodeFrame(CLOSE, closePayload(code, reason));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLOSE_FLUSH_MS);
      this.socket.end(frame, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/**
 * Decodes the daemon's frames: yields data payloads, handles control frames on the way. Data
 * frames are pieces of one byte stream here, so their bytes are handed out as they arrive and a
 * frame is never held whole: memory stays at the socket's chunk size whatever length a frame
 * declares. Only control frames (at most 125 bytes) are gathered before they are acted on.
 */
class FrameReader extends DecodingIterator<Uint8Array> {
  readonly #link: FrameWriter;
  readonly #facts: RequestFacts;
  #pieces: Uint8Array[] = [];
  #size = 0;
  /** Payload bytes of the current data frame not yet handed out. */
  #remaining = 0;
  /** Inside a fragmented data message (continuation frames are expected). */
  #fragmented = false;
  #closed = false;

  constructor(source: AsyncIterable<Uint8Array>, link: FrameWriter, facts: RequestFacts) {
    super(source);
    this.#link = link;
    this.#facts = facts;
  }

  protected write(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.#closed) return;
    this.#pieces.push(chunk);
    this.#size += chunk.length;
  }

  protected read(): Uint8Array | undefined {
    for (;;) {
      if (this.#closed || this.#size === 0) return undefined;
      if (this.#remaining > 0) return this.#payloadPiece();
      const head = this.#head();
      if (head === undefined) return undefined;
      const { fin, opcode, header, length } = head;
      if (opcode >= CLOSE) {
        if (!fin || length > MAX_CONTROL_PAYLOAD) throw this.#error("a malformed control frame");
        if (this.#size < header + length) return undefined;
        this.#take(header);
        this.#control(opcode, this.#take(length));
        continue;
      }
      if (opcode === CONTINUATION ? !this.#fragmented : this.#fragmented || (opcode !== TEXT && opcode !== BINARY)) {
        throw this.#error(`an unexpected frame (opcode ${opcode})`);
      }
      this.#take(header);
      this.#fragmented = !fin;
      this.#remaining = length;
    }
  }

  protected end(): void {
    // The daemon may simply close the connection when the container's output ends.
    if ((this.#size > 0 || this.#remaining > 0) && !this.#closed) throw this.#error("a truncated frame");
  }

  protected override dispose(): void {
    this.#pieces = [];
    this.#size = 0;
  }

  /** As much of the current data frame as the first buffered chunk holds, as a view of it. */
  #payloadPiece(): Uint8Array {
    const first = this.#pieces[0]!;
    const piece = this.#take(Math.min(this.#remaining, first.length));
    this.#remaining -= piece.length;
    return piece;
  }

  #control(opcode: number, payload: Uint8Array): void {
    if (opcode === PING) this.#link.pong(payload);
    else if (opcode === CLOSE) {
      this.#closed = true;
      this.dispose();
      const code = payload.length >= 2 ? (payload[0]! << 8) | payload[1]! : undefined;
      this.#link.closedByPeer({ code, reason: decoder.decode(payload.subarray(2)) });
    } else if (opcode !== PONG) throw this.#error(`an unknown control frame (opcode ${opcode})`);
  }

  /** The next frame's header, left buffered, or `undefined` while more bytes are needed. */
  #head(): { fin: boolean; opcode: number; header: number; length: number } | undefined {
    if (this.#size < 2) return undefined;
    const start = this.#peek(Math.min(this.#size, 10));
    const first = start[0]!;
    const second = start[1]!;
    if (first & 0x70) throw this.#error("a frame with reserved bits set (no extension was negotiated)");
    if (second & 0x80) throw this.#error("a masked frame (servers must not mask)");
    let length = second & 0x7f;
    let header = 2;
    if (length === 126) {
      header = 4;
      if (start.length < header) return undefined;
      length = (start[2]! << 8) | start[3]!;
    } else if (length === 127) {
      header = 10;
      if (start.length < header) return undefined;
      const high = (start[2]! << 24) | (start[3]! << 16) | (start[4]! << 8) | start[5]!;
      // The top bit must be zero; a length past 2^53 cannot be counted exactly, and no stream ends there.
      if (high < 0 || high >= 0x20_0000) throw this.#error("a frame with an impossible length");
      const low = ((start[6]! << 24) | (start[7]! << 16) | (start[8]! << 8) | start[9]!) >>> 0;
      length = high * 0x1_0000_0000 + low;
    }
    return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, header, length };
  }

  /** The first `n` buffered bytes, without consuming them. */
  #peek(n: number): Uint8Array {
    const first = this.#pieces[0]!;
    if (first.length >= n) return first.subarray(0, n);
    const out = new Uint8Array(n);
    let at = 0;
    for (const piece of this.#pieces) {
      const part = piece.subarray(0, n - at);
      out.set(part, at);
      at += part.length;
      if (at === n) break;
    }
    return out;
  }

  /** Consumes `n` buffered bytes: a view when they sit in one chunk, one copy otherwise. */
  #take(n: number): Uint8Array {
    this.#size -= n;
    const first = this.#pieces[0];
    if (first !== undefined && first.length >= n) {
      if (first.length === n) this.#pieces.shift();
      else this.#pieces[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const piece = this.#pieces[0]!;
      const part = piece.subarray(0, n - at);
      out.set(part, at);
      at += part.length;
      if (part.length === piece.length) this.#pieces.shift();
      else this.#pieces[0] = piece.subarray(part.length);
    }
    return out;
  }

  #error(what: string): DockerProtocolError {
    return new DockerProtocolError(`The daemon sent ${what} on the websocket`, { ...this.#facts });
  }
}

/**
 * The source, except that once the daemon's close frame arrived a failing read is just the end:
 * the daemon drops the connection right after closing, often before our reply is written.
 */
function quietAfterClose(bytes: AsyncIterable<Uint8Array>, link: FrameWriter): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      const source = bytes[Symbol.asyncIterator]();
      return {
        async next() {
          try {
            return await source.next();
          } catch (err) {
            if (link.received !== undefined) return { done: true, value: undefined };
            throw err;
          }
        },
        async return() {
          await source.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/** One final, masked client frame. */
function encodeFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = new Uint8Array(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (header === 2) frame[1] = 0x80 | length;
  else if (header === 4) {
    frame[1] = 0x80 | 126;
    frame[2] = length >>> 8;
    frame[3] = length & 0xff;
  } else {
    frame[1] = 0x80 | 127;
    const view = new DataView(frame.buffer);
    view.setUint32(2, Math.floor(length / 0x1_0000_0000));
    view.setUint32(6, length >>> 0);
  }
  const mask = crypto.getRandomValues(new Uint8Array(4));
  frame.set(mask, header);
  const at = header + 4;
  for (let i = 0; i < length; i++) frame[at + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}

function closePayload(code: number | undefined, reason: string): Uint8Array {
  if (code === undefined) return new Uint8Array(0);
  // Control frames carry at most 125 bytes: 2 for the code, the rest for the reason.
  const text = encoder.encode(reason).subarray(0, 123);
  const payload = new Uint8Array(2 + text.length);
  payload[0] = code >>> 8;
  payload[1] = code & 0xff;
  payload.set(text, 2);
  return payload;
}

function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}
