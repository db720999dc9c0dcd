import type { components } from "../../generated/engine.js";
import type { AuthConfig } from "../auth/auth-config.js";
import { DockerArgumentError, NotFoundError } from "../core/errors.js";
import { requireField } from "../core/shape.js";
import type { RequestOptions } from "../core/types.js";
import type { ContainerCreateParams, ContainerOperations } from "../resources/containers.js";
import type { ImageOperations } from "../resources/images.js";
import type { DemuxTargets, OutputStream, OutputText } from "../streams/output-stream.js";
import { Deadline } from "./deadline.js";
import { converse, environment, type EnvironmentInput, type StdinSource } from "./stdio.js";

/** Options of `docker.run`. Everything is optional. */
export interface RunOptions extends RequestOptions {
  /** Environment variables, as `{ NAME: "value" }` or `["NAME=value"]`. */
  env?: EnvironmentInput;
  /**
   * Input for the container's main process, which sees end-of-file once it is all written.
   * Without it, stdin is not attached at all.
   */
  stdin?: StdinSource;
  /** Volumes, bind mounts and tmpfs mounts, as the API describes them. */
  mounts?: readonly components["schemas"]["Mount"][];
  /**
   * Published ports: container port (`"80"`, `"80/tcp"`, `"53/udp"`) to host port (`8080`, `0` for
   * any free port) or `"127.0.0.1:8080"` to bind one address.
   */
  ports?: Readonly<Record<string, number | string>>;
  /** Network to join (name or id), or `host`/`none`; the default bridge otherwise. */
  network?: string;
  /** Labels of the container, e.g. to find and remove leftovers by label. */
  labels?: Readonly<Record<string, string>>;
  /** Name of the container (the daemon picks one otherwise). */
  name?: string;
  /** Working directory inside the container. */
  workingDir?: string;
  /** User (and group) to run as: `name`, `uid`, `name:group` or `uid:gid`. */
  user?: string;
  /** Replaces the image's entrypoint. */
  entrypoint?: readonly string[];
  /** Run under a TTY: everything arrives as stdout, with terminal line endings. */
  tty?: boolean;
  /**
   * Where output goes while the container runs (`{ stdout: process.stdout, stderr: process.stderr }`).
   * With it, the result's `stdout` and `stderr` are empty: output is streamed, not kept.
   */
  output?: DemuxTargets;
  /** Keep the container after it exits (default: it is removed, with its anonymous volumes). */
  keep?: boolean;
  /** When to pull the image: `"missing"` (default), `"always"`, or `"never"`. */
  pull?: "missing" | "always" | "never";
  /** Registry credentials for the pull; looked up like the Docker CLI does when left out. */
  auth?: AuthConfig | false;
  /** Platform to pull and run, e.g. `linux/arm64`. */
  platform?: string;
  /**
   * Anything else of the create call (`HostConfig` settings such as `Memory` or `CapAdd`,
   * `Healthcheck`, …). Applied over what the options above produce; `HostConfig` is merged.
   */
  create?: Partial<ContainerCreateParams>;
}

/** What `docker.run` returns once the container exited. */
export interface RunResult {
  /** The container's id (removed already, unless `keep`). */
  containerId: string;
  /** The main process's exit code. A non-zero code is a result, not an error. */
  exitCode: number;
  /** Output decoded as UTF-8 (empty when `output` streamed it elsewhere). */
  stdout: string;
  /** Error output decoded as UTF-8 (empty with a TTY, or when `output` streamed it elsewhere). */
  stderr: string;
}

/** The resources `run` composes. */
export interface RunResources {
  containers: ContainerOperations;
  images: ImageOperations;
}

/** Cleanup after a failure must not hang on a stuck daemon. */
const CLEANUP_TIMEOUT = 30_000;

/** Pulls if needed, creates, starts, follows output, waits, removes; see `Docker.run`. */
export async function run(
  docker: RunResources,
  image: string,
  cmd: readonly string[] | undefined,
  options: RunOptions = {},
): Promise<RunResult> {
  if (typeof image !== "string" || image === "") throw new DockerArgumentError("docker.run needs an image reference");
  if (cmd !== undefined && (!Array.isArray(cmd) || cmd.some((arg) => typeof arg !== "string"))) {
    throw new DockerArgumentError("docker.run takes the command as an array of strings (or undefined for the image's default)");
  }
  const { containers, images } = docker;
  const params = createParams(image, cmd, options);
  const deadline = new Deadline(`docker.run(${image})`, options.signal, options.timeout);
  const call = { signal: deadline.signal };
  let id: string | undefined;
  try {
    const pullOptions = { ...call, auth: options.auth, platform: options.platform };
    if (options.pull === "always") await images.pull(image, pullOptions);
    // Like the CLI: create first and pull only when the daemon says the image is missing, which
    // saves a round trip on the common path where the image is there.
    const created = await containers.create(params, call).catch(async (err: unknown) => {
      if (!(err instanceof NotFoundError) || options.pull === "never" || options.pull === "always") throw err;
      await images.pull(image, pullOptions);
      return containers.create(params, call);
    });
    id = requireField(created, "Id", "string");
    const { output: reading } = await attachOutput(containers, id, options, call);
    // Settled by the `Promise.all` below, or dropped when the start fails and the container goes.
    reading.catch(() => {});
    await containers.start(id, undefined, call);
    const [output, exit] = await Promise.all([reading, containers.wait(id, undefined, call)]);
    if (!options.keep) await containers.remove(id, { force: true, v: true }, { timeout: CLEANUP_TIMEOUT });
    return { containerId: id, exitCode: requireField(exit, "StatusCode", "number"), ...output };
  } catch (err) {
    if (id !== undefined) await cleanUp(containers, id, options.keep ?? false);
    throw deadline.explain(err);
  } finally {
    deadline.release();
  }
}

