/**
 * Asks a credential helper (`docker-credential-<name> get`) for a registry's credentials, using the
 * protocol the Docker CLI uses: server URL on stdin, `{ ServerURL, Username, Secret }` on stdout,
 * errors as text on stdout with a non-zero exit.
 */
import { Buffer } from "node:buffer";
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { CredentialHelperError, DockerAbortError } from "../core/errors.js";
import { type AuthConfig, isJsonObject, jsonField } from "./auth-config.js";
import { scrub } from "./scrub.js";

/** Options for {@link getHelperCredentials}. */
export interface CredentialHelperOptions {
  /** Milliseconds the helper may take before it is killed and the call fails. Default 10 000. */
  timeout?: number;
  /** Kills the helper and rejects with `DockerAbortError` when it fires. */
  signal?: AbortSignal;
  /** Environment the helper runs with, PATH included (the helper is looked up on it). Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** How long a credential helper may run by default, in milliseconds. */
export const DEFAULT_HELPER_TIMEOUT = 10_000;

const PREFIX = "docker-credential-";
// Fixed wording every helper uses for "nothing stored for this server".
const NOT_FOUND_MESSAGE = "credentials not found in native keychain";
// The other fixed messages of docker/docker-credential-helpers: the only stderr text we ever quote,
// since anything else a helper prints there (a stack trace, a debug dump) may hold the secret.
const KNOWN_MESSAGES = new Set([NOT_FOUND_MESSAGE, "no credentials server URL", "no credentials username"]);
// Username a helper reports when Secret is an identity token rather than a password.
const TOKEN_USERNAME = "<token>";
const MAX_OUTPUT_BYTES = 1 << 20;
// Names become part of a program name; anything that could form a path is refused.
const VALID_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

interface HelperOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

function helperError(helper: string, message: string, cause?: unknown): CredentialHelperError {
  return new CredentialHelperError(`credential helper ${PREFIX}${helper} ${message}`, { helper, cause });
}

function startFailure(helper: string, err: NodeJS.ErrnoException): CredentialHelperError {
  if (err.code === "ENOENT") return helperError(helper, "is not installed (not found on PATH)", err);
  if (err.code === "EACCES") return helperError(helper, "is not executable", err);
  return helperError(helper, `could not be started (${err.code ?? err.message})`, err);
}

// Runs `docker-credential-<helper> get` with the server URL on stdin; settles exactly once.
function runGet(helper: string, serverUrl: string, options: CredentialHelperOptions): Promise<HelperOutput> {
  const timeout = options.timeout ?? DEFAULT_HELPER_TIMEOUT;
  const { signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DockerAbortError(`credential helper ${PREFIX}${helper} was aborted`, { cause: signal.reason }));
      return;
    }
    // Its own process group, so that killing it reaches whatever it started too.
    const detached = process.platform !== "win32";
    const child = spawn(PREFIX + helper, ["get"], {
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
      windowsHide: true,
      detached,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let settled = false;

    const finish = (error: Error | undefined, output?: HelperOutput) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (error) {
        // Kill the helper's whole group and drop our pipe ends, so no grandchild lives on or keeps us waiting.
        killGroup(child, detached);
        child.stdout?.destroy();
        child.stderr?.destroy();
        reject(error);
      } else if (output) {
        resolve(output);
      }
    };
    const onAbort = () =>
      finish(new DockerAbortError(`credential helper ${PREFIX}${helper} was aborted`, { cause: signal?.reason }));
    const timer = setTimeout(() => finish(helperError(helper, `did not answer within ${timeout} ms`)), timeout);
    signal?.addEventListener("abort", onAbort, { once: true });

    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) finish(helperError(helper, "wrote more output than any credentials need"));
      else into.push(chunk);
    };
    child.stdout?.on("data", collect(stdout));
    child.stderr?.on("data", collect(stderr));
    child.on("error", (err) => finish(startFailure(helper, err)));
    const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString("utf8");
    child.on("close", (code) => finish(undefined, { code, stdout: text(stdout), stderr: text(stderr) }));
    // A helper may exit without reading stdin; the resulting EPIPE is not our failure.
    child.stdin?.on("error", () => {});
    child.stdin?.end(serverUrl);
  });
}

