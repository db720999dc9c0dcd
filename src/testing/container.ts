import type { EventBus } from "./events.js";
import { shortId } from "./ids.js";
import { emptyInput, Pipe } from "./pipe.js";
import { MockProcess } from "./process.js";
import { DaemonError } from "./reply.js";
import { parseSignal, SIGKILL, SIGTERM } from "./signals.js";
import type { MockImage } from "./image.js";
import type { StreamId } from "./stdio.js";
import { nowNs, type Nanos } from "./time.js";
import { asList, type ContainerCreateBody, type EndpointSettings, type HostConfig, type MountPoint } from "./wire.js";

/** Container states, as `State.Status` names them. */
export type ContainerStatus = "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";

/** One line (or the unfinished tail of one) of a container's output, as the log driver keeps it. */
export interface LogEntry {
  /** 1 for stdout, 2 for stderr. */
  stream: StreamId;
  /** The bytes written. */
  data: Uint8Array;
  /** When they were written, in nanoseconds since the epoch. */
  time: Nanos;
}

/** Callbacks for watching a container; every one is optional. */
export interface ContainerWatcher {
  /** Live output of the main process, as it is produced. */
  output?(stream: StreamId, chunk: Uint8Array): void;
  /** The main process exited with `code`. */
  exit?(code: number): void;
  /** The container was removed. */
  removed?(): void;
}

/** What a container needs from the daemon around it. */
export interface ContainerHost {
  /** Where the container reports its events (start, die, …). */
  readonly events: EventBus;
  /** Removes an exited container that asked for `AutoRemove`. */
  autoRemove(container: MockContainer): void;
}

/**
 * A container whose main command runs in the mock's command interpreter: it keeps its output as
 * logs, moves through created → running → exited, and tells watchers (attach, logs, wait) as it goes.
 */
export class MockContainer {
  /** Full id (64 hex digits). */
  readonly id: string;
  /** With the leading `/`, as inspect shows it. */
  name: string;
  /** The image it was created from. */
  readonly image: MockImage;
  /** The create body with image defaults applied (Cmd, Env, Labels, ...), minus HostConfig. */
  readonly config: ContainerCreateBody;
  /** The create call's `HostConfig`, with defaults filled in. */
  hostConfig: HostConfig;
  /** When it was created, in nanoseconds since the epoch. */
  readonly created: Nanos;
  /** Where it is in its life. */
  status: ContainerStatus = "created";
  /** Exit code of the last run (0 before any). */
  exitCode = 0;
  /** When it last started. */
  startedAt: Nanos | undefined;
  /** When it last stopped. */
  finishedAt: Nanos | undefined;
  /** Restarts by its restart policy. */
  restartCount = 0;
  /** Everything the main process wrote, as the log driver keeps it. */
  readonly logs: LogEntry[] = [];
  /** Ids of exec instances created in it. */
  readonly execIds: string[] = [];
  /** Networks by name, with this container's endpoint settings on each. */
  readonly networks: Map<string, EndpointSettings> = new Map();
  /** Volumes and bind mounts, as inspect shows them. */
  readonly mounts: MountPoint[] = [];
  /** What `GET /containers/{id}/changes` reports; tests may set it. */
  changes: Array<{
    /** Path inside the container. */
    Path: string;
    /** 0 modified, 1 added, 2 deleted. */
    Kind: 0 | 1 | 2;
  }> = [];
  readonly #host: ContainerHost;
  readonly #watchers = new Set<ContainerWatcher>();
  /** Execs running inside; they die with the container. */
  readonly #children = new Set<MockProcess>();
  #process: MockProcess | undefined;
  #stdin = new Pipe();

  constructor(init: { id: string; name: string; image: MockImage; config: ContainerCreateBody; hostConfig: HostConfig }, host: ContainerHost) {
    this.id = init.id;
    this.name = init.name;
    this.image = init.image;
    this.config = init.config;
    this.hostConfig = init.hostConfig;
    this.created = nowNs();
    this.#host = host;
  }

  /** The command line: entrypoint, then arguments. */
  get argv(): string[] {
    return [...asList(this.config.Entrypoint), ...asList(this.config.Cmd)];
  }

  /** The main process's PID while running, else 0. */
  get pid(): number {
    return this.#process?.pid ?? 0;
  }

  /** True while the main process runs (paused included, as in `State.Running`). */
  get running(): boolean {
    return this.status === "running" || this.status === "paused" || this.status === "restarting";
  }

