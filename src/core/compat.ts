import { FILTERS, type FilterKey } from "../../generated/filters.js";
import { OPERATIONS, type OperationId } from "../../generated/operations.js";
import { API_VERSIONS, SINCE, type ApiVersion, type OperationSince } from "../../generated/since.js";
import { UnsupportedApiVersionError } from "./errors.js";

/**
 * The one place that decides whether an API version can serve a call, so that a call the daemon
 * would reject (or, worse, silently ignore part of) fails before anything is sent, with the
 * version it needs. Dates come from the generated tables (`generated/since.ts`,
 * `generated/filters.ts`) plus the few request-body options below that the Engine API CHANGELOG
 * dates; nothing is guessed. A parameter the tables do not know is left to the daemon.
 */

/** The part of a call a version check is about; none means the operation itself. */
export type Feature = "query" | "header" | "filter" | "body";

/** When part of the API appeared and, if it was dropped later, the version that dropped it. */
export interface Availability {
  readonly since: string;
  readonly removedIn?: string | undefined;
  /**
   * Set for additions the CHANGELOG calls "not versioned": a daemon that has them honours them
   * at every API version, so the version in use says nothing; the daemon's own highest version
   * does (refused below `since` when a ping told it, otherwise left to the daemon).
   */
  readonly unversioned?: true;
}

/** The parts of a call the check reads (a `CallInit` fits). */
export interface CallShape {
  query?: object | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
  body?: unknown;
}

/** A request-body option dated by the CHANGELOG: a path into the JSON body, and optionally one value. */
interface BodyRule {
  /** Dotted path; `[]` walks an array's items, `*` an object's values. */
  readonly field: string;
  readonly since: ApiVersion;
  /** Only this value counts (otherwise any non-empty value does). */
  readonly value?: string;
}

/**
 * Container options that older daemons ignore without a word (or reject with a vaguer message).
 * The Go client refuses the same ones before sending; moving them elsewhere would guess intent.
 */
const BODY_RULES: Partial<Record<OperationId, readonly BodyRule[]>> = {
  ContainerCreate: [
    { field: "HostConfig.Mounts[].BindOptions.CreateMountpoint", since: "1.42" },
    { field: "HostConfig.Annotations", since: "1.43" },
    { field: "Healthcheck.StartInterval", since: "1.44" },
    { field: "HostConfig.Mounts[].BindOptions.ReadOnlyForceRecursive", since: "1.44" },
    { field: "NetworkingConfig.EndpointsConfig.*.MacAddress", since: "1.44" },
    { field: "HostConfig.Mounts[].VolumeOptions.Subpath", since: "1.45" },
    { field: "HostConfig.Mounts[].TmpfsOptions.Options", since: "1.46" },
    { field: "HostConfig.Mounts[].Type", value: "image", since: "1.48" },
    { field: "NetworkingConfig.EndpointsConfig.*.GwPriority", since: "1.48" },
  ],
};

/** "Not versioned" additions (see {@link Availability.unversioned}), as `Operation feature:name`. */
const UNVERSIONED: ReadonlySet<string> = new Set([
  // 1.44: the image `until` filter reached every API version of daemons that have it.
  "ImageList filter:until",
]);

/** What to use instead of something that was dropped, as `Operation feature:name`. */
const SUCCESSORS: Readonly<Record<string, string>> = {
  "BuildPrune query:keep-storage": 'use "reserved-space" instead',
  "ImageSearch filter:is-automated": "registries no longer report automated builds",
};

const FLOOR: string = API_VERSIONS[0];
const NEVER = Number.POSITIVE_INFINITY;

/**
 * What one operation needs, summed up once: from `ceiling` on, and below `firstRemoval`, every
 * part of it is served, so the common call costs two comparisons.
 */
interface Profile {
  readonly ceiling: number;
  readonly firstRemoval: number;
}

const profiles = new Map<OperationId, Profile>();
// A client keeps one version, so the last one parsed is nearly always the one asked for.
let lastVersion = "";
let lastRank = Number.NaN;