/** Kills a helper and, when it leads its own process group, everything in that group. */
function killGroup(child: ChildProcess, detached: boolean): void {
  if (detached && child.pid !== undefined) {
    try {
      process.kill(-child.pid, "SIGKILL");
      return;
    } catch {
      // The group is gone already (or never formed): fall back to the helper itself.
    }
  }
  child.kill("SIGKILL");
}

// Secrets a helper printed alongside an error (a "Secret" JSON member anywhere in its output), so
// they can be cut out of the message wherever else they appear.
function secretsIn(output: string): string[] {
  const secrets: string[] = [];
  for (const [, quoted] of output.matchAll(/"secret"\s*:\s*("(?:[^"\\]|\\.)*")/gi)) {
    try {
      secrets.push(JSON.parse(quoted ?? '""') as string);
    } catch {
      secrets.push((quoted ?? "").slice(1, -1));
    }
  }
  return secrets;
}

function credentialsFrom(helper: string, serverUrl: string, stdout: string): AuthConfig | undefined {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch {
    // Never quote the output: it may be credentials in a shape we do not understand.
    throw helperError(helper, "answered with something that is not credentials JSON");
  }
  if (!isJsonObject(value)) throw helperError(helper, "answered with something that is not credentials JSON");
  const username = jsonField(value, "Username") ?? "";
  const secret = jsonField(value, "Secret") ?? "";
  if (typeof username !== "string" || typeof secret !== "string") {
    throw helperError(helper, "answered with a non-string Username or Secret");
  }
  if (username === "" && secret === "") return undefined;
  if (username === TOKEN_USERNAME) return { identitytoken: secret, serveraddress: serverUrl };
  return { username, password: secret, serveraddress: serverUrl };
}

/**
 * Gets the credentials `docker-credential-<helper>` holds for `serverUrl` (a credential key such as
 * `https://index.docker.io/v1/` or `ghcr.io`). Resolves to `undefined` when the helper has none.
 * Rejects with `CredentialHelperError` (naming the helper, with its message scrubbed of anything
 * credential-like) when the helper is missing, fails, answers nonsense or exceeds `timeout`; what
 * it wrote on stderr is quoted only when it is one of the helpers' fixed messages. A helper that
 * runs over `timeout` or is aborted is killed with every process it started.
 */
export async function getHelperCredentials(
  helper: string,
  serverUrl: string,
  options: CredentialHelperOptions = {},
): Promise<AuthConfig | undefined> {
  if (!VALID_NAME.test(helper)) {
    throw new CredentialHelperError(`credential helper name ${JSON.stringify(helper)} is not valid`, { helper });
  }
  const { code, stdout, stderr } = await runGet(helper, serverUrl, options);
  if (code === 0) return credentialsFrom(helper, serverUrl, stdout);
  if (stdout.trim() === NOT_FOUND_MESSAGE || stderr.trim() === NOT_FOUND_MESSAGE) return undefined;
  // Helpers report errors on stdout (the protocol's channel), quoted here once scrubbed; stderr is
  // free text and quoted only when it is one of the helpers' fixed messages.
  const known = KNOWN_MESSAGES.has(stderr.trim()) ? stderr.trim() : "";
  const exit = `exited with ${code === null ? "a signal" : `code ${code}`}`;
  const unshown = stderr.trim() && !known ? " (its stderr is not shown: it may hold credentials)" : "";
  const detail = scrub(stdout.trim(), secretsIn(stdout)) || known || `${exit}${unshown}`;
  throw helperError(helper, `failed: ${detail}`);
}