  /** Event attributes the daemon puts on every container event: image, name and labels. */
  attributes(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.config.Labels ?? {}), image: this.config.Image ?? "", name: this.name.slice(1), ...extra };
  }

  /** Starts the main command. The caller has checked that the container is not running. */
  start(): void {
    if (this.#stdin.ended) this.#stdin = new Pipe();
    const process = new MockProcess({
      argv: this.argv,
      env: [...(this.config.Env ?? []), `HOSTNAME=${this.config.Hostname ?? shortId(this.id)}`],
      stdin: this.config.OpenStdin ? this.#stdin : emptyInput(),
      tty: this.config.Tty === true,
      output: (stream, chunk) => this.#output(stream, chunk),
    });
    this.#process = process;
    this.status = "running";
    this.exitCode = 0;
    this.startedAt = nowNs();
    this.#emit("start");
    void process.exited.then((code) => this.#exited(process, code));
  }

  /** Sends a signal (name or number) to the main process; 409 unless running. */
  kill(signal: string | number = SIGKILL): void {
    const number = typeof signal === "number" ? signal : parseSignal(signal);
    if (!this.running || !this.#process) {
      throw new DaemonError(409, `cannot kill container: ${this.name.slice(1)}: container ${this.id} is not running`);
    }
    this.#emit("kill", { signal: String(number) });
    this.#process.kill(number);
  }

  /**
   * Stops like the daemon: the stop signal, then SIGKILL if the process is still there after
   * `timeoutSeconds`. Resolves false when the container was not running (the daemon's 304).
   */
  async stop(signal?: string, timeoutSeconds?: number): Promise<boolean> {
    const process = this.#process;
    if (!this.running || !process) return false;
    this.kill(signal ?? this.config.StopSignal ?? SIGTERM);
    if (process.running) {
      const seconds = timeoutSeconds ?? this.config.StopTimeout ?? 10;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const graceOver = seconds < 0 ? new Promise<void>(() => undefined) : new Promise<void>((resolve) => (timer = setTimeout(resolve, seconds * 1000)));
      await Promise.race([process.exited, graceOver]);
      clearTimeout(timer);
      if (process.running) this.kill(SIGKILL);
    }
    await process.exited;
    this.#emit("stop");
    return true;
  }

  /** Stops (if running) and starts again. */
  async restart(timeoutSeconds?: number): Promise<void> {
    await this.stop(undefined, timeoutSeconds);
    this.start();
    this.#emit("restart");
  }

  /** Freezes the container (the mock's command keeps running; only the state changes). */
  pause(): void {
    if (this.status === "paused") throw new DaemonError(409, `container ${this.id} is already paused`);
    if (!this.running) throw new DaemonError(409, `container ${this.id} is not running`);
    this.status = "paused";
    this.#emit("pause");
  }

  /** Thaws a paused container. */
  unpause(): void {
    if (this.status !== "paused") throw new DaemonError(409, `container ${this.id} is not paused`);
    this.status = "running";
    this.#emit("unpause");
  }

  /**
   * Resolves with the exit code once `condition` holds: `not-running` (at once if already stopped),
   * `next-exit`, or `removed`. Rejects with the signal's reason when aborted.
   */
  wait(condition: "not-running" | "next-exit" | "removed", signal?: AbortSignal): Promise<number> {
    if (condition === "not-running" && !this.running) return Promise.resolve(this.exitCode);
    return new Promise((resolve, reject) => {
      const done = () => {
        unwatch();
        signal?.removeEventListener("abort", onAbort);
        resolve(this.exitCode);
      };
      const onAbort = () => {
        unwatch();
        reject(signal?.reason);
      };
      const unwatch = this.watch(condition === "removed" ? { removed: done } : { exit: done });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Current watchers (attach sessions, log follows, waits): lets tests check nothing leaks. */
  get watcherCount(): number {
    return this.#watchers.size;
  }

  /** Subscribes to output, exit and removal; returns the unsubscribe function. */
  watch(watcher: ContainerWatcher): () => void {
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  /** Feeds bytes to the main process's stdin (ignored unless `OpenStdin`). */
  writeStdin(chunk: Uint8Array): void {
    this.#stdin.push(chunk);
  }

  /** Sends EOF to stdin (what `StdinOnce` does when the attached client detaches). */
  closeStdin(): void {
    this.#stdin.end();
  }

  /** Runs an exec's process as a child: it is killed when the main process exits. */
  adopt(child: MockProcess): void {
    this.#children.add(child);
    void child.exited.then(() => this.#children.delete(child));
  }

  /** PIDs and command lines of the main process and running execs, for `top`. */
  processes(): Array<{
    /** Process id within the mock. */
    pid: number;
    /** The command line. */
    command: string;
  }> {
    const running = this.#process ? [this.#process, ...this.#children] : [];
    return running.map((process) => ({ pid: process.pid, command: process.argv.join(" ") }));
  }

  /** Tells watchers the container is gone and kills whatever still runs (removal or daemon shutdown). */
  dispose(): void {
    this.#process?.kill(SIGKILL);
    for (const child of this.#children) child.kill(SIGKILL);
    for (const watcher of [...this.#watchers]) watcher.removed?.();
    this.#watchers.clear();
  }

  #output(stream: StreamId, chunk: Uint8Array): void {
    const time = nowNs();
    // The log driver stores one entry per line; an unfinished last line is an entry of its own.
    let start = 0;
    for (let i = 0; i < chunk.byteLength; i++) {
      if (chunk[i] !== 10) continue;
      this.logs.push({ stream, data: chunk.subarray(start, i + 1), time });
      start = i + 1;
    }
    if (start < chunk.byteLength) this.logs.push({ stream, data: chunk.subarray(start), time });
    for (const watcher of this.#watchers) watcher.output?.(stream, chunk);
  }

  #exited(process: MockProcess, code: number): void {
    if (this.#process !== process) return;
    this.#process = undefined;
    for (const child of this.#children) child.kill(SIGKILL);
    this.status = "exited";
    this.exitCode = code;
    this.finishedAt = nowNs();
    this.#emit("die", { exitCode: String(code) });
    for (const watcher of [...this.#watchers]) watcher.exit?.(code);
    if (this.hostConfig.AutoRemove) this.#host.autoRemove(this);
  }

  #emit(action: string, extra?: Record<string, string>): void {
    this.#host.events.emit("container", action, this.id, this.attributes(extra));
  }
}
