import type { ContainerCreateResponse, ContainerInspectResponse, ContainerPruneResponse, ContainerSummary, ContainerTopResponse, ContainerUpdateResponse, ContainerWaitResponse, FilesystemChange } from "../../generated/schemas.js";
import type { components } from "../../generated/engine.js";
import { NotFoundError } from "../core/errors.js";
import { decodePathStat, type ContainerPathStat } from "../build/path-stat.js";
import { type ByteSource, byteSource } from "../build/source.js";
import type { ArchiveExtractOptions, ArchiveExtractResult } from "../build/extract.js";
import type { JsonBody, QueryParams, RequestOptions } from "../core/types.js";
import { compareVersions } from "../core/version.js";
import type { RequestBody } from "../transport/types.js";
import { flagOf } from "../core/shape.js";
import { Resource } from "./resource.js";
import type { OutputStream } from "../streams/output-stream.js";
import type { HijackedStream, TtyHint } from "../streams/stdio.js";
import { type DockerWebSocket, WebSocketHandshake } from "../streams/websocket.js";
import type { JsonStream } from "../streams/jsonlines.js";
import type { Changed, NotModified } from "../core/answer.js";

type Schemas = components["schemas"];

/** Body of `containers.create`, plus the `name` and `platform` the daemon takes in the query. */
export type ContainerCreateParams = JsonBody<"ContainerCreate"> & QueryParams<"ContainerCreate">;

/** Query of `containers.attach`; `stream`, `stdout` and `stderr` default to `true`. */
export type ContainerAttachQuery = QueryParams<"ContainerAttach">;

/** Options of calls that stream a container's output. */
export interface AttachOptions extends RequestOptions {
  /** Whether the container has a TTY, when known (otherwise looked up if the answer does not say). */
  tty?: boolean;
}

/** Stats of one container, as the daemon reports them. */
export type ContainerStats = Schemas["ContainerStatsResponse"];

/** A container path's tar archive and what the daemon says about the path. */
export interface ContainerArchive {
  /** The path's stat (the `X-Docker-Container-Path-Stat` header). */
  stat: ContainerPathStat;
  /** The tar archive; read it once. Leaving it unread keeps the connection busy. */
  archive: AsyncIterable<Uint8Array>;
}

/** Query of `putArchive`: the container directory to extract into, and how. */
export type PutArchiveQuery = {
  /** The directory (it must exist) the archive is extracted into. */
  path: string;
  /** Fail instead of replacing a directory with a non-directory or the reverse. */
  noOverwriteDirNonDir?: boolean;
  /** Keep the archive's user and group ids instead of making the container's root the owner. */
  copyUIDGID?: boolean;
};

/** Options of `copyToContainer` (a workflow: its settings and the call options in one object). */
export interface CopyToContainerOptions extends Omit<PutArchiveQuery, "path">, RequestOptions {}

/** Options of `copyFromContainer`: the call's, and how the archive is written on the host. */
export interface CopyFromContainerOptions extends RequestOptions, ArchiveExtractOptions {}

/** What `copyFromContainer` copied, and what it left out. */
export interface CopiedFromContainer extends ArchiveExtractResult {
  /** The copied path's stat, as the daemon reports it. */
  stat: ContainerPathStat;
}

type Headers = Readonly<Record<string, string | undefined>>;

/** Header carrying a path's stat on archive calls (base64 JSON). */
const PATH_STAT_HEADER = "x-docker-container-path-stat";

/**
 * The container operations of the API: create, inspect, stream output, and remove
 * ({@link Containers} adds the workflows built on them).
 *
 * @example
 * ```ts
 * const { Id } = await docker.containers.create({ Image: "busybox", Cmd: ["echo", "hi"] });
 * await docker.containers.start(Id);
 * await docker.containers.wait(Id);
 * const { stdout } = await (await docker.containers.logs(Id, { stdout: true })).text();
 * ```
 */
