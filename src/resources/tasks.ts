import type { Task } from "../../generated/schemas.js";
import type { QueryParams, RequestOptions } from "../core/types.js";
import type { OutputStream } from "../streams/output-stream.js";
import { flagOf } from "../core/shape.js";
import { Resource } from "./resource.js";

/**
 * Swarm tasks: the containers a service schedules.
 *
 * @example `await docker.tasks.list({ filters: { service: ["web"], "desired-state": ["running"] } })`
 */
export class Tasks extends Resource {
  /** Lists tasks. */
  list(query?: QueryParams<"TaskList">, options?: RequestOptions): Promise<Task[]> {
    return this.core.call("TaskList", { query }, options);
  }

  /** Returns one task. */
  inspect(id: string, options?: RequestOptions): Promise<Task> {
    return this.core.call("TaskInspect", { path: { id } }, options);
  }

  /** Streams a task's output (needs a logging driver that supports reading, e.g. json-file). */
  logs(id: string, query?: QueryParams<"TaskLogs">, options?: RequestOptions & { tty?: boolean }): Promise<OutputStream> {
    return this.core.call("TaskLogs", { path: { id }, query }, { ...options, tty: options?.tty ?? (() => this.#tty(id, options)) });
  }

  async #tty(id: string, options?: RequestOptions): Promise<boolean> {
    const task = await this.core.call("TaskInspect", { path: { id } }, options);
    return flagOf(task, "Spec.ContainerSpec.TTY") ?? false;
  }
}
