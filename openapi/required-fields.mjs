// Which result fields are required, decided from evidence: the answers of every supported engine
// recorded in test/fixtures/answers/<engine>/<OperationId>[.<case>].json (scripts/record-answers.mjs).
// A property of a result schema is required exactly when every engine sent it, non-null, in every
// instance of that schema in its answers (null only where the schema allows null); an object schema
// the spec calls nullable that no engine ever sent as null loses its nullability. A field some
// older spec's same-named schema lacks stays optional even so: the client still talks to daemons
// of those API versions (down to 1.40, dockerd 19.03), which predate it. Schemas an engine never answered with, and schemas a
// request can also carry (a required field there would be required of the caller too), keep the
// spec's required list.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./spec.mjs";

export const ANSWERS_DIR = path.join(REPO_ROOT, "test/fixtures/answers");

/**
 * The recorded answers: `{ engines: string[], answers: [{ engine, operationId, file, value }] }`,
 * in a fixed order (engines, then files, sorted), so generation stays reproducible.
 */
export function loadAnswers(dir = ANSWERS_DIR) {
  const engines = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const answers = [];
  for (const engine of engines) {
    for (const file of readdirSync(path.join(dir, engine)).filter((name) => name.endsWith(".json")).sort()) {
      const value = JSON.parse(readFileSync(path.join(dir, engine, file), "utf8"));
      answers.push({ engine, operationId: file.split(".")[0], file: `${engine}/${file}`, value });
    }
  }
  return { engines, answers };
}

const resolve = (doc, node) =>
  node?.$ref ? doc.components.schemas[node.$ref.slice("#/components/schemas/".length)] : node;

/** The JSON (or JSON-lines) schema of an operation's 200 answer. */
export function answerSchema(doc, operationId) {
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) {
      if (op?.operationId !== operationId) continue;
      const content = op.responses?.["200"]?.content ?? {};
      const media = content["application/json"] ?? content["application/x-ndjson"];
      if (!media?.schema) throw new Error(`${operationId} has no JSON answer in the spec`);
      return media.schema;
    }
  }
  throw new Error(`no operation ${operationId} in the spec`);
}

/** Every schema node reachable from `node` (through refs, properties, items, maps and compositions). */
function reachable(doc, node, seen = new Set()) {
  node = resolve(doc, node);
  if (!node || typeof node !== "object" || seen.has(node)) return seen;
  seen.add(node);
  for (const child of Object.values(node.properties ?? {})) reachable(doc, child, seen);
  for (const key of ["items", "additionalProperties"]) if (typeof node[key] === "object") reachable(doc, node[key], seen);
  for (const key of ["allOf", "oneOf", "anyOf"]) for (const child of node[key] ?? []) reachable(doc, child, seen);
  return seen;
}

/** Schema nodes a request body or parameter can carry. */
function requestNodes(doc) {
  const seen = new Set();
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) {
      if (!op || typeof op !== "object") continue;
      for (const media of Object.values(op.requestBody?.content ?? {})) reachable(doc, media.schema, seen);
      for (const parameter of op.parameters ?? []) reachable(doc, parameter.schema, seen);
    }
  }
  return seen;
}

/**
 * Walks `value` along `node`, counting per object schema node and engine how many instances were
 * seen and how many of them carried each property (present and not null).
 */
function observe(doc, node, value, engine, where, stats) {
  node = resolve(doc, node);
  if (!node || value === null || value === undefined) return;
  for (const part of node.allOf ?? []) observe(doc, part, value, engine, where, stats);
  if (Array.isArray(value)) {
    if (node.items) value.forEach((item, i) => observe(doc, node.items, item, engine, `${where}[${i}]`, stats));
    return;
  }
  if (typeof value !== "object") return;
  if (node.properties) {
    let entry = stats.get(node);
    if (!entry) stats.set(node, (entry = { where, engines: new Map() }));
    let seen = entry.engines.get(engine);
    if (!seen) entry.engines.set(engine, (seen = { instances: 0, present: new Map() }));
    seen.instances++;
    for (const [name, child] of Object.entries(node.properties)) {
      if (value[name] === null) stats.nulls.add(resolve(doc, child));
      // null counts as sent only where the schema allows it.
      if (value[name] === undefined || (value[name] === null && !resolve(doc, child)?.nullable)) continue;
      seen.present.set(name, (seen.present.get(name) ?? 0) + 1);
      observe(doc, child, value[name], engine, `${where}.${name}`, stats);
    }
  }
  if (typeof node.additionalProperties === "object") {
    for (const [key, child] of Object.entries(value)) {
      if (!node.properties || !(key in node.properties)) observe(doc, node.additionalProperties, child, engine, `${where}[${key}]`, stats);
    }
  }
}

/**
 * Sets `required` on each result schema every engine answered with, to the properties all of them
 * always sent, and drops `nullable` from those never sent as null. Returns one
 * `{ where, required, dropped, neverNull }` entry per schema changed (`where` is the first path it
 * was seen at), for the caller to report.
 */
export function markRequiredFromAnswers(doc, { engines, answers }, history = []) {
  const names = new Map(Object.entries(doc.components.schemas).map(([name, node]) => [node, name]));
  /** False when an older spec has the schema named like `node` without `field`. */
  const everywhere = (node, field) =>
    history.every((spec) => {
      const properties = spec.doc.definitions?.[names.get(node)]?.properties;
      return !properties || field in properties;
    });
  if (engines.length === 0) throw new Error(`no recorded answers in ${ANSWERS_DIR}`);
  const stats = Object.assign(new Map(), { nulls: new Set() });
  for (const { engine, operationId, value } of answers) {
    const schema = answerSchema(doc, operationId);
    // A stream (events) is recorded as the list of its messages.
    const messages = Array.isArray(value) && resolve(doc, schema).type !== "array" ? value : [value];
    for (const message of messages) observe(doc, schema, message, engine, operationId, stats);
  }
  const shared = requestNodes(doc);
  const changes = [];
  for (const [node, { where, engines: seen }] of stats) {
    if (shared.has(node) || !engines.every((engine) => seen.has(engine))) continue;
    const required = Object.keys(node.properties).filter(
      (name) =>
        engines.every((engine) => seen.get(engine).present.get(name) === seen.get(engine).instances) &&
        everywhere(node, name),
    );
    // An object schema the spec calls nullable that no engine ever sent as null is not.
    const neverNull = node.nullable === true && !stats.nulls.has(node);
    const before = node.required ?? [];
    if (JSON.stringify(before) === JSON.stringify(required) && !neverNull) continue;
    changes.push({ where, required, dropped: before.filter((name) => !required.includes(name)), neverNull });
    if (required.length > 0) node.required = required;
    else delete node.required;
    if (neverNull) delete node.nullable;
  }
  return changes;
}
