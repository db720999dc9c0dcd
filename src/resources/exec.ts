import type { ExecInspectResponse, IDResponse } from "../../generated/schemas.js";
import { DockerAbortError, DockerArgumentError } from "../core/errors.js";
import type { JsonBody, QueryParams, RequestOptions } from "../core/types.js";
import type { OutputStream } from "../streams/output-stream.js";
import type { HijackedStream, OutputWrapper } from "../streams/stdio.js";
import { execStartFailures } from "./exec-failure.js";
import { Resource } from "./resource.js";

/** Body of `exec.start`. */
export type ExecStartParams = NonNullable<JsonBody<"ExecStart">>;

/**
 * The exec operations of the API: commands run inside a running container ({@link Exec} adds
 * the `run` workflow).
 *
 * @example
 * ```ts
 * const { exitCode, stdout } = await docker.exec.run(containerId, ["ls", "/"]);
 * const { Id } = await docker.exec.create(containerId, { Cmd: ["ls", "/"], AttachStdout: true });
 * const { stdout: listing } = await (await docker.exec.start(Id)).text();
 * ```
 */
export class ExecOperations extends Resource {
  /** Prepares a command to run in a container; start it with {@link ExecOperations.start}. */
  create(containerId: string, config: JsonBody<"ContainerExec">, options?: RequestOptions): Promise<IDResponse> {
    return this.core.call("ContainerExec", { path: { id: containerId }, body: config }, options);
  }

  /**
   * Starts a prepared command. With `Detach: true` it resolves once started. Otherwise it
   * resolves to the command's output; with `stdin: true` (the exec created with `AttachStdin`)
   * to a hijacked connection whose `write()`/`end()` feed the command's input. `Tty` must match
   * the exec's: it decides whether the output is multiplexed.
   *
   * When the command cannot start (no such executable, unknown user, …) the daemon reports it
   * inside the output; reading the output then throws a `DockerStreamError` with its message.
   * @example
   * ```ts
   * const session = await docker.exec.start(Id, { stdin: true });
   * await session.write("hello\n");
   * await session.end();
   * const { stdout } = await session.output.text();
   * ```
   */
  start(id: string, params: ExecStartParams & { Detach: true; stdin?: false }, options?: RequestOptions): Promise<void>;
  start(id: string, params: ExecStartParams & { stdin: true }, options?: RequestOptions): Promise<HijackedStream>;
  start(id: string, params?: ExecStartParams & { stdin?: false }, options?: RequestOptions): Promise<OutputStream>;
  async start(
    id: string,
    params: ExecStartParams & { stdin?: boolean } = {},
    options: RequestOptions = {},
  ): Promise<OutputStream | HijackedStream | void> {
    const { stdin, ...body } = params;
    const init = { path: { id }, body };
    if (body.Detach) {
      if (stdin) throw new DockerArgumentError("exec.start cannot write stdin to a detached command");
      // Detached, the daemon answers with nothing once the command started.
      return this.core.call("ExecStart", init, { ...options, as: "none" });
    }
    const wrapOutput: OutputWrapper = (bytes, stream) => execStartFailures(bytes, stream, (line) => this.#fromDaemon(id, line, options));
    return this.core.call("ExecStart", init, { ...options, tty: body.Tty ?? false, wrapOutput, hijack: stdin });
  }

  /** Returns the command's state, including `ExitCode` once it finished. */
  inspect(id: string, options?: RequestOptions): Promise<ExecInspectResponse> {
    return this.core.call("ExecInspect", { path: { id } }, options);
  }

  /** Resizes the command's TTY. */
  resize(id: string, size: QueryParams<"ExecResize">, options?: RequestOptions): Promise<void> {
    return this.core.call("ExecResize", { path: { id }, query: size }, options);
  }

  /**
   * Whether a CRLF line opening the output is the daemon's failure message: it names this exec
   * ("already running/run"), or the command never got a process and is not running.
   */
  async #fromDaemon(id: string, line: string, options: RequestOptions): Promise<boolean> {
    if (line.includes(id)) return true;
    try {
      const info = await this.inspect(id, { signal: options.signal });
      return info.Running === false && !info.Pid;
    } catch (err) {
      if (err instanceof DockerAbortError) throw err;
      // Without the exec's state we cannot tell; the output is then the command's.
      return false;
    }
  }
}
