import type { NetworkCreateResponse, NetworkInspect, NetworkPruneResponse, NetworkSummary } from "../../generated/schemas.js";
import type { JsonBody, QueryParams, RequestOptions } from "../core/types.js";
import { Resource } from "./resource.js";

/**
 * Networks: create, inspect, connect containers, remove.
 *
 * @example
 * ```ts
 * const { Id } = await docker.networks.create({ Name: "backend", Labels: { app: "demo" } });
 * await docker.networks.connect(Id, { Container: "web" });
 * ```
 */
export class Networks extends Resource {
  /** Lists networks. @example `await docker.networks.list({ filters: { driver: ["bridge"] } })` */
  list(query?: QueryParams<"NetworkList">, options?: RequestOptions): Promise<NetworkSummary[]> {
    return this.core.call("NetworkList", { query }, options);
  }

  /** Returns details of a network, including attached containers. */
  inspect(id: string, query?: QueryParams<"NetworkInspect">, options?: RequestOptions): Promise<NetworkInspect> {
    return this.core.call("NetworkInspect", { path: { id }, query }, options);
  }

  /** Creates a network. */
  create(config: JsonBody<"NetworkCreate">, options?: RequestOptions): Promise<NetworkCreateResponse> {
    return this.core.call("NetworkCreate", { body: config }, options);
  }

  /** Removes a network. */
  remove(id: string, options?: RequestOptions): Promise<void> {
    return this.core.call("NetworkDelete", { path: { id } }, options);
  }

  /** Attaches a container to a network. */
  connect(id: string, params: JsonBody<"NetworkConnect">, options?: RequestOptions): Promise<void> {
    return this.core.call("NetworkConnect", { path: { id }, body: params }, options);
  }

  /** Detaches a container from a network. */
  disconnect(id: string, params: JsonBody<"NetworkDisconnect">, options?: RequestOptions): Promise<void> {
    return this.core.call("NetworkDisconnect", { path: { id }, body: params }, options);
  }

  /** Deletes unused networks. */
  prune(query?: QueryParams<"NetworkPrune">, options?: RequestOptions): Promise<NetworkPruneResponse> {
    return this.core.call("NetworkPrune", { query }, options);
  }
}
