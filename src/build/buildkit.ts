/**
 * Builds with BuildKit through the Engine API, as `docker buildx build` does against the
 * daemon's builtin BuildKit: open a session (`POST /session`, switched to h2c), serve the
 * session's gRPC services on it (the context and Dockerfile through FileSync, and whatever the
 * options ask for), then `POST /build?version=2&session=…&remote=client-session`. The daemon
 * pulls what the build needs over the session while the build runs. The session lives exactly as
 * long as the build's output stream: its end, an error, an abort or a timeout close both.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { DockerArgumentError } from "../core/errors.js";
import type { RequestCore } from "../core/request.js";
import type { RequestFacts } from "../core/errors.js";
import { Session } from "../resources/session.js";
import { DIFF_COPY, diffCopy, type TransferCounter } from "../session/filesync.js";
import { HEALTH_CHECK, healthCheck } from "../session/health.js";
import { authServices, credentialLookup } from "../session/auth.js";
import { serveGrpc, type GrpcHandler } from "../session/server.js";
import { contextDockerfile, contextRoot } from "./context.js";
import { type BuildOptions, type BuildParams, buildQuery } from "./options.js";
import { byteSource } from "./source.js";
import { BuildStream } from "./stream.js";
import { BuildTrace } from "./trace.js";

/** Where the daemon finds the context and the Dockerfile, and what to delete afterwards. */
interface LocalSources {
  /** `context` and `dockerfile` → directory. */
  dirs: Map<string, string>;
  /** The Dockerfile's name inside the `dockerfile` directory. */
  dockerfile: string;
  /** The context directory (names and keys the session). */
  root: string | undefined;
  /** A temporary directory holding `dockerfileContent`, removed when the build ends. */
  temporary: string | undefined;
}