/** `1.41` → 1041; malformed versions give NaN, which never refuses (validating them is config's job). */
function rank(version: string): number {
  if (version === lastVersion) return lastRank;
  const dot = version.indexOf(".");
  const value = dot < 0 ? Number.NaN : Number(version.slice(0, dot)) * 1000 + Number(version.slice(dot + 1));
  lastVersion = version;
  lastRank = value;
  return value;
}

/** The oldest spec dates everything it already had to itself, which only means "at or before". */
function sinceRank(a: Availability): number {
  return a.since === FLOOR ? 0 : rank(a.since);
}

function removalRank(a: Availability): number {
  return a.removedIn === undefined ? NEVER : rank(a.removedIn);
}

function sinceTable(op: OperationId): OperationSince {
  return SINCE[op];
}

function filterTable(op: OperationId): Readonly<Record<string, FilterKey>> | undefined {
  return (FILTERS as Partial<Record<OperationId, Readonly<Record<string, FilterKey>>>>)[op];
}

function dated(op: OperationId, feature: Feature, name: string, a: Availability): Availability {
  return UNVERSIONED.has(`${op} ${feature}:${name}`) ? { ...a, unversioned: true } : a;
}

function lookup(
  current: Readonly<Record<string, string>>,
  removed: Readonly<Record<string, { since: string; removedIn: string }>> | undefined,
  name: string,
): Availability | undefined {
  const since = current[name];
  if (since !== undefined) return { since };
  return removed?.[name];
}

/** The header name as the tables spell it (HTTP header names are case-insensitive). */
function headerName(table: OperationSince, name: string): string {
  const lower = name.toLowerCase();
  const names = [...Object.keys(table.header), ...Object.keys(table.removed?.header ?? {})];
  return names.find((candidate) => candidate.toLowerCase() === lower) ?? name;
}

/**
 * When an operation, or one of its query parameters, headers, filter keys or dated body options,
 * became available (and when it was dropped). `undefined` when the tables do not know the name.
 */
export function availability(op: OperationId, feature?: Feature, name?: string): Availability | undefined {
  const table = sinceTable(op);
  if (feature === undefined || name === undefined) return { since: table.since };
  let found: Availability | undefined;
  switch (feature) {
    case "query":
      found = lookup(table.query, table.removed?.query, name);
      break;
    case "header":
      found = lookup(table.header, table.removed?.header, headerName(table, name));
      break;
    case "filter":
      found = filterTable(op)?.[name];
      break;
    case "body":
      found = BODY_RULES[op]?.find((rule) => rule.field === name);
      if (found) found = { since: found.since };
      break;
  }
  return found && dated(op, feature, name, found);
}

/**
 * True when `version` can serve the operation (or the named part of it). Names the tables do not
 * know count as supported: the daemon will say if they are not.
 */
export function isSupported(op: OperationId, version: string, feature?: Feature, name?: string): boolean {
  const a = availability(op, feature, name);
  // An unversioned addition depends on the daemon, not on the version in use.
  if (a === undefined || a.unversioned) return true;
  const v = rank(version);
  return !(sinceRank(a) > v || removalRank(a) <= v);
}

function profileOf(op: OperationId): Profile {
  const table = sinceTable(op);
  const parts: Availability[] = [{ since: table.since }];
  for (const name in table.query) parts.push(availability(op, "query", name)!);
  for (const name in table.header) parts.push(availability(op, "header", name)!);
  for (const name in table.removed?.query) parts.push(availability(op, "query", name)!);
  for (const name in table.removed?.header) parts.push(availability(op, "header", name)!);
  for (const name in filterTable(op)) parts.push(availability(op, "filter", name)!);
  for (const rule of BODY_RULES[op] ?? []) parts.push(rule);
  const profile = {
    ceiling: Math.max(...parts.map(sinceRank)),
    firstRemoval: Math.min(...parts.map(removalRank)),
  };
  profiles.set(op, profile);
  return profile;
}

/**
 * Refuses, before anything is sent, a call that API `version` cannot serve: the operation itself,
 * a query parameter or header given a value (`undefined` and `null` are left out of the request,
 * so they do not count), a key of a `filters` object, or a dated container option. Also refuses
 * what the version has already dropped. `pinned` only changes the wording of the error. An
 * unversioned addition is checked against `daemon`, the daemon's own highest version, when known.
 *
 * @throws {UnsupportedApiVersionError} naming what needs which version and the version in use.
 */
