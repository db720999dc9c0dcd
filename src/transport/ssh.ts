import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { createRequire } from "node:module";
import { Duplex } from "node:stream";
import type { SSHEndpoint } from "../config/endpoint.js";
import { sshCommand } from "../config/ssh.js";
import { DockerConnectionError, type ConnectionFailure } from "../core/errors.js";

/**
 * Most ssh connections one client keeps to an engine for calls, and as many again for streams
 * (unless the client's options say otherwise). Each is an ssh process plus a remote
 * `docker system dial-stdio`, and sshd starts refusing unauthenticated connections beyond 10 at
 * once (`MaxStartups 10:30:100`), so requests beyond this wait for a free connection. Long
 * streams (events, `logs --follow`) hold one of the streams' each while they run.
 */
export const SSH_POOL_SIZE = 8;

/** How much of ssh's stderr an error message repeats (the end of it, where the reason is). */
const STDERR_KEPT = 2000;

/**
 * Opens one HTTP connection to the engine behind an ssh endpoint: spawns ssh running
 * `docker system dial-stdio` on the remote host and returns its stdin/stdout as one duplex
 * stream. The pool takes one per kept-alive connection; hijacked exchanges take their own.
 *
 * Nothing goes through a shell. When ssh or the remote command fails, the stream is destroyed
 * with a {@link DockerConnectionError} carrying the end of ssh's stderr (which holds ssh's or the
 * remote docker's own explanation, never a password: ssh does not echo those).
 */
export function openSSH(endpoint: SSHEndpoint): Duplex {
  const { command, args } = sshCommand(endpoint);
  // Loaded on first use: most clients never reach an engine over ssh.
  const { spawn } = createRequire(import.meta.url)("node:child_process") as typeof import("node:child_process");
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], windowsHide: true });
  return new DialStdio(child, endpoint.host);
}

/** A child's stdin and stdout as one socket-like stream that undici and the hijack code can use. */
class DialStdio extends Duplex {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #host: string;
  #stderr = "";

  constructor(child: ChildProcessWithoutNullStreams, host: string) {
    super({ allowHalfOpen: true });
    this.#child = child;
    this.#host = host;
    child.stdout.on("data", (chunk: Uint8Array) => {
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => {
      this.#stderr = (this.#stderr + text).slice(-STDERR_KEPT);
    });
    // Writing after ssh died fails with EPIPE; the exit status below says why it died.
    child.stdin.on("error", () => {});
    child.once("error", (err: NodeJS.ErrnoException) => this.destroy(this.#spawnFailure(err)));
    // `close` comes after stdout and stderr are drained, so the whole stderr is known. The
    // remote dial-stdio exits as soon as the daemon hangs up, so this is also the end of data.
    child.once("close", (code: number | null) => {
      if (this.destroyed) return;
      if (code === 0) this.push(null);
      else this.destroy(this.#exitFailure(code));
    });
  }

  override _read(): void {
    this.#child.stdout.resume();
  }

  override _write(chunk: Uint8Array, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // A write fails (EPIPE) only when ssh is gone; its exit status and stderr, reported on
    // `close`, say why, where EPIPE would read as a reset connection.
    this.#child.stdin.write(chunk, () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    // Half-close: dial-stdio passes it on to the daemon (the end of a hijacked stdin).
    this.#child.stdin.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const child = this.#child;
    if (child.exitCode === null && child.signalCode === null) child.kill();
    child.stdout.destroy();
    child.stdin.destroy();
    callback(error);
  }

  /** Lets the pool keep an idle connection without holding the process open (net.Socket API). */
  ref(): this {
    this.#eachHandle((handle) => handle.ref?.());
    return this;
  }

  /** See {@link DialStdio.ref}. */
  unref(): this {
    this.#eachHandle((handle) => handle.unref?.());
    return this;
  }

  #eachHandle(call: (handle: { ref?: () => unknown; unref?: () => unknown }) => void): void {
    const child = this.#child;
    for (const handle of [child, child.stdin, child.stdout, child.stderr]) {
      call(handle as { ref?: () => unknown; unref?: () => unknown });
    }
  }

  #spawnFailure(err: NodeJS.ErrnoException): DockerConnectionError {
    const why = err.code === "ENOENT" ? "the ssh command is not installed or not on PATH" : `ssh could not be started (${err.code ?? err.message})`;
    return new DockerConnectionError(`Cannot connect to the Docker daemon at ${this.#host}: ${why}`, {
      host: this.#host,
      reason: "other",
      cause: err,
    });
  }

  #exitFailure(code: number | null): DockerConnectionError {
    const stderr = this.#stderr.trim();
    const status = code === null ? "ssh was killed" : code === 255 ? "ssh failed" : `the remote docker command exited with code ${code}`;
    return new DockerConnectionError(
      `Cannot connect to the Docker daemon at ${this.#host}: ${status}${stderr ? `: ${stderr}` : ""}`,
      { host: this.#host, reason: classify(stderr) },
    );
  }
}

/** Classifies the diagnostics of ssh and the remote docker CLI (English, long stable) into our reasons. */
function classify(stderr: string): ConnectionFailure {
  if (/Connection refused/i.test(stderr)) return "refused";
  if (/Could not resolve hostname|Name or service not known/i.test(stderr)) return "dns";
  if (/timed out/i.test(stderr)) return "timed-out";
  if (/Permission denied/i.test(stderr)) return "permission-denied";
  // The remote dial-stdio could not open the engine socket.
  if (/no such file or directory/i.test(stderr)) return "no-such-socket";
  if (/Connection (reset|closed)/i.test(stderr)) return "reset";
  return "other";
}
