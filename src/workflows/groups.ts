import type { ContainerInspectResponse } from "../../generated/schemas.js";
import type { RequestCore } from "../core/request.js";
import type { RequestOptions } from "../core/types.js";
import type { AuthOptions } from "../resources/registry-auth.js";
import { ContainerOperations } from "../resources/containers.js";
import { ExecOperations } from "../resources/exec.js";
import { ImageOperations, type PullQuery } from "../resources/images.js";
import type { Networks } from "../resources/networks.js";
import { SystemOperations } from "../resources/system.js";
import type { Volumes } from "../resources/volumes.js";
import { runExec, type ExecRunOptions, type ExecRunResult } from "./exec-run.js";
import { waitHealthy, type WaitHealthyOptions } from "./health.js";
import { waitForLog, type LogMatch, type WaitForOptions } from "./log-match.js";
import { pullIfMissing } from "./pull.js";
import { systemPrune, type SystemPruneOptions, type SystemPruneResult } from "./prune.js";

/*
 * Where workflows attach to the resource groups `Docker` hands out: each group is its resource
 * class (the API's operations) plus the workflows composed from them. Workflows depend on
 * resources, never the reverse.
 */

/**
 * Containers: create, run, inspect, stream output, wait for health or a log line, and remove.
 *
 * @example
 * ```ts
 * const { Id } = await docker.containers.create({ Image: "busybox", Cmd: ["echo", "hi"] });
 * await docker.containers.start(Id);
 * await docker.containers.wait(Id);
 * const { stdout } = await (await docker.containers.logs(Id, { stdout: true })).text();
 * ```
 */
export class Containers extends ContainerOperations {
  /**
   * Waits until the container's health check reports `healthy` and resolves with its inspect
   * data. Rejects with `ContainerUnhealthyError` (carrying the last check runs) when it reports
   * `unhealthy`, `ContainerExitedError` when the container stops first, `DockerTimeoutError` when
   * `timeout` (ms, for the whole wait) passes, and `DockerArgumentError` when the container has
   * no health check.
   * @example `await docker.containers.waitHealthy(id, { timeout: 60_000 })`
   */
  waitHealthy(id: string, options?: WaitHealthyOptions): Promise<ContainerInspectResponse> {
    return waitHealthy(this, id, options);
  }

  /**
   * Follows the container's output until a line matches `log`, then stops reading and resolves
   * with the line. The whole log counts, so a line printed before the call is found too (unless
   * `since`). Rejects with `ContainerExitedError` (with the output's last lines) when the
   * container stops without printing it, and `DockerTimeoutError` after `timeout` ms.
   * @example
   * ```ts
   * const { match } = await docker.containers.waitFor(id, { log: /listening on port (\d+)/, timeout: 30_000 });
   * const port = Number(match[1]);
   * ```
   */
  waitFor(id: string, options: WaitForOptions): Promise<LogMatch> {
    return waitForLog(this, id, options);
  }
}

/**
 * Commands run inside a running container.
 *
 * @example
 * ```ts
 * const { exitCode, stdout } = await docker.exec.run(containerId, ["ls", "/"]);
 * const { Id } = await docker.exec.create(containerId, { Cmd: ["ls", "/"], AttachStdout: true });
 * const { stdout: listing } = await (await docker.exec.start(Id)).text();
 * ```
 */
export class Exec extends ExecOperations {
  /**
   * Runs a command in a running container and waits for it: creates the exec, feeds `stdin`
   * (if given), collects stdout and stderr, and reads the exit code. A command that cannot start
   * rejects with `DockerStreamError`; a non-zero exit code is a normal result.
   *
   * `timeout` (ms) and `signal` bound the whole run. Stopping early closes the connection, but the
   * daemon has no way to stop an exec: a command that ignores its closed input keeps running.
   * @example
   * ```ts
   * const { exitCode, stdout } = await docker.exec.run(id, ["wc", "-c"], { stdin: "hello" });
   * ```
   */
  run(containerId: string, cmd: readonly string[], options?: ExecRunOptions): Promise<ExecRunResult> {
    return runExec(this, containerId, cmd, options);
  }
}

/**
 * Images: pull, push, inspect, tag, save/load, commit, remove.
 *
 * @example
 * ```ts
 * await docker.images.pull("busybox:latest");
 * const images = await docker.images.list({ filters: { reference: ["busybox"] } });
 * ```
 */
export class Images extends ImageOperations {
  /**
   * Pulls an image unless the engine already has it (any platform); resolves `true` when it
   * pulled. Credentials are looked up as for {@link ImageOperations.pull}, only when a pull is needed.
   * @example `await docker.images.pullIfMissing("busybox:1.36")`
   */
  pullIfMissing(reference: string, query?: PullQuery, options?: RequestOptions & AuthOptions): Promise<boolean> {
    return pullIfMissing(this, reference, query, options);
  }
}

/** The groups `system.prune` composes. */
interface PruneGroups {
  containers: ContainerOperations;
  images: ImageOperations;
  networks: Networks;
  volumes: Volumes;
}

/**
 * The engine as a whole: ping, version, info, disk usage, events, registry login checks, and
 * `docker system prune`.
 *
 * @example
 * ```ts
 * const { apiVersion, osType } = await docker.system.ping();
 * const { Version } = await docker.system.version();
 * ```
 */
export class System extends SystemOperations {
  readonly #groups: PruneGroups;

  /** @internal */
  constructor(core: RequestCore, groups: PruneGroups) {
    super(core);
    this.#groups = groups;
  }

  /**
   * Removes what is unused, like `docker system prune`: stopped containers, unused networks,
   * dangling images (every unused image with `all`), the build cache, and anonymous volumes when
   * `volumes` is set; `label` and `until` narrow it down. Resolves with what went and the total
   * space reclaimed.
   * @example
   * ```ts
   * const { spaceReclaimed } = await docker.system.prune({ until: "24h", label: { "ci-job": true } });
   * ```
   */
  prune(options?: SystemPruneOptions): Promise<SystemPruneResult> {
    return systemPrune(this.#groups, options);
  }
}
