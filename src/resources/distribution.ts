import type { DistributionInspect } from "../../generated/schemas.js";
import type { RequestOptions } from "../core/types.js";
import { type AuthOptions, registryAuthHeaders } from "./registry-auth.js";
import { Resource } from "./resource.js";

/**
 * Registry metadata through the daemon: an image's manifest digest and platforms, without pulling.
 *
 * @example `const { Descriptor, Platforms } = await docker.distribution.inspect("busybox:latest")`
 */
export class Distribution extends Resource {
  /** Asks the registry (via the daemon) for an image's descriptor and platforms. */
  async inspect(name: string, options?: RequestOptions & AuthOptions): Promise<DistributionInspect> {
    const headers = await registryAuthHeaders(this.core, name, options);
    return this.core.call("DistributionInspect", { path: { name }, headers }, options);
  }
}
