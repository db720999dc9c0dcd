/** The two ends of a hijacked connection, as a handler sees them. */
export interface HijackIO {
  /** Bytes the client sends after the upgrade (stdin); ends when the client half-closes. Empty without an upgrade. */
  input: AsyncIterable<Uint8Array>;
  /** Sends bytes to the client, resolving once they are handed to the socket. */
  write(chunk: Uint8Array): Promise<void>;
  /** Aborted when the client goes away. */
  closed: AbortSignal;
}

/** A conversation run on a hijacked connection; the server closes the connection when `run` settles. */
export interface HijackSession {
  /** `application/vnd.docker.raw-stream` or `application/vnd.docker.multiplexed-stream`. */
  contentType: string;
  /** Talks to the client until the conversation is over. */
  run(io: HijackIO): Promise<void>;
}

/**
 * What the server should do instead of (or besides) writing a Response normally. Handlers must
 * return a Response to msw, so special behaviour rides on a marked Response object.
 */
export type Directive =
  | { kind: "hijack"; session: HijackSession }
  | { kind: "reset" }
  | { kind: "hang" }
  | { kind: "truncate"; response: Response; afterBytes: number };

const directives = new WeakMap<Response, Directive>();

/** Returns a placeholder Response that carries `directive` to the server. */
export function directiveResponse(directive: Directive, init?: ResponseInit): Response {
  const response = new Response(null, init);
  directives.set(response, directive);
  return response;
}

/** The directive attached to a Response by {@link directiveResponse}, if any. */
export function directiveOf(response: Response): Directive | undefined {
  return directives.get(response);
}
