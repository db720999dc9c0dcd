import { ConflictError, NotFoundError } from "../core/errors.js";
import type { Filters } from "../core/filters.js";
import { checkFields } from "../core/shape.js";
import type { RequestOptions } from "../core/types.js";
import type { ContainerOperations } from "../resources/containers.js";
import type { ImageOperations } from "../resources/images.js";
import type { Networks } from "../resources/networks.js";
import type { Volumes } from "../resources/volumes.js";

/** The kinds of object `removeByLabel` looks at, in the order it removes them. */
export type LabeledKind = "containers" | "networks" | "volumes" | "images";

/**
 * Which labels an object must carry: `"ci-job"` (has the label), `"ci-job=42"` (has it with that
 * value), a list of those (all must match), or a record (`{ "ci-job": "42", temp: true }`).
 */
export type LabelSelector = string | NonNullable<Filters<"ContainerList">["label"]>;

/** Options of `docker.removeByLabel`. */
export interface RemoveByLabelOptions extends RequestOptions {
  /** Only these kinds (default: all four). */
  only?: readonly LabeledKind[];
}

/** One object `removeByLabel` could not remove. */
export interface RemovalFailure {
  /** What kind of object it is. */
  kind: LabeledKind;
  /** Container, network or image id; volume name. */
  id: string;
  /** Why, with the daemon's message. */
  error: unknown;
}

/** What `docker.removeByLabel` did. Objects that vanished meanwhile count as removed. */
export interface RemovedByLabel {
  /** Ids of removed containers. */
  containers: string[];
  /** Ids of removed networks. */
  networks: string[];
  /** Names of removed volumes. */
  volumes: string[];
  /** Ids of removed images. */
  images: string[];
  /** What could not be removed; empty when everything went. */
  failures: RemovalFailure[];
}

/** The resources `removeByLabel` composes. */
export interface CleanupResources {
  containers: ContainerOperations;
  networks: Networks;
  volumes: Volumes;
  images: ImageOperations;
}

const KINDS: readonly LabeledKind[] = ["containers", "networks", "volumes", "images"];

/**
 * Removes every object carrying the labels; see `Docker.removeByLabel`. Containers go first (so
 * their networks, volumes and images are free), by force and with their anonymous volumes.
 */
export async function removeByLabel(
  docker: CleanupResources,
  selector: LabelSelector,
  options: RemoveByLabelOptions = {},
): Promise<RemovedByLabel> {
  const label = typeof selector === "string" ? [selector] : selector;
  const call = { signal: options.signal, timeout: options.timeout };
  const only = new Set(options.only ?? KINDS);
  const report: RemovedByLabel = { containers: [], networks: [], volumes: [], images: [], failures: [] };
  const attempt = async (kind: LabeledKind, id: string, remove: () => Promise<unknown>) => {
    try {
      await remove();
      report[kind].push(id);
    } catch (error) {
      if (error instanceof NotFoundError) report[kind].push(id);
      else report.failures.push({ kind, id, error });
    }
  };

  if (only.has("containers")) {
    const ids = defined((await docker.containers.list({ all: true, filters: { label } }, call)).map(({ Id }) => Id));
    await Promise.all(ids.map((id) => attempt("containers", id, () => docker.containers.remove(id, { force: true, v: true }, call))));
  }
  if (only.has("networks")) {
    const ids = defined((await docker.networks.list({ filters: { label } }, call)).map(({ Id }) => Id));
    await Promise.all(ids.map((id) => attempt("networks", id, () => docker.networks.remove(id, call))));
  }
  if (only.has("volumes")) {
    const listed = await docker.volumes.list({ filters: { label } }, call);
    checkFields(listed, { Volumes: "object[]" });
    const found = listed.Volumes ?? [];
    const names = defined(found.map(({ Name }) => Name));
    await Promise.all(names.map((name) => attempt("volumes", name, () => docker.volumes.remove(name, undefined, call))));
  }
  if (only.has("images")) {
    const ids = defined((await docker.images.list({ all: true, filters: { label } }, call)).map(({ Id }) => Id));
    await removeImages(docker.images, ids, report, call);
  }
  return report;
}

/**
 * Removes images one at a time, in rounds: an image with labelled children is refused (409) until
 * they are gone, so refused ones are retried while each round removes something.
 */
async function removeImages(images: ImageOperations, ids: string[], report: RemovedByLabel, call: RequestOptions): Promise<void> {
  let pending = ids;
  while (pending.length > 0) {
    const refused: { id: string; error: unknown }[] = [];
    for (const id of pending) {
      try {
        await images.remove(id, { force: true }, call);
        report.images.push(id);
      } catch (error) {
        // Taken along with an image removed before it: gone, as wanted.
        if (error instanceof NotFoundError) report.images.push(id);
        else if (error instanceof ConflictError) refused.push({ id, error });
        else report.failures.push({ kind: "images", id, error });
      }
    }
    if (refused.length === pending.length) {
      for (const { id, error } of refused) report.failures.push({ kind: "images", id, error });
      return;
    }
    pending = refused.map(({ id }) => id);
  }
}

/** The values that are there (list entries may lack an id on odd daemons). */
function defined(values: readonly (string | undefined | null)[]): string[] {
  return values.filter((value): value is string => typeof value === "string" && value !== "");
}