export class ContainerOperations extends Resource {
  /**
   * Lists containers (running only, unless `all: true`).
   * @example `await docker.containers.list({ all: true, filters: { status: ["exited"] } })`
   */
  list(query?: QueryParams<"ContainerList">, options?: RequestOptions): Promise<ContainerSummary[]> {
    return this.core.call("ContainerList", { query }, options);
  }

  /**
   * Creates a container. The configuration goes in the JSON body; `name` and `platform` are
   * sent as query parameters, as the daemon expects.
   * @example `await docker.containers.create({ name: "web", Image: "nginx", HostConfig: { AutoRemove: true } })`
   */
  create(params: ContainerCreateParams, options?: RequestOptions): Promise<ContainerCreateResponse> {
    const { name, platform, ...body } = params;
    return this.core.call("ContainerCreate", { query: { name, platform }, body }, options);
  }

  /** Returns low-level information about a container. @example `(await docker.containers.inspect("web")).State.Status` */
  inspect(id: string, query?: QueryParams<"ContainerInspect">, options?: RequestOptions): Promise<ContainerInspectResponse> {
    return this.core.call("ContainerInspect", { path: { id }, query }, options);
  }

  /** Lists the processes running inside a container (`ps` output as a table). */
  top(id: string, query?: QueryParams<"ContainerTop">, options?: RequestOptions): Promise<ContainerTopResponse> {
    return this.core.call("ContainerTop", { path: { id }, query }, options);
  }