export function checkSupport(op: OperationId, version: string, call: CallShape, pinned = false, daemon?: string): void {
  const v = rank(version);
  const profile = profiles.get(op) ?? profileOf(op);
  if (profile.ceiling <= v && v < profile.firstRemoval) return;
  const refuse = (feature: Feature | undefined, name: string | undefined) => {
    const a = availability(op, feature, name);
    if (a === undefined) return;
    if (a.unversioned) {
      if (daemon !== undefined && sinceRank(a) > rank(daemon)) throw refusal(op, feature, name, a, false, daemon, false, true);
      return;
    }
    if (sinceRank(a) > v) throw refusal(op, feature, name, a, false, version, pinned);
    if (removalRank(a) <= v) throw refusal(op, feature, name, a, true, version, pinned);
  };
  refuse(undefined, undefined);
  const query = call.query as Record<string, unknown> | undefined;
  for (const name in query) {
    const value = query[name];
    if (value === undefined || value === null) continue;
    refuse("query", name);
    if (name === "filters" && typeof value === "object" && !Array.isArray(value)) {
      for (const key in value) {
        // A key left undefined is not encoded, so it does not count either.
        if ((value as Record<string, unknown>)[key] !== undefined) refuse("filter", key);
      }
    }
  }
  for (const name in call.headers) refuse("header", name);
  for (const rule of BODY_RULES[op] ?? []) {
    if (uses(call.body, segments(rule), 0, rule.value)) refuse("body", rule.field);
  }
}

const pathCache = new Map<BodyRule, readonly string[]>();

function segments(rule: BodyRule): readonly string[] {
  let path = pathCache.get(rule);
  if (path === undefined) pathCache.set(rule, (path = rule.field.split(".")));
  return path;
}

/** True when the body holds a non-empty value (or `expected`) at the path from segment `i` on. */
function uses(node: unknown, path: readonly string[], i: number, expected: string | undefined): boolean {
  if (i === path.length) return expected === undefined ? given(node) : node === expected;
  if (node === null || typeof node !== "object") return false;
  const segment = path[i]!;
  if (segment === "*") return Object.values(node).some((item) => uses(item, path, i + 1, expected));
  if (segment.endsWith("[]")) {
    const items = (node as Record<string, unknown>)[segment.slice(0, -2)];
    return Array.isArray(items) && items.some((item) => uses(item, path, i + 1, expected));
  }
  return uses((node as Record<string, unknown>)[segment], path, i + 1, expected);
}

/** Zero values are what the daemon's Go types read as "not set". */
function given(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

const NOUNS: Record<Feature, string> = { query: "parameter", header: "header", filter: "filter", body: "field" };

function refusal(
  op: OperationId,
  feature: Feature | undefined,
  name: string | undefined,
  a: Availability,
  dropped: boolean,
  version: string,
  pinned: boolean,
  ofDaemon = false,
): UnsupportedApiVersionError {
  const what = feature === undefined ? op : `${op} ${NOUNS[feature]} ${JSON.stringify(name)}`;
  const inUse = pinned ? `this client is pinned to API ${version}` : `the daemon speaks ${version}`;
  const facts = { method: OPERATIONS[op].method, apiVersion: version, actualVersion: version };
  if (!dropped) {
    const needs = ofDaemon ? `a daemon that serves API ${a.since} (at any API version)` : `API ${a.since}`;
    return new UnsupportedApiVersionError(`${what} needs ${needs}; ${inUse}`, {
      ...facts,
      requiredVersion: a.since,
    });
  }
  const successor = SUCCESSORS[`${op} ${feature}:${name}`];
  const removedIn = a.removedIn!;
  // The newest version that still had it is what the caller would have to pin to.
  const last = API_VERSIONS[API_VERSIONS.indexOf(removedIn as ApiVersion) - 1] ?? a.since;
  return new UnsupportedApiVersionError(
    `${what} was removed in API ${removedIn}; ${inUse}${successor ? ` (${successor})` : ""}`,
    { ...facts, requiredVersion: last },
  );
}
