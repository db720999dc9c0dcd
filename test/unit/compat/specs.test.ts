// The version check against the upstream sources themselves, not the generated tables: each
// version's own spec (what it lists is accepted at that version, what it lacks is refused), and
// the CHANGELOG entries that date parameters, endpoints, filters and container options.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { OPERATIONS, type OperationId } from "../../../generated/operations.js";
import { API_VERSIONS, SINCE, type OperationSince } from "../../../generated/since.js";
import { availability, checkSupport, isSupported, type Feature } from "../../../src/core/compat.js";
import { UPSTREAM_DIR, upstreamMissing } from "../../support/upstream.js";

const missing = upstreamMissing();

/** One operation as a spec lists it: its operationId and the names of its parameters. */
interface SpecOperation {
  id: string;
  query: Set<string>;
  header: Set<string>;
}

interface RawParameter {
  in: string;
  name: string;
}
type RawOperation = { operationId?: string; parameters?: RawParameter[] };
/** A path item: operations by method, plus parameters shared by all of them. */
type RawPath = Record<string, RawOperation | RawParameter[] | undefined>;

/** The operations a spec lists, keyed by "METHOD /path". */
async function loadOperations(version: string): Promise<Map<string, SpecOperation>> {
  const doc = YAML.parse(await readFile(path.join(UPSTREAM_DIR, `v${version}.yaml`), "utf8")) as {
    paths: Record<string, RawPath>;
  };
  const found = new Map<string, SpecOperation>();
  for (const [route, item] of Object.entries(doc.paths)) {
    const shared = (item["parameters"] ?? []) as RawParameter[];
    for (const [method, value] of Object.entries(item)) {
      if (method === "parameters") continue;
      const op = value as RawOperation;
      const params = [...shared, ...(op.parameters ?? [])];
      const names = (where: string) => new Set(params.filter((p) => p.in === where).map((p) => p.name));
      found.set(`${method.toUpperCase()} ${route}`, {
        id: op.operationId ?? "",
        query: names("query"),
        header: names("header"),
      });
    }
  }
  return found;
}

/** "METHOD /path" of each operation the client knows. */
const routes = new Map<OperationId, string>(
  (Object.entries(OPERATIONS) as [OperationId, { method: string; path: string }][]).map(([id, op]) => [
    id,
    `${op.method} ${op.path}`,
  ]),
);

const accepts = (op: OperationId, version: string, feature?: "query" | "header", name?: string) => {
  try {
    const call = feature === "query" ? { query: { [name!]: "1" } } : feature === "header" ? { headers: { [name!]: "x" } } : {};
    checkSupport(op, version, call);
    return true;
  } catch {
    return false;
  }
};

const specs = new Map<string, Map<string, SpecOperation>>();
beforeAll(async () => {
  if (missing) return;
  for (const version of API_VERSIONS) specs.set(version, await loadOperations(version));
});

/** The spec's own entry for an operation: by route, or by operationId if the route moved. */
function entry(version: string, id: OperationId) {
  const listed = specs.get(version)!;
  return listed.get(routes.get(id)!) ?? [...listed.values()].find((o) => o.id === id);
}

/** Parameters some patch adds (dated to the floor by the generator) are in no upstream spec. */
function upstreamHas(id: OperationId, feature: "query" | "header", name: string): boolean {
  return API_VERSIONS.some((version) => entry(version, id)?.[feature].has(name));
}

