import { type Builder, checkBuilder } from "./build/options.js";
import type { EndpointOptions } from "./config/resolve.js";
import { resolveEndpoint, parseApiVersion } from "./config/resolve.js";
import type { DockerClientClosedError } from "./core/errors.js";
import type { GracefulCloseOptions } from "./core/lifecycle.js";
import { clientLimits, type DockerLimits } from "./core/limits.js";
import { debugLogger, type DockerLogger } from "./core/log.js";
import { RequestCore } from "./core/request.js";
import type { RequestOptions } from "./core/types.js";
import { Configs } from "./resources/configs.js";
import { Distribution } from "./resources/distribution.js";
import { Networks } from "./resources/networks.js";
import { Nodes } from "./resources/nodes.js";
import { Plugins } from "./resources/plugins.js";
import { Secrets } from "./resources/secrets.js";
import { Services } from "./resources/services.js";
import { Session } from "./resources/session.js";
import { Swarm } from "./resources/swarm.js";
import { Tasks } from "./resources/tasks.js";
import { Volumes } from "./resources/volumes.js";
import { createTransport } from "./transport/index.js";
import { connectionLimit } from "./transport/limits.js";
import { Containers, Exec, Images, System } from "./workflows/groups.js";
import { removeByLabel, type LabelSelector, type RemoveByLabelOptions, type RemovedByLabel } from "./workflows/cleanup.js";
import { run, type RunOptions, type RunResult } from "./workflows/run.js";

/** How to reach the engine and how to talk to it. Everything is optional. */
export interface DockerOptions extends EndpointOptions {
  /**
   * Fixed API version such as `"1.41"`: skips negotiation. Otherwise the client pings once and
   * uses the lower of the daemon's version and its own (1.55).
   */
  apiVersion?: string;
  /**
   * Default timeout in milliseconds for every call that sets none: it bounds a JSON call whole, and
   * a stream or hijacked connection only until the daemon's answer arrives, so long-lived streams
   * are not cut by it. A call's own `timeout` bounds the whole call, stream included.
   */
  timeout?: number;
  /** User-Agent sent with each request. */
  userAgent?: string;
  /**
   * Receives one entry per request: method, path with query, status and time to the answer —
   * never headers or bodies, so never credentials. By default requests are logged to stderr when
   * `DEBUG` names `dockhand` (`DEBUG=dockhand`), and not otherwise; `false` turns that off too.
   * @example `new Docker({ logger: (e) => log.debug(e, "docker request") })`
   */
  logger?: DockerLogger | false;
  /**
   * The builder of `images.build` calls that name none: `"buildkit"` or `"classic"`. Left out,
   * each build follows the daemon's default (BuildKit where `/_ping` says `Builder-Version: 2`).
   */
  builder?: Builder;
  /**
   * Most connections kept to the engine for calls (JSON and empty answers); calls beyond it wait
   * in a queue for a free connection, so that many concurrent calls never run the process out of
   * file descriptors. Default 64 (8 over ssh, where each is an ssh process); `Infinity` lifts it.
   * Streams and hijacked connections do not count against it (see `maxStreamConnections`).
   */
  maxConnections?: number;
  /**
   * Most connections for streamed answers (events, logs, stats, pull/push/build progress,
   * archives) and `containers.wait`, pooled apart from calls so that open streams never hold
   * the connections calls need. A stream beyond it waits until another ends. Default 1024 (8 over
   * ssh); `Infinity` lifts it. Hijacked attach/exec and sessions each have a connection of their
   * own, outside both pools.
   */
  maxStreamConnections?: number;
  /**
   * How large the parts of an answer held in memory may be, in bytes: a whole JSON answer
   * (`jsonBody`, default 128 MiB), a line of a JSON-lines stream (`jsonLine`, 16 MiB), a frame of
   * container output held until complete (`outputFrame`, 1 MiB; larger frames are passed on in
   * pieces) and the response head (`responseHead`, 64 KiB). Past one, the call fails with a
   * `DockerLimitError` and its connection is closed. A call may change all but `responseHead` in
   * its own options (`{ limits: { jsonBody: … } }`).
   * @example `new Docker({ limits: { jsonBody: 512 << 20 } })`
   */
  limits?: Partial<DockerLimits>;
}

const USER_AGENT = "dockhand/0.1.0";

/**
 * A client for one Docker engine. Cheap to create: nothing is resolved or sent until the first
 * call, which finds the engine, negotiates the API version once, and keeps connections alive.
 *
 * @example
 * ```ts
 * import { Docker } from "dockhand";
 * const docker = Docker.fromEnv();
 * console.log(await docker.containers.list({ all: true }));
 * ```
 */
export class Docker {
  /** Containers: create, start, logs, wait, remove, … */
  readonly containers: Containers;
  /** Images: pull, push, build, inspect, tag, save/load, remove. */
  readonly images: Images;
  /** Networks: create, connect containers, inspect, remove. */
  readonly networks: Networks;
  /** Volumes: create, inspect, list, remove, prune. */
  readonly volumes: Volumes;
  /** Commands run inside running containers. */
  readonly exec: Exec;
  /** The engine itself: ping, version, info, events, disk usage, registry login check. */
  readonly system: System;
  /** Swarm membership: init, join, inspect, update, unlock, leave. */
  readonly swarm: Swarm;
  /** Swarm nodes. */
  readonly nodes: Nodes;
  /** Swarm services. */
  readonly services: Services;
  /** Swarm tasks. */
  readonly tasks: Tasks;
  /** Swarm secrets. */
  readonly secrets: Secrets;
  /** Swarm configs. */
  readonly configs: Configs;
  /** Engine plugins. */
  readonly plugins: Plugins;
  /** Registry metadata through the daemon. */
  readonly distribution: Distribution;
  /** Interactive sessions (h2c connections the daemon calls back over, as classic BuildKit builds use). */
  readonly session: Session;

