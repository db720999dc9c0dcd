import { DockerTLSError, type RequestFacts } from "../core/errors.js";

/** The probe runs only after a failure, so it must not prolong that failure much. */
const PROBE_TIMEOUT = 3000;

/** What is known of a plain connection that failed: how much it read, and where it went. */
export interface HungUpSocket {
  bytesRead?: number | undefined;
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
}

/**
 * The error for a plain-TCP request a TLS server hung up on. A TLS server that receives plain
 * HTTP (dockerd with `--tls` on 2376, or a TLS proxy) closes the connection without a byte, which
 * alone reads like a daemon that closed the connection; so when a plain TCP connection was hung up
 * on before any answer, one TLS handshake with the same address tells whether that is what
 * happened. `undefined` when it is not (or the socket was not TCP, or read something).
 */
export async function plainTextToTLS(
  socket: HungUpSocket | undefined,
  host: string,
  facts: RequestFacts,
  cause: unknown,
): Promise<DockerTLSError | undefined> {
  const { bytesRead, remoteAddress, remotePort } = socket ?? {};
  if (bytesRead !== 0 || remoteAddress === undefined || remotePort === undefined) return undefined;
  if (!(await speaksTLS(remoteAddress, remotePort))) return undefined;
  const message =
    `Cannot connect to the Docker daemon at ${host}: it speaks TLS, and the client connected without TLS; ` +
    "turn TLS on (the tls option, DOCKER_TLS_VERIFY=1 with DOCKER_CERT_PATH, or a context with TLS material)";
  return new DockerTLSError(message, { ...facts, host, reason: "tls", cause });
}

/**
 * Whether `address:port` takes part in a TLS handshake: it completes, or the server answers with
 * a TLS alert (e.g. one asking for a client certificate). Nothing is sent but the handshake, and
 * the server's certificate is not checked: only whether it speaks TLS at all.
 */
async function speaksTLS(address: string, port: number): Promise<boolean> {
  const { connect } = await import("node:tls");
  return new Promise<boolean>((resolve) => {
    const socket = connect({ host: address, port, rejectUnauthorized: false });
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), PROBE_TIMEOUT);
    socket.once("secureConnect", () => done(true));
    // An alert is the server speaking TLS; other failures (a reset, plain text where a
    // ServerHello should be: "wrong version number") are not.
    socket.once("error", (err: { code?: unknown }) => done(/^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_/.test(String(err.code))));
  });
}