describe.skipIf(missing).each([...API_VERSIONS])("the v%s spec", (version) => {
  it("has everything it lists accepted at its own version", () => {
    let checked = 0;
    for (const [route, op] of specs.get(version)!) {
      // An operation the newest spec dropped cannot be called at all, so there is nothing to refuse.
      const id = [...routes].find(([, r]) => r === route)?.[0] ?? (op.id in OPERATIONS ? (op.id as OperationId) : undefined);
      if (id === undefined) continue;
      expect(accepts(id, version), `${id} at ${version}`).toBe(true);
      for (const name of op.query) expect(accepts(id, version, "query", name), `${id} ?${name} at ${version}`).toBe(true);
      for (const name of op.header) expect(accepts(id, version, "header", name), `${id} ${name}: at ${version}`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(90);
  });

  it("has what it lacks refused at its version", () => {
    for (const id of routes.keys()) {
      const op = entry(version, id);
      if (!op) {
        // An operation some patch adds (BuildCancel) is in no upstream spec: dated to the floor.
        if (!API_VERSIONS.some((v) => entry(v, id))) continue;
        expect(accepts(id, version), `${id} is not in v${version}`).toBe(false);
        continue;
      }
      for (const feature of ["query", "header"] as const) {
        for (const name of knownNames(id, feature)) {
          if (op[feature].has(name) || !upstreamHas(id, feature, name)) continue;
          expect(accepts(id, version, feature, name), `${id} ${feature} ${name} at ${version}`).toBe(false);
        }
      }
    }
  });
});

/** Query or header names the tables know for an operation, current and removed. */
function knownNames(op: OperationId, feature: "query" | "header"): string[] {
  const entry: OperationSince = SINCE[op];
  return [...Object.keys(entry[feature]), ...Object.keys(entry.removed?.[feature] ?? {})];
}

/**
 * CHANGELOG entries that date something the check decides on. `mentions` are snippets the entry
 * for `version` must contain, so a wrong date here fails against the upstream text.
 */
interface Dated {
  version: string;
  op: OperationId;
  feature?: Feature;
  name?: string;
  mentions: string[];
  unversioned?: boolean;
  removed?: boolean;
  /** CHANGELOG section holding `mentions`, when not the one of `version` (removals are announced early). */
  announced?: string;
}

const DATED: Dated[] = [
  { version: "1.41", op: "ContainerStats", feature: "query", name: "one-shot", mentions: ["GET /containers/{id}/stats", "`one-shot`"] },
  { version: "1.41", op: "ContainerCreate", feature: "query", name: "platform", mentions: ["POST /containers/create", "`platform` query parameter"] },
  { version: "1.41", op: "ServiceList", feature: "query", name: "status", mentions: ["GET /services", "query parameter `status`"] },
  { version: "1.42", op: "ContainerStop", feature: "query", name: "signal", mentions: ["POST /containers/{id}/stop", "`signal` query parameter"] },
  { version: "1.42", op: "ContainerRestart", feature: "query", name: "signal", mentions: ["POST /containers/{id}/restart", "`signal` query parameter"] },
  { version: "1.42", op: "ImageList", feature: "query", name: "shared-size", mentions: ["GET /images/json", "query parameter `shared-size`"] },
  { version: "1.42", op: "SystemDataUsage", feature: "query", name: "type", mentions: ["GET /system/df", "query parameter `type`"] },
  { version: "1.42", op: "ContainerAttachWebsocket", feature: "query", name: "stdout", mentions: ["/attach/ws", "`stdout`"] },
  { version: "1.42", op: "VolumeUpdate", mentions: ["PUT /volumes"] },
  { version: "1.42", op: "VolumePrune", feature: "filter", name: "all", mentions: ["POST /volumes/prune", "filter parameter `all`"] },
  { version: "1.44", op: "ImageList", feature: "filter", name: "until", mentions: ["GET `/images/json` now accepts an `until` filter", "This change is not versioned"], unversioned: true },
  { version: "1.45", op: "ImageSearch", feature: "filter", name: "is-automated", mentions: ["`is-automated`"], removed: true },
  { version: "1.46", op: "ImagePush", feature: "query", name: "platform", mentions: ["POST /images/{name}/push", "`platform` parameter"] },
  { version: "1.47", op: "ImageList", feature: "query", name: "manifests", mentions: ["GET /images/json", "`manifests`"] },
  { version: "1.48", op: "ImageHistory", feature: "query", name: "platform", mentions: ["GET /images/{name}/history", "`platform` parameter"] },
  { version: "1.48", op: "ImageInspect", feature: "query", name: "manifests", mentions: ["GET /images/{name}/json", "`manifests`"] },
  { version: "1.48", op: "BuildPrune", feature: "query", name: "reserved-space", mentions: ["POST /build/prune", "`reserved-space`"] },
  { version: "1.49", op: "ImageInspect", feature: "query", name: "platform", mentions: ["GET /images/{name}/json", "`platform` parameter"] },
  { version: "1.50", op: "ImageDelete", feature: "query", name: "platforms", mentions: ["DELETE /images/{name}", "`platforms` query parameter"] },
  { version: "1.52", op: "BuildPrune", feature: "query", name: "keep-storage", mentions: ["`keep-storage` support will be removed in API v1.52"], removed: true, announced: "1.48" },
  { version: "1.52", op: "SystemDataUsage", feature: "query", name: "verbose", mentions: ["GET /system/df", "`?verbose=1`"] },
  { version: "1.54", op: "ImageList", feature: "query", name: "identity", mentions: ["GET /images/json", "`identity` query parameter"] },
  { version: "1.55", op: "ImageAttestations", mentions: ["GET /images/{name}/attestations", "new endpoint"] },
  { version: "1.42", op: "ContainerCreate", feature: "body", name: "HostConfig.Mounts[].BindOptions.CreateMountpoint", mentions: ["POST /containers/create", "`CreateMountpoint`"] },
  { version: "1.43", op: "ContainerCreate", feature: "body", name: "HostConfig.Annotations", mentions: ["POST /containers/create", "`Annotations` as part of `HostConfig`"] },
  { version: "1.44", op: "ContainerCreate", feature: "body", name: "Healthcheck.StartInterval", mentions: ["POST /containers/create", "`HealthConfig.StartInterval`"] },
  { version: "1.44", op: "ContainerCreate", feature: "body", name: "HostConfig.Mounts[].BindOptions.ReadOnlyForceRecursive", mentions: ["`BindOptions.ReadOnlyForceRecursive`"] },
  { version: "1.44", op: "ContainerCreate", feature: "body", name: "NetworkingConfig.EndpointsConfig.*.MacAddress", mentions: ["endpoint-specific `MacAddress`", "POST /containers/create"] },
  { version: "1.45", op: "ContainerCreate", feature: "body", name: "HostConfig.Mounts[].VolumeOptions.Subpath", mentions: ["POST /containers/create", "`VolumeOptions.Subpath`"] },
  { version: "1.46", op: "ContainerCreate", feature: "body", name: "HostConfig.Mounts[].TmpfsOptions.Options", mentions: ["POST /containers/create", "`Options` as part of `HostConfig.Mounts.TmpfsOptions`"] },
  { version: "1.48", op: "ContainerCreate", feature: "body", name: "HostConfig.Mounts[].Type", mentions: ["POST /containers/create", "`Mount` of type `image`"] },
  { version: "1.48", op: "ContainerCreate", feature: "body", name: "NetworkingConfig.EndpointsConfig.*.GwPriority", mentions: ["POST /containers/create", "`GwPriority` field in `EndpointsConfig`"] },
];

describe.skipIf(missing)("dates checked against the upstream CHANGELOG", () => {
  let sections: Map<string, string>;
  beforeAll(async () => {
    const text = await readFile(path.join(UPSTREAM_DIR, "CHANGELOG.md"), "utf8");
    sections = new Map();
    for (const part of text.split(/^## v/m).slice(1)) {
      const version = /^(\d+\.\d+) API changes/.exec(part)?.[1];
      if (version) sections.set(version, part.replace(/\s+/g, " "));
    }
  });

  it.each(DATED.map((d) => [`${d.op}${d.name ? ` ${d.feature} ${d.name}` : ""} @ ${d.version}`, d] as const))(
    "%s",
    (_, d) => {
      const section = sections.get(d.announced ?? d.version);
      expect(section, `CHANGELOG has a v${d.announced ?? d.version} section`).toBeDefined();
      for (const snippet of [...d.mentions, ...(d.name && d.feature !== "body" ? [d.name] : [])]) {
        expect(section, `v${d.announced ?? d.version} mentions ${snippet}`).toContain(snippet.replace(/\s+/g, " "));
      }
      const previous = API_VERSIONS[(API_VERSIONS as readonly string[]).indexOf(d.version) - 1]!;
      const a = availability(d.op, d.feature, d.name);
      if (d.removed) {
        expect(a?.removedIn).toBe(d.version);
        expect(isSupported(d.op, previous, d.feature, d.name)).toBe(true);
        expect(isSupported(d.op, d.version, d.feature, d.name)).toBe(false);
        return;
      }
      expect(a?.since).toBe(d.version);
      expect(a?.unversioned ?? false).toBe(d.unversioned ?? false);
      expect(isSupported(d.op, previous, d.feature, d.name)).toBe(d.unversioned ?? false);
      expect(isSupported(d.op, d.version, d.feature, d.name)).toBe(true);
    },
  );
});
