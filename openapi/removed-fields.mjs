// Finds schema properties that older specs list and the target spec no longer does, so they can be
// put back as optional, deprecated fields: older engines still send them, and a client typed only
// against the newest spec would otherwise hide data those engines really return.
import { compareVersions } from "./spec.mjs";

const OLD_REF = "#/definitions/";
const NEW_REF = "#/components/schemas/";

/** Properties of a schema node, including those of inline `allOf` members. */
function ownProperties(node) {
  const found = { ...(node?.properties ?? {}) };
  for (const member of node?.allOf ?? []) Object.assign(found, ownProperties(member));
  return found;
}

/**
 * Turns a Swagger 2.0 schema fragment into OpenAPI 3.0 as swagger2openapi would for the parts
 * schemas use: `x-nullable` becomes `nullable`, and definition refs point at component schemas.
 * A ref to a schema the target no longer has becomes `{}` (any value) rather than a dangling ref.
 */
function toSchema3(node, schemas) {
  if (Array.isArray(node)) return node.map((item) => toSchema3(item, schemas));
  if (node === null || typeof node !== "object") return node;
  if (typeof node.$ref === "string" && node.$ref.startsWith(OLD_REF)) {
    const name = node.$ref.slice(OLD_REF.length);
    return name in schemas ? { $ref: NEW_REF + name } : {};
  }
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "x-nullable") out.nullable = value;
    else out[key] = toSchema3(value, schemas);
  }
  return out;
}

/**
 * Walks an older schema beside the target's (recursing through inline objects, never `$ref`)
 * and records each property the target lacks, keyed by its path, with the version listing it.
 */
function collect(oldNode, newNode, trail, version, found) {
  const present = ownProperties(newNode);
  for (const [name, oldProperty] of Object.entries(ownProperties(oldNode))) {
    const key = `${trail}.${name}`;
    if (!(name in present)) {
      // Versions are visited newest first, so the newest definition of the field wins.
      if (!found.has(key)) found.set(key, { owner: newNode, name, oldProperty, lastVersion: version });
    } else if (!oldProperty.$ref && !present[name].$ref) {
      collect(oldProperty, present[name], key, version, found);
    }
  }
}

/**
 * Where a new property goes: the schema's own properties, or, for an `allOf` composition without
 * any, its last inline member that has some (so `A & {…}` keeps its shape).
 */
function propertyHolder(node) {
  if (node.properties) return node.properties;
  const member = (node.allOf ?? []).findLast((part) => part.properties && !part.$ref);
  if (member) return member.properties;
  node.properties = {};
  return node.properties;
}

/**
 * Adds to `doc` (OpenAPI 3, mutated) every property that a same-named schema of an older spec in
 * `history` had and the target dropped. Each comes back optional, `deprecated`, and carrying our
 * own one-line note (as `title`; upstream defaults are dropped) naming the last spec version that listed it.
 * Returns the paths added, e.g. "NetworkSettings.IPAddress".
 */
export function restoreRemovedFields(doc, history, targetVersion) {
  const schemas = doc.components.schemas;
  const older = history
    .filter((spec) => compareVersions(spec.version, targetVersion) < 0)
    .sort((a, b) => compareVersions(b.version, a.version));
  const found = new Map();
  for (const spec of older) {
    for (const [name, oldSchema] of Object.entries(spec.doc.definitions ?? {})) {
      if (schemas[name]) collect(oldSchema, schemas[name], name, spec.version, found);
    }
  }
  // Bodies the spec shapes inline (NetworkCreate's) have no schema name: match them by operation.
  const bodies = inlineBodies(doc);
  for (const spec of older) {
    for (const item of Object.values(spec.doc.paths ?? {})) {
      for (const op of Object.values(item)) {
        const oldBody = (op?.parameters ?? []).find((parameter) => parameter.in === "body")?.schema;
        const body = bodies.get(op?.operationId);
        if (oldBody && !oldBody.$ref && body) collect(oldBody, body, `${op.operationId}.body`, spec.version, found);
      }
    }
  }
  for (const [key, { owner, name, oldProperty, lastVersion }] of found) {
    const { default: _unused, ...restored } = toSchema3(oldProperty, schemas);
    propertyHolder(owner)[name] = {
      ...restored,
      deprecated: true,
      // Our own note; openapi-typescript prints a title as the first line of the field's JSDoc.
      title: `Only ${key.includes(".body.") ? "read" : "sent"} by older engines: the spec lists it up to API ${lastVersion}.`,
    };
  }
  return [...found.keys()];
}

/** Inline JSON request bodies of the target, by operationId. */
function inlineBodies(doc) {
  const bodies = new Map();
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) {
      const schema = op?.requestBody?.content?.["application/json"]?.schema;
      if (schema && !schema.$ref && schema.type === "object") bodies.set(op.operationId, schema);
    }
  }
  return bodies;
}
