import type { components } from "../../generated/engine.js";
import { DockerArgumentError } from "../core/errors.js";
import { checkFields, type AnswerFields } from "../core/shape.js";
import type { RequestOptions } from "../core/types.js";
import type { ContainerOperations } from "../resources/containers.js";
import type { ImageOperations } from "../resources/images.js";
import type { Networks } from "../resources/networks.js";
import type { Volumes } from "../resources/volumes.js";
import type { LabelSelector } from "./cleanup.js";

/** Options of `docker.system.prune`: what `docker system prune` offers, with the same defaults. */
export interface SystemPruneOptions extends RequestOptions {
  /** Remove every image no container uses, not only untagged (dangling) ones. */
  all?: boolean;
  /** Also remove anonymous volumes no container uses. */
  volumes?: boolean;
  /** Also clear the build cache (default `true`; left out when `label` is given, which it cannot filter by). */
  buildCache?: boolean;
  /** Only objects carrying these labels (see {@link LabelSelector}). */
  label?: LabelSelector;
  /**
   * Only objects created before this: a Unix timestamp, a date-time, or a duration such as `"24h"`
   * (relative to the daemon's clock). Volumes have no creation filter and are pruned regardless.
   */
  until?: string;
}

type Schemas = components["schemas"];

/** What `docker.system.prune` removed, per kind, and the disk space it gave back. */
export interface SystemPruneResult {
  /** Ids of removed containers. */
  containers: string[];
  /** Ids of removed networks. */
  networks: string[];
  /** Names of removed volumes (empty unless `volumes: true`). */
  volumes: string[];
  /** Images untagged and deleted. */
  images: Schemas["ImageDeleteResponseItem"][];
  /** Ids of removed build cache records (empty when the build cache was left alone). */
  buildCache: string[];
  /** Bytes freed, summed over every kind. */
  spaceReclaimed: number;
}

/** What the prune answers hold, each kind's list and the space it freed. */
const PRUNED: AnswerFields = {
  ContainersDeleted: "string[]",
  NetworksDeleted: "string[]",
  VolumesDeleted: "string[]",
  ImagesDeleted: "object[]",
  CachesDeleted: "string[]",
  SpaceReclaimed: "number",
};

/** The resources `prune` composes. */
export interface PruneResources {
  containers: ContainerOperations;
  images: ImageOperations;
  networks: Networks;
  volumes: Volumes;
}

/**
 * Prunes containers, networks, (volumes,) images and build cache in that order, as
 * `docker system prune` does: each step frees what the next one may remove.
 */
export async function systemPrune(docker: PruneResources, options: SystemPruneOptions = {}): Promise<SystemPruneResult> {
  const call = { signal: options.signal, timeout: options.timeout };
  const label = typeof options.label === "string" ? [options.label] : options.label;
  const until = options.until === undefined ? undefined : [options.until];
  if (options.buildCache === true && label !== undefined) {
    throw new DockerArgumentError("system.prune: the build cache cannot be filtered by label; leave out buildCache or label");
  }
  const result: SystemPruneResult = { containers: [], networks: [], volumes: [], images: [], buildCache: [], spaceReclaimed: 0 };
  const containers = await docker.containers.prune({ filters: { label, until } }, call);
  checkFields(containers, PRUNED);
  result.containers = containers.ContainersDeleted ?? [];
  result.spaceReclaimed += containers.SpaceReclaimed ?? 0;
  const networks = await docker.networks.prune({ filters: { label, until } }, call);
  checkFields(networks, PRUNED);
  result.networks = networks.NetworksDeleted ?? [];
  if (options.volumes) {
    const volumes = await docker.volumes.prune({ filters: { label } }, call);
    checkFields(volumes, PRUNED);
    result.volumes = volumes.VolumesDeleted ?? [];
    result.spaceReclaimed += volumes.SpaceReclaimed ?? 0;
  }
  const images = await docker.images.prune({ filters: { label, until, dangling: !options.all } }, call);
  checkFields(images, PRUNED);
  result.images = images.ImagesDeleted ?? [];
  result.spaceReclaimed += images.SpaceReclaimed ?? 0;
  if (options.buildCache ?? label === undefined) {
    const cache = await docker.images.pruneBuildCache({ all: options.all, filters: { until } }, call);
    checkFields(cache, PRUNED);
    result.buildCache = cache.CachesDeleted ?? [];
    result.spaceReclaimed += cache.SpaceReclaimed ?? 0;
  }
  return result;
}
