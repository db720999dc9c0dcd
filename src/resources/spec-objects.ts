import type { CallInit, JsonBody, JsonResult, OperationId, QueryParams, RequestOptions } from "../core/types.js";
import { Resource } from "./resource.js";

/** The five operations of a swarm object that is only a versioned spec (secrets, configs). */
interface SpecOps<L extends OperationId, C extends OperationId, I extends OperationId, U extends OperationId, D extends OperationId> {
  list: L;
  create: C;
  inspect: I;
  update: U;
  remove: D;
}

/**
 * Secrets and configs share one shape (list/create/inspect/update/remove by id); this class
 * serves both so they cannot drift apart.
 */
export abstract class SpecObjects<
  L extends OperationId,
  C extends OperationId,
  I extends OperationId,
  U extends OperationId,
  D extends OperationId,
> extends Resource {
  /** @internal */
  protected abstract readonly ops: SpecOps<L, C, I, U, D>;

  // The operations are type parameters here, so their answers are named by hand (all JSON or none).

  /** Lists the objects (filter by `id`, `name`, `label`, …). */
  list(query?: QueryParams<L>, options?: RequestOptions): Promise<JsonResult<L>> {
    return this.core.call(this.ops.list, { query } as CallInit<L>, options) as Promise<JsonResult<L>>;
  }

  /** Creates an object from its spec (`Data` is base64). */
  create(spec: JsonBody<C>, options?: RequestOptions): Promise<JsonResult<C>> {
    return this.core.call(this.ops.create, { body: spec } as CallInit<C>, options) as Promise<JsonResult<C>>;
  }

  /** Returns one object by id or name. */
  inspect(id: string, options?: RequestOptions): Promise<JsonResult<I>> {
    return this.core.call(this.ops.inspect, { path: { id } } as CallInit<I>, options) as Promise<JsonResult<I>>;
  }

  /** Replaces the spec (only labels may change); `version` is the current `Version.Index`. */
  async update(id: string, query: QueryParams<U>, spec: JsonBody<U>, options?: RequestOptions): Promise<void> {
    await this.core.call(this.ops.update, { path: { id }, query, body: spec } as CallInit<U>, options);
  }

  /** Removes an object. */
  async remove(id: string, options?: RequestOptions): Promise<void> {
    await this.core.call(this.ops.remove, { path: { id } } as CallInit<D>, options);
  }
}
