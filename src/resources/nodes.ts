import type { Node } from "../../generated/schemas.js";
import type { JsonBody, QueryParams, RequestOptions } from "../core/types.js";
import { Resource } from "./resource.js";

/**
 * Swarm nodes: list, inspect, update (availability, role, labels), remove.
 *
 * @example
 * ```ts
 * const [node] = await docker.nodes.list({ filters: { role: ["manager"] } });
 * await docker.nodes.update(node.ID!, { version: node.Version!.Index! }, { ...node.Spec, Availability: "drain" });
 * ```
 */
export class Nodes extends Resource {
  /** Lists the swarm's nodes. */
  list(query?: QueryParams<"NodeList">, options?: RequestOptions): Promise<Node[]> {
    return this.core.call("NodeList", { query }, options);
  }

  /** Returns one node. */
  inspect(id: string, options?: RequestOptions): Promise<Node> {
    return this.core.call("NodeInspect", { path: { id } }, options);
  }

  /** Replaces a node's spec; `version` must be its current `Version.Index`. */
  update(id: string, query: QueryParams<"NodeUpdate">, spec: JsonBody<"NodeUpdate">, options?: RequestOptions): Promise<void> {
    return this.core.call("NodeUpdate", { path: { id }, query, body: spec }, options);
  }

  /** Removes a node from the swarm (`force` for one that is still up). */
  remove(id: string, query?: QueryParams<"NodeDelete">, options?: RequestOptions): Promise<void> {
    return this.core.call("NodeDelete", { path: { id }, query }, options);
  }
}