async function localSources(params: BuildParams): Promise<LocalSources> {
  const { context, dockerfileContent } = params;
  const root = typeof context === "string" ? await contextRoot(context) : undefined;
  if (dockerfileContent === undefined) {
    if (root === undefined) throw new DockerArgumentError("A build needs a context, a dockerfileContent, or a remote");
    const path = contextDockerfile(params.dockerfile ?? "Dockerfile");
    const dirs = new Map([
      ["context", root],
      ["dockerfile", join(root, dirname(path))],
    ]);
    return { dirs, dockerfile: basename(path), root, temporary: undefined };
  }
  // Like the CLI with `-f -`: the text goes in a directory of its own; without a context
  // directory, the context is an empty one next to it.
  const temporary = await mkdtemp(join(tmpdir(), "dockhand-build-"));
  try {
    await writeFile(join(temporary, "Dockerfile"), dockerfileContent, { mode: 0o600 });
    let contextDir = root;
    if (contextDir === undefined) {
      contextDir = join(temporary, "context");
      await mkdir(contextDir);
    }
    const dirs = new Map([
      ["context", contextDir],
      ["dockerfile", temporary],
    ]);
    return { dirs, dockerfile: "Dockerfile", root, temporary };
  } catch (err) {
    await rm(temporary, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Keys the daemon's copy of the context between builds, so a rebuild transfers only what
 * changed: stable for one directory on one machine, different across machines sharing a daemon.
 */
function sharedKey(root: string | undefined): string {
  return createHash("sha256").update(`${machineName()}:${root ?? randomUUID()}`).digest("hex");
}

/**
 * This machine's name, or "" where the runtime will not tell (Deno without `--allow-sys`): the
 * key then rests on the directory alone, which still makes a rebuild incremental.
 */
function machineName(): string {
  try {
    return hostname();
  } catch {
    return "";
  }
}

/** Runs `source` to its end (or until the reader stops), then `cleanup`, told whether the end was reached. */
async function* closing(source: AsyncIterable<Uint8Array>, cleanup: (finished: boolean) => Promise<void>): AsyncGenerator<Uint8Array> {
  let finished = false;
  try {
    yield* source;
    finished = true;
  } finally {
    await cleanup(finished);
  }
}

/** How long stopping an abandoned build may take; it runs after the caller's own signal or timeout fired. */
const CANCEL_TIMEOUT = 10_000;

/** Starts a BuildKit build; resolves once the daemon accepted it, with its output stream. */
export async function buildKitBuild(core: RequestCore, params: BuildParams, options: BuildOptions = {}): Promise<BuildStream> {
  // A tar context is uploaded as the request body, which the daemon's BuildKit serves to the
  // Dockerfile frontend as the context (no remote); the Dockerfile is read from inside it.
  const tar = params.context !== undefined && typeof params.context !== "string" ? byteSource(params.context, "build context") : undefined;
  if (tar !== undefined && params.dockerfileContent !== undefined) {
    throw new DockerArgumentError("dockerfileContent needs a directory context (or none); add the Dockerfile to the tar instead");
  }
  if (tar !== undefined && params.remote !== undefined) throw new DockerArgumentError("A build takes a context or a remote, not both");
  const remote = params.remote;
  const services = new Map<string, GrpcHandler>([[HEALTH_CHECK, healthCheck]]);
  // The services only some builds ask for are loaded only then: every module is start-up time
  // of a build in a new process (measured on the bench rebuild).
  if (params.secrets) {
    const { GET_SECRET, getSecret, secretSources } = await import("../session/secrets.js");
    services.set(GET_SECRET, getSecret(await secretSources(params.secrets, process.env)));
  }
  const output = params.outputs === undefined ? undefined : (await import("./outputs.js")).exportTarget(params.outputs);
  if (output) services.set(output.method, output.handler);
  if (params.ssh) {
    const { CHECK_AGENT, checkAgent, FORWARD_AGENT, forwardAgent, sshAgents } = await import("../session/sshforward.js");
    const agents = await sshAgents(params.ssh, process.env, options.signal);
    services.set(CHECK_AGENT, checkAgent(agents)).set(FORWARD_AGENT, forwardAgent(agents));
  }
  // Not served with `authConfigs: false`: the daemon then pulls anonymously.
  if (options.authConfigs !== false) {
    for (const [method, handler] of authServices(credentialLookup(options.authConfigs, core.credentials))) services.set(method, handler);
  }
  // Last: the options are checked before a temporary Dockerfile directory exists to be cleaned up.
  const local = remote === undefined && tar === undefined ? await localSources(params) : undefined;
  const transfer: TransferCounter = { entries: 0, files: 0, bytes: 0 };
  if (local) services.set(DIFF_COPY, diffCopy(local.dirs, transfer));

  const removeTemporary = async () => {
    if (local?.temporary) await rm(local.temporary, { recursive: true, force: true });
  };
  let server: Awaited<ReturnType<typeof serveGrpc>> | undefined;
  const buildId = randomBytes(32).toString("hex");
  let sent = false;
  const end = async (finished: boolean) => {
    // A build left before its end (abort, timeout, the reader stopping) is stopped on the daemon,
    // as the CLI does: a closed connection alone leaves its running step behind. Best effort: the
    // build may be over already, or the client closed.
    if (sent && !finished) await core.call("BuildCancel", { query: { id: buildId } }, { timeout: CANCEL_TIMEOUT }).catch(() => {});
    server?.close();
    await server?.closed;
    await removeTemporary();
  };
  try {
    const session = await new Session(core).start(
      { name: local?.root ? basename(local.root) : "dockhand", sharedKey: sharedKey(local?.root), methods: [...services.keys()] },
      { signal: options.signal, timeout: options.timeout },
    );
    server = await serveGrpc(session.socket, services);
    const query = {
      ...buildQuery(params, local?.dockerfile ?? params.dockerfile),
      version: "2",
      remote: tar === undefined ? (remote ?? "client-session") : undefined,
      session: session.sessionId,
      buildid: buildId,
      outputs: output?.query,
    };
    sent = true;
    return await core.call("ImageBuild", { query, raw: tar }, {
      ...options,
      decode: (body: AsyncIterable<Uint8Array>, facts: RequestFacts, maxLine: number) =>
        new BuildStream(closing(body, end), facts, { trace: new BuildTrace(), transfer, maxLine, buildId, exportFailure: output?.failure }),
    });
  } catch (err) {
    await end(false);
    throw err;
  }
}
