import type { Plugin, PluginPrivilege } from "../../generated/schemas.js";
import type { JsonBody, QueryParams, RequestOptions } from "../core/types.js";
import type { RequestBody } from "../transport/types.js";
import type { ProgressMessage } from "../streams/progress.js";
import type { JsonStream } from "../streams/jsonlines.js";
import { type AuthOptions, registryAuthHeaders } from "./registry-auth.js";
import { Resource } from "./resource.js";

/**
 * Engine plugins (volume, network, log drivers …): install, configure, enable, remove.
 *
 * @example
 * ```ts
 * const privileges = await docker.plugins.privileges({ remote: "vieux/sshfs" });
 * await (await docker.plugins.pull({ remote: "vieux/sshfs" }, privileges)).done();
 * ```
 */
export class Plugins extends Resource {
  /** Lists installed plugins. */
  list(query?: QueryParams<"PluginList">, options?: RequestOptions): Promise<Plugin[]> {
    return this.core.call("PluginList", { query }, options);
  }

  /** Lists the privileges a remote plugin asks for (to grant in `pull`/`upgrade`). */
  privileges(query: QueryParams<"GetPluginPrivileges">, options?: RequestOptions): Promise<PluginPrivilege[]> {
    return this.core.call("GetPluginPrivileges", { query }, options);
  }

  /** Installs a plugin from a registry, granting `privileges`; streams progress. */
  async pull(
    query: QueryParams<"PluginPull">,
    privileges: JsonBody<"PluginPull"> = [],
    options?: RequestOptions & AuthOptions,
  ): Promise<JsonStream<ProgressMessage>> {
    const headers = await registryAuthHeaders(this.core, query.remote, options);
    return this.core.call("PluginPull", { query, body: privileges, headers }, options);
  }

  /** Returns one plugin. */
  inspect(name: string, options?: RequestOptions): Promise<Plugin> {
    return this.core.call("PluginInspect", { path: { name } }, options);
  }

  /**
   * Removes a plugin (`force` removes an enabled one). Resolves with the removed plugin where the
   * daemon sends it, and `undefined` where it answers with nothing (dockerd 20.10 does).
   */
  remove(name: string, query?: QueryParams<"PluginDelete">, options?: RequestOptions): Promise<Plugin | undefined> {
    return this.core.call("PluginDelete", { path: { name }, query }, options);
  }

  /** Enables a plugin. */
  enable(name: string, query?: QueryParams<"PluginEnable">, options?: RequestOptions): Promise<void> {
    return this.core.call("PluginEnable", { path: { name }, query }, options);
  }

  /** Disables a plugin. */
  disable(name: string, query?: QueryParams<"PluginDisable">, options?: RequestOptions): Promise<void> {
    return this.core.call("PluginDisable", { path: { name }, query }, options);
  }

  /** Upgrades a disabled plugin to another remote reference; streams progress. */
  async upgrade(
    name: string,
    query: QueryParams<"PluginUpgrade">,
    privileges: JsonBody<"PluginUpgrade"> = [],
    options?: RequestOptions & AuthOptions,
  ): Promise<JsonStream<ProgressMessage>> {
    const headers = await registryAuthHeaders(this.core, query.remote, options);
    return this.core.call("PluginUpgrade", { path: { name }, query, body: privileges, headers }, options);
  }

  /** Creates a plugin from a tar archive holding `config.json` and `rootfs/`. */
  create(query: QueryParams<"PluginCreate">, archive: RequestBody, options?: RequestOptions): Promise<void> {
    return this.core.call("PluginCreate", { query, raw: archive }, options);
  }

  /** Pushes a plugin to its registry; streams progress. */
  async push(name: string, options?: RequestOptions & AuthOptions): Promise<JsonStream<ProgressMessage>> {
    const headers = await registryAuthHeaders(this.core, name, options);
    return this.core.call("PluginPush", { path: { name }, headers }, options);
  }

  /** Sets plugin settings, e.g. `["DEBUG=1"]`. */
  set(name: string, settings: JsonBody<"PluginSet">, options?: RequestOptions): Promise<void> {
    return this.core.call("PluginSet", { path: { name }, body: settings }, options);
  }
}