  /**
   * Streams a container's output. Ask for `stdout` and/or `stderr`; `follow: true` keeps the
   * stream open until the container exits or the signal aborts. Output of a container without a
   * TTY comes back as separate stdout and stderr frames; with a TTY, as raw stdout. Pass `tty`
   * when you know the container's setting, to spare an inspect on engines older than API 1.42.
   * This is also how to follow logs (`follow: true`); to wait for one line, see `Containers.waitFor`.
   * @example
   * ```ts
   * for await (const { stream, data } of await docker.containers.logs(id, { stdout: true, stderr: true, follow: true })) {}
   * ```
   */
  logs(id: string, query?: QueryParams<"ContainerLogs">, options?: AttachOptions): Promise<OutputStream> {
    return this.core.call("ContainerLogs", { path: { id }, query }, { ...options, tty: this.#tty(id, options) });
  }

  /**
   * Attaches to a container's stdio (also one that is created but not started yet). `stream`,
   * `stdout` and `stderr` default to `true`; `logs: true` replays earlier output first.
   *
   * Without `stdin` it resolves to the output, which ends when the container stops. With
   * `stdin: true` it resolves to a hijacked connection: `write()` feeds the container's input and
   * `end()` closes it (the process sees end-of-file if the container was created with
   * `OpenStdin` and `StdinOnce`), while `output` keeps streaming. Output is demultiplexed unless
   * the container has a TTY, which is looked up unless `options.tty` says so.
   * @example
   * ```ts
   * const session = await docker.containers.attach(id, { stdin: true });
   * await session.write("hello\n");
   * await session.end();
   * await session.output.demux({ stdout: process.stdout, stderr: process.stderr });
   * ```
   */
  attach(id: string, query: ContainerAttachQuery & { stdin: true }, options?: AttachOptions): Promise<HijackedStream>;
  attach(id: string, query?: ContainerAttachQuery & { stdin?: false }, options?: AttachOptions): Promise<OutputStream>;
  attach(id: string, query: ContainerAttachQuery = {}, options: AttachOptions = {}): Promise<OutputStream | HijackedStream> {
    return this.core.call("ContainerAttach", { path: { id }, query: attachQuery(query) }, { ...options, tty: this.#tty(id, options), hijack: query.stdin });
  }

  /**
   * Attaches to a container's stdio over a websocket: `send()` feeds its input, iterating reads
   * its output, unframed (stdout and stderr together, as the daemon sends them over websocket).
   * `stream`, `stdin`, `stdout` and `stderr` default to `true`. Before API 1.42 the daemon always
   * attaches all three streams, so choosing them (setting one to `false`) needs API 1.42.
   * @example
   * ```ts
   * const ws = await docker.containers.attachWebsocket(id, { stdin: true });
   * await ws.send("hi\n");
   * for await (const chunk of ws) console.log(new TextDecoder().decode(chunk));
   * ```
   */
  async attachWebsocket(
    id: string,
    query: QueryParams<"ContainerAttachWebsocket"> = {},
    options?: RequestOptions,
  ): Promise<DockerWebSocket> {
    const version = await this.core.negotiator.version(options?.signal);
    const chosen = { ...query, stream: query.stream ?? true, ...websocketStreams(query, version) };
    const handshake = new WebSocketHandshake();
    const init = { path: { id }, query: chosen, headers: handshake.headers };
    const connection = await this.core.call("ContainerAttachWebsocket", init, options);
    return handshake.accept(connection);
  }

  /** Lists filesystem changes since the container was created (kind 0 modified, 1 added, 2 deleted). */
  changes(id: string, options?: RequestOptions): Promise<FilesystemChange[]> {
    return this.core.call("ContainerChanges", { path: { id } }, options);
  }

  /**
   * Streams the container's whole filesystem as a tar archive (`docker export`), as the daemon
   * produces it.
   * @example `await pipeline(await docker.containers.export(id), createWriteStream("rootfs.tar"))`
   */
  export(id: string, options?: RequestOptions): Promise<AsyncIterable<Uint8Array>> {
    return this.core.call("ContainerExport", { path: { id } }, options);
  }

  /**
   * Describes a path inside the container (size, mode, symlink target) without copying it.
   * Rejects with `NotFoundError` when the path does not exist.
   */
  async statPath(id: string, path: string, options?: RequestOptions): Promise<ContainerPathStat> {
    let stat: ContainerPathStat | undefined;
    const head = (headers: Headers) => void (stat = decodePathStat(headers[PATH_STAT_HEADER]));
    await this.core.call("ContainerArchiveInfo", { path: { id }, query: { path } }, { ...options, head }).catch((err: unknown) => {
      // A HEAD answer has no body, so the daemon's 404 comes without words: name what was missing.
      if (!(err instanceof NotFoundError)) throw err;
      throw new NotFoundError(`No such container or path: ${id}:${path}`, { ...err, statusCode: 404, cause: err });
    });
    return stat!;
  }

  /**
   * Streams a file or directory of the container as a tar archive, along with what the daemon
   * says about the path. The archive's entries are named after the path's last element
   * (`/etc/hosts` → `hosts`; a path ending in `/.` gives the directory's contents).
   * @example
   * ```ts
   * const { stat, archive } = await docker.containers.getArchive(id, "/var/log");
   * await pipeline(archive, createWriteStream("logs.tar"));
   * ```
   */
  async getArchive(id: string, path: string, options?: RequestOptions): Promise<ContainerArchive> {
    let stat: ContainerPathStat | undefined;
    const head = (headers: Headers) => void (stat = decodePathStat(headers[PATH_STAT_HEADER]));
    const archive = await this.core.call("ContainerArchive", { path: { id }, query: { path } }, { ...options, head });
    return { stat: stat!, archive };
  }

  /**
   * Extracts a tar archive into a directory of the container (which must exist), uploading it as
   * it is read. Given a host directory path instead of an archive, packs that directory's
   * contents (`docker cp DIR/. ctr:PATH`). Rejects with `NotFoundError` when `path` is missing.
   * @example `await docker.containers.putArchive(id, { path: "/srv" }, createReadStream("site.tar"))`
   */
  async putArchive(id: string, query: PutArchiveQuery, source: string | ByteSource, options?: RequestOptions): Promise<void> {
    if (typeof source !== "string") {
      await this.#put(id, query, byteSource(source, "archive"), options);
      return;
    }
    const { hostUpload } = await import("../build/archive.js");
    await (await hostUpload(source, "contents")).send((body) => this.#put(id, query, body, options));
  }

  /**
   * Copies a host file or directory into a directory of the container, keeping its name:
   * `copyToContainer(id, "./conf", "/etc/app")` creates `/etc/app/conf` (`docker cp`).
   * Symlinks are copied as links; the container's root user owns the copies unless `copyUIDGID`.
   */
  async copyToContainer(id: string, hostPath: string, containerDir: string, options: CopyToContainerOptions = {}): Promise<void> {
    const { noOverwriteDirNonDir, copyUIDGID, ...call } = options;
    const query = { path: containerDir, noOverwriteDirNonDir, copyUIDGID };
    const { hostUpload } = await import("../build/archive.js");
    await (await hostUpload(hostPath, "item")).send((body) => this.#put(id, query, body, call));
  }

  /**
   * Copies a file or directory of the container into a host directory (created if missing),
   * keeping its name: `copyFromContainer(id, "/var/log", "./out")` creates `./out/log`; a path
   * ending in `/.` copies a directory's contents. Written as `docker cp` writes: the caller owns
   * the copies (`copyUIDGID` keeps the archive's ids, as root), modes are kept with the sticky bit
   * but without setuid/setgid (`keepSetuid` keeps them), links are created as they are, and a
   * directory never replaces a file or the reverse. Fifos and device nodes are skipped and listed
   * in `skipped` (`specialFiles: "create"` creates them). An entry that would land outside
   * `hostDir` or be written through a symlink stops the copy before it is written; any failure
   * once writing began is an `ArchiveExtractError` listing what was written.
   * @example
   * ```ts
   * const { stat, skipped } = await docker.containers.copyFromContainer(id, "/var/log", "./out");
   * ```
   */
  async copyFromContainer(id: string, containerPath: string, hostDir: string, options: CopyFromContainerOptions = {}): Promise<CopiedFromContainer> {
    const { extractTo } = await import("../build/extract.js");
    const { copyUIDGID, keepSetuid, specialFiles, ...request } = options;
    const extract = { copyUIDGID, keepSetuid, specialFiles };
    const { stat, archive } = await this.getArchive(id, containerPath, request);
    return { stat, ...(await extractTo(archive, hostDir, extract)) };
  }

  /**
   * Resource usage statistics. With `stream: false` (or `oneShot`), resolves to one sample;
   * otherwise a stream of samples, one per second, until aborted.
   * @example `const sample = await docker.containers.stats(id, { stream: false })`
   */
  stats(id: string, query: QueryParams<"ContainerStats"> & { stream: false }, options?: RequestOptions): Promise<ContainerStats>;
  stats(id: string, query?: QueryParams<"ContainerStats">, options?: RequestOptions): Promise<JsonStream<ContainerStats>>;
  async stats(
    id: string,
    query?: QueryParams<"ContainerStats">,
    options?: RequestOptions,
  ): Promise<ContainerStats | JsonStream<ContainerStats>> {
    // Asked for one sample, the daemon answers one JSON document.
    if (query?.stream === false) return this.core.call("ContainerStats", { path: { id }, query }, { ...options, as: "json" });
    return this.core.call("ContainerStats", { path: { id }, query }, options);
  }

  /** Resizes the container's TTY. */
  resize(id: string, size: QueryParams<"ContainerResize">, options?: RequestOptions): Promise<void> {
    return this.core.call("ContainerResize", { path: { id }, query: size }, options);
  }

  /** Starts a container. Resolves {@link NotModified} when it was already running (the daemon's 304). */
  start(id: string, query?: QueryParams<"ContainerStart">, options?: RequestOptions): Promise<Changed | NotModified> {
    return this.core.call("ContainerStart", { path: { id }, query }, options);
  }

  /** Stops a container (SIGTERM, then SIGKILL after `t` seconds). Resolves {@link NotModified} when it was already stopped. */
  stop(id: string, query?: QueryParams<"ContainerStop">, options?: RequestOptions): Promise<Changed | NotModified> {
    return this.core.call("ContainerStop", { path: { id }, query }, options);
  }

  /** Restarts a container. */
  restart(id: string, query?: QueryParams<"ContainerRestart">, options?: RequestOptions): Promise<void> {
    return this.core.call("ContainerRestart", { path: { id }, query }, options);
  }

  /** Sends a signal (default `SIGKILL`) to a running container. */
  kill(id: string, query?: QueryParams<"ContainerKill">, options?: RequestOptions): Promise<void> {
    return this.core.call("ContainerKill", { path: { id }, query }, options);
  }

  /** Changes resource limits and the restart policy of a container without recreating it. */
  update(id: string, update: JsonBody<"ContainerUpdate">, options?: RequestOptions): Promise<ContainerUpdateResponse> {
    return this.core.call("ContainerUpdate", { path: { id }, body: update }, options);
  }

  /** Renames a container. */
  rename(id: string, name: string, options?: RequestOptions): Promise<void> {
    return this.core.call("ContainerRename", { path: { id }, query: { name } }, options);
  }

  /** Freezes every process in a container (cgroup freezer). */
  pause(id: string, options?: RequestOptions): Promise<void> {
    return this.core.call("ContainerPause", { path: { id } }, options);
  }

  /** Resumes a paused container. */
  unpause(id: string, options?: RequestOptions): Promise<void> {
    return this.core.call("ContainerUnpause", { path: { id } }, options);
  }

  /**
   * Waits for a container to reach a condition (default `not-running`) and returns its exit code.
   * @example `const { StatusCode } = await docker.containers.wait(id)`
   */
  wait(id: string, query?: QueryParams<"ContainerWait">, options?: RequestOptions): Promise<ContainerWaitResponse> {
    return this.core.call("ContainerWait", { path: { id }, query }, options);
  }

  /** Removes a container. A running one needs `force: true` (otherwise `ConflictError`). */
  remove(id: string, query?: QueryParams<"ContainerDelete">, options?: RequestOptions): Promise<void> {
    return this.core.call("ContainerDelete", { path: { id }, query }, options);
  }

  /** Deletes stopped containers; returns what was removed and the space reclaimed. */
  prune(query?: QueryParams<"ContainerPrune">, options?: RequestOptions): Promise<ContainerPruneResponse> {
    return this.core.call("ContainerPrune", { query }, options);
  }

  async #put(id: string, query: PutArchiveQuery, raw: RequestBody, options: RequestOptions | undefined): Promise<void> {
    await this.core.call("PutContainerArchive", { path: { id }, query, raw }, options);
  }

  /**
   * The container's TTY setting when the caller knows it, else its lookup: whether it was created
   * with a TTY decides raw vs multiplexed output, where the answer does not say (before API 1.42).
   */
  #tty(id: string, options?: AttachOptions): TtyHint {
    return options?.tty ?? (async () => flagOf(await this.core.call("ContainerInspect", { path: { id } }, options), "Config.Tty") ?? false);
  }
}

/** The daemon attaches nothing unless asked; like `docker attach`, we ask for the live output by default. */
function attachQuery<Q extends { stream?: boolean; stdout?: boolean; stderr?: boolean }>(query: Q): Q {
  return { ...query, stream: query.stream ?? true, stdout: query.stdout ?? true, stderr: query.stderr ?? true };
}

/**
 * Which streams a websocket attach asks for: all by default. Before API 1.42 the daemon always
 * attaches all three and knows no such parameters, so they are left out; a `false` is kept, for
 * the version check to refuse.
 */
function websocketStreams(query: { stdin?: boolean; stdout?: boolean; stderr?: boolean }, version: string) {
  const streams = { stdin: query.stdin ?? true, stdout: query.stdout ?? true, stderr: query.stderr ?? true };
  if (compareVersions(version, "1.42") >= 0) return streams;
  const refusable = (wanted: boolean) => (wanted ? undefined : false);
  return { stdin: refusable(streams.stdin), stdout: refusable(streams.stdout), stderr: refusable(streams.stderr) };
}
