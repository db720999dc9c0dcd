import { BuildError, DockerStreamError, type RequestFacts } from "../core/errors.js";
import { registryAuthError } from "../core/registry-errors.js";
import type { ProgressMessage } from "./progress.js";

/** The fields through which the daemon reports a failure inside a JSON-lines stream. */
type ErrorFields = Pick<ProgressMessage, "error" | "errorDetail">;

/** The words of an error field; one that is not text (a daemon that lies) is shown as its JSON. */
function wording(value: unknown): string {
  if (typeof value === "string") return value;
  return value === undefined || value === null ? "" : JSON.stringify(value).slice(0, 2000);
}

/** The daemon's words and code when `message` reports a failure, else `undefined`. */
function failureOf(message: ErrorFields): { text: string; code: number | undefined } | undefined {
  const { error, errorDetail } = message;
  if (errorDetail == null && (error == null || error === "")) return undefined;
  const text = wording(errorDetail?.message) || wording(error) || "The daemon reported an error without a message";
  return { text, code: typeof errorDetail?.code === "number" ? errorDetail.code : undefined };
}

/**
 * A message check that turns a JSON-lines error message (`error` / `errorDetail`) into a
 * {@link DockerStreamError} carrying the daemon's message and code (a {@link RegistryAuthError}
 * caused by it when a registry refused the credentials). Pull, push, load and plugin streams
 * report failures this way, after an HTTP 200.
 */
export function daemonErrorCheck(facts: RequestFacts = {}): (message: ErrorFields) => void {
  return (message) => {
    const failure = failureOf(message);
    if (failure) throw registryAuthError(new DockerStreamError(failure.text, { ...facts, code: failure.code }));
  };
}

/** How much build output a {@link BuildError} keeps: the end, where the failing step is. */
const BUILD_OUTPUT_LIMIT = 1 << 20;

/** The step that failed a BuildKit build and its last output, as the build's trace told. */
export interface FailedStep {
  step: string;
  output: string;
}

/**
 * A message check for builds: remembers the `stream` text of a classic build (its last MiB) and
 * turns an error message into a {@link BuildError} holding that output — or, for a BuildKit
 * build, naming the step `failedStep` reports and holding that step's output. `clientFailure`
 * gives what failed on the client side of the build (an export), kept as the error's `cause`.
 */
export function buildErrorCheck(
  facts: RequestFacts = {},
  failedStep?: () => FailedStep | undefined,
  clientFailure?: () => Error | undefined,
): (message: ProgressMessage) => void {
  let output = "";
  return (message) => {
    if (typeof message.stream === "string") {
      output += message.stream;
      // Trimming only when twice over the limit keeps the work linear.
      if (output.length > 2 * BUILD_OUTPUT_LIMIT) output = output.slice(-BUILD_OUTPUT_LIMIT);
    }
    const failure = failureOf(message);
    if (failure) {
      const failed = failedStep?.();
      const cause = clientFailure?.();
      const error = failed
        ? new BuildError(`${failed.step}: ${failure.text}`, { ...facts, cause, code: failure.code, output: failed.output, step: failed.step })
        : new BuildError(failure.text, { ...facts, cause, code: failure.code, output: output.slice(-BUILD_OUTPUT_LIMIT) });
      // A base image the registry refused to pull is a RegistryAuthError; its cause keeps the output.
      throw registryAuthError(error);
    }
  };
}