  readonly #core: RequestCore;

  constructor(options: DockerOptions = {}) {
    const env = options.env ?? {};
    const apiVersion = options.apiVersion ?? parseApiVersion(env["DOCKER_API_VERSION"]);
    // Checked here, so that a bad value fails at once rather than at the first call.
    const sizes = clientLimits(options.limits);
    const limits = {
      calls: connectionLimit("maxConnections", options.maxConnections),
      streams: connectionLimit("maxStreamConnections", options.maxStreamConnections),
      responseHead: sizes.responseHead,
    };
    this.#core = new RequestCore({
      transport: async () => createTransport(await resolveEndpoint(options), limits),
      apiVersion,
      timeout: options.timeout,
      userAgent: options.userAgent ?? USER_AGENT,
      logger: options.logger === false ? undefined : (options.logger ?? debugLogger()),
      // Registry credentials come from the same CLI config the endpoint does.
      credentials: { configDir: options.configDir, env: options.env },
      builder: options.builder === undefined ? undefined : checkBuilder(options.builder),
      limits: sizes,
    });
    const core = this.#core;
    this.containers = new Containers(core);
    this.images = new Images(core);
    this.networks = new Networks(core);
    this.volumes = new Volumes(core);
    this.exec = new Exec(core);
    this.system = new System(core, this);
    this.swarm = new Swarm(core);
    this.nodes = new Nodes(core);
    this.services = new Services(core);
    this.tasks = new Tasks(core);
    this.secrets = new Secrets(core);
    this.configs = new Configs(core);
    this.plugins = new Plugins(core);
    this.distribution = new Distribution(core);
    this.session = new Session(core);
  }

  /**
   * A client configured like the Docker CLI: `DOCKER_HOST`, `DOCKER_API_VERSION`,
   * `DOCKER_CERT_PATH`, `DOCKER_TLS_VERIFY`, `DOCKER_CONTEXT` and the CLI's config, falling back
   * to the usual socket locations.
   */
  static fromEnv(options: Omit<DockerOptions, "env"> = {}): Docker {
    return new Docker({ ...options, env: process.env });
  }

  /**
   * Runs a command in a new container and waits for it, like `docker run --rm`: pulls the image
   * if missing, creates the container, attaches, starts it, feeds `stdin`, collects (or streams)
   * the output, waits for the exit and removes the container (unless `keep`). A non-zero exit
   * code is a result, not an error. `timeout` (ms) and `signal` bound the whole run; when either
   * fires, the container is killed and removed.
   * @param cmd The command, or `undefined` for the image's default.
   * @example
   * ```ts
   * const { exitCode, stdout } = await docker.run("busybox", ["sh", "-c", "echo $GREETING"], { env: { GREETING: "hi" } });
   * ```
   */
  run(image: string, cmd?: readonly string[], options?: RunOptions): Promise<RunResult> {
    return run(this, image, cmd, options);
  }

  /**
   * Removes every container, network, volume and image carrying the labels — cleanup for CI runs
   * that label what they create. Containers go first, by force with their anonymous volumes.
   * Resolves with what was removed and what could not be (`failures`); it does not throw for those.
   * @example
   * ```ts
   * const { failures } = await docker.removeByLabel(`ci-job=${process.env.CI_JOB_ID}`);
   * ```
   */
  removeByLabel(labels: LabelSelector, options?: RemoveByLabelOptions): Promise<RemovedByLabel> {
    return removeByLabel(this, labels, options);
  }

  /** The API version in use, negotiating it first if needed. */
  apiVersion(options?: RequestOptions): Promise<string> {
    return this.#core.negotiator.version(options?.signal);
  }

  /**
   * Closes the client at once and resolves promptly: every call still open ends with a
   * {@link DockerClientClosedError} — streams being read or not yet read (events, followed logs,
   * pull progress, …), hijacked attach/exec connections, websocket attaches and sessions, calls
   * waiting for an answer or for a free connection — and kept-alive connections are closed. Calls
   * made afterwards reject with a {@link DockerClientClosedError} without sending anything.
   * Closing again does nothing. To let open calls finish first, use {@link Docker.closeGracefully}.
   */
  close(): Promise<void> {
    return this.#core.close();
  }

  /**
   * Closes the client once the calls still open have finished: new calls are refused at once
   * ({@link DockerClientClosedError}), open ones run on until their answer is read, their stream
   * is read to its end or closed, or their hijacked connection closes; then the connections are
   * closed. A stream nobody reads or closes never finishes, so give a `timeout` (or a `signal`)
   * after which the rest is ended as {@link Docker.close} does.
   * @example
   * ```ts
   * process.on("SIGTERM", () => docker.closeGracefully({ timeout: 10_000 }));
   * ```
   */
  closeGracefully(options?: GracefulCloseOptions): Promise<void> {
    return this.#core.closeGracefully(options);
  }

  /**
   * Lets `await using docker = Docker.fromEnv()` close the client at the end of the scope, as
   * {@link Docker.close} does: streams still open there end.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
