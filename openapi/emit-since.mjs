// generated/since.ts: the first API version in which each operation and each query/header
// parameter appears, found by diffing every spec version from the oldest one available.
import { operations } from "./locate.mjs";
import { findOperation } from "./spec-index.mjs";
import { tsFile, tsLiteral } from "./ts-literal.mjs";

const LOCATIONS = ["query", "header"];

/**
 * Dates every operation and parameter of the patched target document against `indexes`
 * (indexed spec versions, oldest first, target last). Operations and parameters added by our
 * patches carry `x-dockhand-since` ("floor" meaning the oldest version) because no spec can date them.
 */
export function computeSince(indexes, doc) {
  const versions = indexes.map((indexed) => indexed.version);
  const floor = versions[0];
  const seen = new Set();
  const table = {};

  for (const { path, method, op } of operations(doc)) {
    const key = `${method} ${path}`;
    const found = indexes.map((index) => findOperation(index, key, op.operationId));
    found.forEach((entry) => entry && seen.add(entry.key));
    const first = found.findIndex(Boolean);
    const patchedSince = op["x-dockhand-since"];
    if (first < 0 && !patchedSince) throw new Error(`${op.operationId} is in no spec version, not even the target; a patch adding it must set x-dockhand-since`);

    const entry = { since: first >= 0 ? versions[first] : patchedSince === "floor" ? floor : patchedSince, query: {}, header: {} };
    const current = new Set();
    for (const param of op.parameters ?? []) {
      if (!LOCATIONS.includes(param.in)) continue;
      const name = `${param.in}:${param.name}`;
      current.add(name);
      const at = found.findIndex((version) => version?.params.has(name));
      const patched = param["x-dockhand-since"];
      if (at < 0 && !patched) throw new Error(`${op.operationId} ${name} is in no spec; a patch adding it must set x-dockhand-since`);
      entry[param.in][param.name] = at >= 0 ? versions[at] : patched === "floor" ? floor : patched;
    }

    // Parameters an older version had and the target dropped: kept, so callers talking to
    // an older daemon can still tell which version range honoured them.
    const removed = {};
    for (const name of new Set(found.flatMap((version) => (version ? [...version.params] : [])))) {
      if (current.has(name)) continue;
      const [location, param] = name.split(/:(.*)/s);
      const present = found.map((version) => Boolean(version?.params.has(name)));
      const last = present.lastIndexOf(true);
      if (last === versions.length - 1) throw new Error(`${op.operationId} ${name} is in the target spec but was patched away`);
      (removed[location] ??= {})[param] = { since: versions[present.indexOf(true)], removedIn: versions[last + 1] };
    }
    if (Object.keys(removed).length > 0) entry.removed = removed;
    table[op.operationId] = entry;
  }

  const removedOperations = {};
  indexes.forEach((index, at) => {
    for (const entry of index.byKey.values()) {
      if (seen.has(entry.key) || entry.id in removedOperations) continue;
      const [method, path] = entry.key.split(" ");
      const lastAt = indexes.findLastIndex((other) => other.byKey.has(entry.key));
      if (lastAt === indexes.length - 1) throw new Error(`${entry.id} is in the target spec but was patched away`);
      removedOperations[entry.id] = { method, path, since: versions[at], removedIn: versions[lastAt + 1] };
    }
  });

  return { versions, table, removedOperations };
}

/** generated/since.ts source. */
export function renderSince(spec, { versions, table, removedOperations }) {
  const types = `import type { OperationId } from "./operations.js";

/** Engine API versions whose specs were compared, oldest first; the first is the floor. */
export const API_VERSIONS = ${tsLiteral(versions)} as const;

/** One of the compared Engine API versions. */
export type ApiVersion = (typeof API_VERSIONS)[number];

/** A parameter that existed from \`since\` and was dropped in \`removedIn\`. */
export interface RemovedParameter {
  readonly since: ApiVersion;
  readonly removedIn: ApiVersion;
}

/** First versions of an operation and of each of its query and header parameters. */
export interface OperationSince {
  readonly since: ApiVersion;
  readonly query: Readonly<Record<string, ApiVersion>>;
  readonly header: Readonly<Record<string, ApiVersion>>;
  /** Parameters older versions accepted that the newest spec no longer lists. */
  readonly removed?: {
    readonly query?: Readonly<Record<string, RemovedParameter>>;
    readonly header?: Readonly<Record<string, RemovedParameter>>;
  };
}

/** An operation that an older version had and the newest spec no longer lists. */
export interface RemovedOperation {
  readonly method: string;
  readonly path: string;
  readonly since: ApiVersion;
  readonly removedIn: ApiVersion;
}`;
  const data = `/** First API version of every operation and parameter; anything in the oldest spec is dated to it. */
export const SINCE = ${tsLiteral(table)} as const satisfies Readonly<Record<OperationId, OperationSince>>;

/** Operations dropped along the way, keyed by their last operationId. */
export const REMOVED_OPERATIONS = ${tsLiteral(removedOperations)} as const satisfies Readonly<Record<string, RemovedOperation>>;`;
  return tsFile(spec, types, data);
}
