import type { Service, ServiceCreateResponse, ServiceUpdateResponse } from "../../generated/schemas.js";
import type { JsonBody, QueryParams, RequestOptions } from "../core/types.js";
import type { OutputStream } from "../streams/output-stream.js";
import { type AuthOptions, registryAuthHeaders } from "./registry-auth.js";
import { flagOf } from "../core/shape.js";
import { Resource } from "./resource.js";

/**
 * Swarm services: declare a desired state and let the swarm keep it.
 *
 * @example
 * ```ts
 * const { ID } = await docker.services.create({ Name: "web", TaskTemplate: { ContainerSpec: { Image: "nginx" } } });
 * ```
 */
export class Services extends Resource {
  /** Lists services; `status: true` adds running/desired task counts. */
  list(query?: QueryParams<"ServiceList">, options?: RequestOptions): Promise<Service[]> {
    return this.core.call("ServiceList", { query }, options);
  }

  /** Creates a service. Pass `auth` when its image lives in a private registry. */
  async create(spec: JsonBody<"ServiceCreate">, options?: RequestOptions & AuthOptions): Promise<ServiceCreateResponse> {
    const headers = await registryAuthHeaders(this.core, spec.TaskTemplate?.ContainerSpec?.Image, options);
    return this.core.call("ServiceCreate", { body: spec, headers }, options);
  }

  /** Returns one service. */
  inspect(id: string, query?: QueryParams<"ServiceInspect">, options?: RequestOptions): Promise<Service> {
    return this.core.call("ServiceInspect", { path: { id }, query }, options);
  }

  /**
   * Replaces a service's spec; `version` must be its current `Version.Index`. Returns warnings.
   * `rollback: "previous"` rolls back to the previous spec instead.
   */
  async update(
    id: string,
    query: QueryParams<"ServiceUpdate">,
    spec: JsonBody<"ServiceUpdate">,
    options?: RequestOptions & AuthOptions,
  ): Promise<ServiceUpdateResponse> {
    const headers = await registryAuthHeaders(this.core, spec.TaskTemplate?.ContainerSpec?.Image, options);
    return this.core.call("ServiceUpdate", { path: { id }, query, body: spec, headers }, options);
  }

  /** Removes a service (its tasks are stopped). */
  remove(id: string, options?: RequestOptions): Promise<void> {
    return this.core.call("ServiceDelete", { path: { id } }, options);
  }

  /** Streams the output of all of a service's tasks. */
  logs(id: string, query?: QueryParams<"ServiceLogs">, options?: RequestOptions & { tty?: boolean }): Promise<OutputStream> {
    return this.core.call("ServiceLogs", { path: { id }, query }, { ...options, tty: options?.tty ?? (() => this.#tty(id, options)) });
  }

  async #tty(id: string, options?: RequestOptions): Promise<boolean> {
    const service = await this.core.call("ServiceInspect", { path: { id } }, options);
    return flagOf(service, "Spec.TaskTemplate.ContainerSpec.TTY") ?? false;
  }
}