/**
 * Attaches to the created container; once attached, resolves with `output`, the reading of its
 * output until it exits (feeding `stdin` if given). Attaching before the start, as `docker run` does, misses
 * nothing, whatever the log driver.
 */
async function attachOutput(
  containers: ContainerOperations,
  id: string,
  options: RunOptions,
  call: RequestOptions,
): Promise<{ output: Promise<OutputText> }> {
  const { stdin, output: targets } = options;
  const tty = options.tty ?? false;
  const read = async (output: OutputStream): Promise<OutputText> => {
    if (!targets) return output.text();
    await output.demux(targets);
    return { stdout: "", stderr: "" };
  };
  const query = { stream: true, stdout: true, stderr: true };
  if (stdin === undefined) {
    const output = await containers.attach(id, query, { ...call, tty });
    return { output: read(output) };
  }
  const session = await containers.attach(id, { ...query, stdin: true }, { ...call, tty });
  return { output: converse(session, stdin, read) };
}

/**
 * After a failure (timeout, abort, output target error): stop the container, and remove it unless
 * the caller keeps it. Failures here are secondary to the one being reported, so they are dropped.
 */
async function cleanUp(containers: ContainerOperations, id: string, keep: boolean): Promise<void> {
  const options = { timeout: CLEANUP_TIMEOUT };
  try {
    if (keep) await containers.kill(id, undefined, options);
    else await containers.remove(id, { force: true, v: true }, options);
  } catch {
    // Already stopped or gone is what we wanted; anything else cannot be helped from here.
  }
}

/** The create call for `run`'s options. */
function createParams(image: string, cmd: readonly string[] | undefined, options: RunOptions): ContainerCreateParams {
  const ports = options.ports ? portConfig(options.ports) : undefined;
  const extra = options.create ?? {};
  return {
    Image: image,
    Cmd: cmd ? [...cmd] : undefined,
    Entrypoint: options.entrypoint ? [...options.entrypoint] : undefined,
    Env: environment(options.env),
    Labels: options.labels ? { ...options.labels } : undefined,
    WorkingDir: options.workingDir,
    User: options.user,
    Tty: options.tty ?? false,
    AttachStdin: options.stdin !== undefined,
    OpenStdin: options.stdin !== undefined,
    // The process sees end-of-file once our input ends, not only when the container stops.
    StdinOnce: options.stdin !== undefined,
    AttachStdout: true,
    AttachStderr: true,
    ExposedPorts: ports?.exposed,
    name: options.name,
    platform: options.platform,
    ...extra,
    HostConfig: {
      Mounts: options.mounts ? [...options.mounts] : undefined,
      PortBindings: ports?.bindings,
      NetworkMode: options.network,
      ...extra.HostConfig,
    },
  };
}

type PortBinding = { HostIp: string; HostPort: string };

/** `ExposedPorts` and `PortBindings` for `run`'s `ports`. */
function portConfig(ports: Readonly<Record<string, number | string>>) {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, PortBinding[]> = {};
  for (const [port, host] of Object.entries(ports)) {
    const key = port.includes("/") ? port : `${port}/tcp`;
    exposed[key] = {};
    bindings[key] = [hostBinding(host)];
  }
  return { exposed, bindings };
}

/** `8080` → any address, port 8080; `"127.0.0.1:8080"`, `"[::1]:8080"` → that address; port 0 → any free port. */
function hostBinding(host: number | string): PortBinding {
  const text = String(host);
  const colon = text.lastIndexOf(":");
  const ip = colon < 0 ? "" : text.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const port = colon < 0 ? text : text.slice(colon + 1);
  if (!/^\d+$/.test(port) || Number(port) > 65535) throw new DockerArgumentError(`run: "${text}" is not a host port (8080, or "127.0.0.1:8080")`);
  return { HostIp: ip, HostPort: port === "0" ? "" : port };
}
