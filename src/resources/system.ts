import type { AuthResponse, EventMessage, SystemDataUsageResponse, SystemInfo, SystemVersion } from "../../generated/schemas.js";
import type { PingInfo } from "../core/negotiate.js";
import type { JsonBody, QueryParams, RequestOptions } from "../core/types.js";
import type { JsonStream } from "../streams/jsonlines.js";
import { Resource } from "./resource.js";


/**
 * The engine as a whole: ping, version, info, disk usage, events, and registry login checks.
 *
 * @example
 * ```ts
 * const { apiVersion, osType } = await docker.system.ping();
 * const { Version } = await docker.system.version();
 * ```
 */
export class SystemOperations extends Resource {
  /**
   * Checks the daemon answers and reads what it says about itself (API version, OS type,
   * experimental flag, default builder, swarm state) from the ping headers.
   */
  async ping(options?: RequestOptions): Promise<PingInfo> {
    return (await this.core.ping(options)).info;
  }

  /** Version of the engine and its components. */
  version(options?: RequestOptions): Promise<SystemVersion> {
    return this.core.call("SystemVersion", {}, options);
  }

  /** System-wide information: containers, images, storage driver, swarm, plugins, … */
  info(options?: RequestOptions): Promise<SystemInfo> {
    return this.core.call("SystemInfo", {}, options);
  }

  /**
   * Checks registry credentials (what `docker login` does) without storing them.
   * @example `await docker.system.auth({ username: "me", password, serveraddress: "registry.example.com" })`
   */
  auth(credentials: JsonBody<"SystemAuth">, options?: RequestOptions): Promise<AuthResponse> {
    return this.core.call("SystemAuth", { body: credentials }, options);
  }

  /** Disk usage of images, containers, volumes and build cache. */
  dataUsage(query?: QueryParams<"SystemDataUsage">, options?: RequestOptions): Promise<SystemDataUsageResponse> {
    return this.core.call("SystemDataUsage", { query }, options);
  }

  /**
   * Streams real-time events until the signal aborts (or `until` passes).
   * @example
   * ```ts
   * for await (const e of await docker.system.events({ filters: { type: ["container"] } }, { signal })) console.log(e.Action);
   * ```
   */
  events(query?: QueryParams<"SystemEvents">, options?: RequestOptions): Promise<JsonStream<EventMessage>> {
    return this.core.call("SystemEvents", { query }, options);
  }
}
