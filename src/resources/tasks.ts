import type { Task } from "../../generated/schemas.js";
import type { QueryParams, RequestOptions } from "../core/types.js";
import type { OutputStream } from "../streams/output-stream.js";
import { outputStream } from "../streams/stdio.js";
import { Resource } from "./resource.js";

/**
 * Swarm tasks: the containers a service schedules.
 *
 * @example `await docker.tasks.list({ filters: { service: ["web"], "desired-state": ["running"] } })`
 */
export class Tasks extends Resource {
  /** Lists tasks. */
  list(query?: QueryParams<"TaskList">, options?: RequestOptions): Promise<Task[]> {
    return this.core.json("TaskList", { query }, options);
  }

  /** Returns one task. */
  inspect(id: string, options?: RequestOptions): Promise<Task> {
    return this.core.json("TaskInspect", { path: { id } }, options);
  }

  /** Streams a task's output (needs a logging driver that supports reading, e.g. json-file). */
  async logs(id: string, query?: QueryParams<"TaskLogs">, options?: RequestOptions & { tty?: boolean }): Promise<OutputStream> {
    const res = await this.core.send("TaskLogs", { path: { id }, query }, options);
    return outputStream(res, () => this.#tty(id, options), options?.tty);
  }

  async #tty(id: string, options?: RequestOptions): Promise<boolean> {
    const task = await this.core.json("TaskInspect", { path: { id } }, options);
    return task.Spec?.ContainerSpec?.TTY ?? false;
  }
}
