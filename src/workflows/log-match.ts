import { ContainerExitedError } from "../core/errors.js";
import { checkFields } from "../core/shape.js";
import type { RequestOptions } from "../core/types.js";
import type { ContainerOperations } from "../resources/containers.js";
import type { StreamName } from "../streams/demux.js";
import { Deadline } from "./deadline.js";

/** Options of `containers.waitFor`. */
export interface WaitForOptions extends RequestOptions {
  /** The line to wait for: a pattern, or text the line must contain. */
  log: RegExp | string;
  /** Which output to search (default both). */
  stream?: StreamName | "both";
  /**
   * Only look at output from this time on (a `Date`, or Unix seconds), e.g. to ignore what a
   * restarted container printed before. By default the whole log is searched, so a line printed
   * before the wait started counts.
   */
  since?: Date | number;
}

/** The line `containers.waitFor` was waiting for. */
export interface LogMatch {
  /** The whole line, without its line ending. */
  line: string;
  /** The output it appeared on. */
  stream: StreamName;
  /** The pattern's match within the line (capture groups included). */
  match: RegExpExecArray;
}

/** Lines of output kept to explain a container that exited without printing the line. */
const TAIL_LINES = 20;
/** Output without a line break for this long is looked at as a line, so memory stays bounded. */
const MAX_LINE = 1 << 20;

/**
 * Follows the container's logs until a line matches; see `Containers.waitFor`. The log stream is
 * closed as soon as the line is found.
 */
export async function waitForLog(containers: ContainerOperations, id: string, options: WaitForOptions): Promise<LogMatch> {
  const pattern = toPattern(options.log);
  const wanted = options.stream ?? "both";
  const deadline = new Deadline(`waiting for ${pattern} in the logs of container ${id}`, options.signal, options.timeout);
  const lines = new LineSplitter();
  try {
    const since = options.since instanceof Date ? Math.floor(options.since.getTime() / 1000) : options.since;
    const output = await containers.logs(
      id,
      { follow: true, stdout: wanted !== "stderr", stderr: wanted !== "stdout", since },
      { signal: deadline.signal },
    );
    for await (const frame of output) {
      for (const line of lines.push(frame.stream, frame.data)) {
        const found = match(pattern, line, frame.stream);
        if (found) return found;
      }
    }
    for (const [stream, line] of lines.flush()) {
      const found = match(pattern, line, stream);
      if (found) return found;
    }
    // A followed log ends when the container stops: the line will not come.
    const info = await containers.inspect(id, undefined, { signal: deadline.signal });
    checkFields(info, { "State.ExitCode": "number" });
    const exitCode = info.State?.ExitCode;
    throw new ContainerExitedError(`Container ${id} stopped (exit code ${exitCode ?? "unknown"}) without printing ${pattern}`, {
      containerId: id,
      exitCode,
      output: lines.tail(),
    });
  } catch (err) {
    throw deadline.explain(err, `last output: ${JSON.stringify(lines.tail().slice(-300))}`);
  } finally {
    deadline.release();
  }
}

/** A pattern without global/sticky state (their `lastIndex` would make repeated tests skip). */
function toPattern(log: RegExp | string): RegExp {
  if (typeof log === "string") return new RegExp(log.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(log.source, log.flags.replace(/[gy]/g, ""));
}

function match(pattern: RegExp, line: string, stream: StreamName): LogMatch | undefined {
  const found = pattern.exec(line);
  return found ? { line, stream, match: found } : undefined;
}

/**
 * Cuts each stream's bytes into lines (UTF-8 split across frames is joined; `\r\n` from a TTY is
 * one ending) and remembers the last few lines for error messages.
 */
class LineSplitter {
  readonly #partial = new Map<StreamName, { decoder: InstanceType<typeof TextDecoder>; text: string }>();
  readonly #recent: string[] = [];

  /** The complete lines `data` finishes. */
  push(stream: StreamName, data: Uint8Array): string[] {
    let state = this.#partial.get(stream);
    if (!state) this.#partial.set(stream, (state = { decoder: new TextDecoder(), text: "" }));
    const text = state.text + state.decoder.decode(data, { stream: true });
    const parts = text.split("\n");
    state.text = parts.pop() ?? "";
    if (state.text.length > MAX_LINE) {
      parts.push(state.text);
      state.text = "";
    }
    return parts.map((line) => this.#remember(line.endsWith("\r") ? line.slice(0, -1) : line));
  }

  /** Unfinished last lines, once the output ended. */
  flush(): [StreamName, string][] {
    const rest: [StreamName, string][] = [];
    for (const [stream, state] of this.#partial) {
      const text = state.text + state.decoder.decode();
      state.text = "";
      if (text !== "") rest.push([stream, this.#remember(text)]);
    }
    return rest;
  }

  /** The last lines seen, joined. */
  tail(): string {
    return this.#recent.join("\n");
  }

  #remember(line: string): string {
    this.#recent.push(line);
    if (this.#recent.length > TAIL_LINES) this.#recent.shift();
    return line;
  }
}
