import type { Swarm as SwarmInspectResponse, UnlockKeyResponse } from "../../generated/schemas.js";
import type { JsonBody, QueryParams, RequestOptions } from "../core/types.js";
import { Resource } from "./resource.js";

/**
 * The swarm this engine belongs to: init, join, inspect (with join tokens), update, unlock, leave.
 *
 * @example
 * ```ts
 * const nodeId = await docker.swarm.init({ ListenAddr: "127.0.0.1:2377", AdvertiseAddr: "127.0.0.1" });
 * const { JoinTokens } = await docker.swarm.inspect();
 * ```
 */
export class Swarm extends Resource {
  /** Returns the swarm's spec, version and join tokens (only on a manager). */
  inspect(options?: RequestOptions): Promise<SwarmInspectResponse> {
    return this.core.call("SwarmInspect", {}, options);
  }

  /** Makes this engine the first manager of a new swarm; resolves to the node id. */
  init(params: JsonBody<"SwarmInit">, options?: RequestOptions): Promise<string> {
    return this.core.call("SwarmInit", { body: params }, options);
  }

  /** Joins an existing swarm as a worker or manager, depending on the token. */
  join(params: JsonBody<"SwarmJoin">, options?: RequestOptions): Promise<void> {
    return this.core.call("SwarmJoin", { body: params }, options);
  }

  /** Leaves the swarm; a manager needs `force: true`. */
  leave(query?: QueryParams<"SwarmLeave">, options?: RequestOptions): Promise<void> {
    return this.core.call("SwarmLeave", { query }, options);
  }

  /** Updates the swarm's spec; `version` must be the current `Version.Index`. Can rotate tokens. */
  async update(
    query: QueryParams<"SwarmUpdate">,
    spec: JsonBody<"SwarmUpdate">,
    options?: RequestOptions,
  ): Promise<void> {
    await this.core.call("SwarmUpdate", { query, body: spec }, options);
  }

  /** Returns the key that unlocks a locked swarm manager. */
  unlockKey(options?: RequestOptions): Promise<UnlockKeyResponse> {
    return this.core.call("SwarmUnlockkey", {}, options);
  }

  /** Unlocks a locked manager with its unlock key. */
  unlock(params: JsonBody<"SwarmUnlock">, options?: RequestOptions): Promise<void> {
    return this.core.call("SwarmUnlock", { body: params }, options);
  }
}
