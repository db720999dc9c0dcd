import { DockerArgumentError, DockerConnectionError, DockerProtocolError } from "../core/errors.js";
import { checkFields, requireField } from "../core/shape.js";
import type { RequestOptions } from "../core/types.js";
import { concatBytes } from "../internal/bytes.js";
import type { OutputStream, OutputText } from "../streams/output-stream.js";
import type { ExecOperations } from "../resources/exec.js";
import { Deadline } from "./deadline.js";
import { converse, environment, type EnvironmentInput, type StdinSource } from "./stdio.js";

/** Options of `exec.run`. */
export interface ExecRunOptions extends RequestOptions {
  /**
   * Input for the command, which sees end-of-file once it is all written. Without it the
   * command's stdin is not attached at all.
   */
  stdin?: StdinSource | undefined;
  /** Extra environment variables, as `["NAME=value"]` or `{ NAME: "value" }`. */
  env?: EnvironmentInput | undefined;
  /** Working directory inside the container. */
  workingDir?: string | undefined;
  /** User (and group) to run as: `name`, `uid`, `name:group` or `uid:gid`. */
  user?: string | undefined;
  /** Run under a TTY: everything arrives as stdout, with terminal line endings. */
  tty?: boolean | undefined;
  /** Run with extended privileges. */
  privileged?: boolean | undefined;
}

/** What a finished `exec.run` returns. Output is decoded as UTF-8. */
export interface ExecRunResult {
  /** The command's exit code. */
  exitCode: number;
  /** Its standard output. */
  stdout: string;
  /** Its error output (empty with a TTY). */
  stderr: string;
}

/** First and longest pause between exec inspections while the daemon records the exit code. */
const POLL_FIRST_MS = 5;
const POLL_MAX_MS = 200;
/** How long a finished exec may go without an exit code before we call the daemon's answer broken. */
const EXIT_CODE_GRACE_MS = 5_000;
/** How long a command may keep running after its connection broke before the break counts as the failure. */
const LOST_GRACE_MS = 1_000;

/** Creates, starts and waits for one command; see `Exec.run`. */
export async function runExec(
  exec: ExecOperations,
  containerId: string,
  cmd: readonly string[],
  options: ExecRunOptions = {},
): Promise<ExecRunResult> {
  if (cmd.length === 0 || cmd.some((arg) => typeof arg !== "string")) {
    throw new DockerArgumentError("exec.run needs a command: a non-empty array of strings");
  }
  const { stdin, tty = false } = options;
  const deadline = new Deadline("exec.run", options.signal, options.timeout);
  const call = { signal: deadline.signal };
  try {
    const created = await exec.create(
      containerId,
      {
        Cmd: [...cmd],
        AttachStdin: stdin !== undefined,
        AttachStdout: true,
        AttachStderr: true,
        Tty: tty,
        Env: environment(options.env),
        WorkingDir: options.workingDir,
        User: options.user,
        Privileged: options.privileged,
      },
      call,
    );
    const id = requireField(created, "Id", "string");
    const { lost, ...output }: Collected =
      stdin === undefined
        ? await (await exec.start(id, { Tty: tty }, call)).text()
        : await converse(await exec.start(id, { Tty: tty, stdin: true }, call), stdin, collect);
    return { exitCode: await exitCode(exec, id, deadline, lost), ...output };
  } catch (err) {
    throw deadline.explain(err);
  } finally {
    deadline.release();
  }
}

/** The output of a run with stdin, and the connection failure that cut it short, if one did. */
interface Collected extends OutputText {
  lost?: DockerConnectionError | undefined;
}

/**
 * Reads the output, keeping what arrived if the connection breaks. A command that exits without
 * reading all its input can make the daemon (or a proxy) reset the connection rather than close
 * it, and our pending write then takes the read side down with it; whether that was the end or a
 * failure is for the exec's state to say (see {@link exitCode}).
 */
async function collect(output: OutputStream): Promise<Collected> {
  const pieces = { stdout: [] as Uint8Array[], stderr: [] as Uint8Array[] };
  let lost: DockerConnectionError | undefined;
  try {
    for await (const { stream, data } of output) pieces[stream].push(data);
  } catch (err) {
    if (!(err instanceof DockerConnectionError)) throw err;
    lost = err;
  }
  const utf8 = (bytes: Uint8Array[]) => new TextDecoder().decode(concatBytes(bytes));
  return { stdout: utf8(pieces.stdout), stderr: utf8(pieces.stderr), lost };
}

/**
 * The exit code, once the daemon recorded it. The output ends when the command closes it, which
 * is usually an instant before the daemon notices the exit, and may be long before it for a
 * command that closed its output and kept running — so this polls, with a growing pause. After
 * a `lost` connection, a command still running a moment later means the loss was a failure.
 */
async function exitCode(exec: ExecOperations, id: string, deadline: Deadline, lost?: DockerConnectionError): Promise<number> {
  let pause = POLL_FIRST_MS;
  const since = Date.now();
  for (;;) {
    const info = await exec.inspect(id, { signal: deadline.signal });
    checkFields(info, { Running: "boolean", ExitCode: "number" });
    const waited = Date.now() - since;
    if (!info.Running) {
      if (typeof info.ExitCode === "number") return info.ExitCode;
      if (waited > EXIT_CODE_GRACE_MS) {
        throw new DockerProtocolError(`The daemon reports exec ${id} as finished but gives no exit code`);
      }
    } else if (lost && waited > LOST_GRACE_MS) {
      throw lost;
    }
    await deadline.sleep(pause);
    pause = Math.min(pause * 2, POLL_MAX_MS);
  }
}
