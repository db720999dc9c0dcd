import type { Volume, VolumeListResponse, VolumePruneResponse } from "../../generated/schemas.js";
import type { JsonBody, QueryParams, RequestOptions } from "../core/types.js";
import { Resource } from "./resource.js";

/**
 * Volumes: create, inspect, list, remove, prune.
 *
 * @example
 * ```ts
 * const volume = await docker.volumes.create({ Name: "data", Labels: { app: "demo" } });
 * ```
 */
export class Volumes extends Resource {
  /** Lists volumes (and warnings from drivers that failed to answer). */
  list(query?: QueryParams<"VolumeList">, options?: RequestOptions): Promise<VolumeListResponse> {
    return this.core.call("VolumeList", { query }, options);
  }

  /** Creates a volume (a no-op returning the existing one if the name is taken by the same driver). */
  create(config: JsonBody<"VolumeCreate"> = {}, options?: RequestOptions): Promise<Volume> {
    return this.core.call("VolumeCreate", { body: config }, options);
  }

  /** Returns details of a volume. */
  inspect(name: string, options?: RequestOptions): Promise<Volume> {
    return this.core.call("VolumeInspect", { path: { name } }, options);
  }

  /** Updates a cluster volume (swarm only); `version` is the object version being updated. */
  async update(
    name: string,
    query: QueryParams<"VolumeUpdate">,
    spec: JsonBody<"VolumeUpdate">,
    options?: RequestOptions,
  ): Promise<void> {
    await this.core.call("VolumeUpdate", { path: { name }, query, body: spec }, options);
  }

  /** Removes a volume; `force` also ignores a missing one. */
  remove(name: string, query?: QueryParams<"VolumeDelete">, options?: RequestOptions): Promise<void> {
    return this.core.call("VolumeDelete", { path: { name }, query }, options);
  }

  /** Deletes unused volumes (anonymous ones only, unless the `all` filter is set). */
  prune(query?: QueryParams<"VolumePrune">, options?: RequestOptions): Promise<VolumePruneResponse> {
    return this.core.call("VolumePrune", { query }, options);
  }
}
