// generated/operations.ts: what the request layer needs to send an operation without reading
// the spec — method, path template, body kind, response stream kind, connection upgrade.
import { at, operations } from "./locate.mjs";
import { tsFile, tsLiteral } from "./ts-literal.mjs";

const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE"];
const JSON_LINES = new Set(["application/x-ndjson", "application/jsonl", "application/json-seq"]);
const STDIO = new Set(["application/vnd.docker.raw-stream", "application/vnd.docker.multiplexed-stream"]);

const PREAMBLE = `/** HTTP methods the Engine API uses. */
export type HttpMethod = ${METHODS.map((m) => JSON.stringify(m)).join(" | ")};

/**
 * How a successful response body arrives:
 * - "json-lines": a sequence of JSON values, one per line (progress, events, stats);
 * - "stdio": container output, framed per stream unless the container has a TTY;
 * - "binary": opaque bytes such as a tar archive.
 * Operations without \`stream\` answer with one JSON document or nothing.
 */
export type StreamKind = "json-lines" | "stdio" | "binary";

/** What the connection turns into when the daemon answers 101 Switching Protocols. */
export type UpgradeProtocol = "tcp" | "websocket" | "h2c";

/** How a request body is encoded: JSON, or raw bytes (tar archives and image content). */
export type BodyKind = "json" | "binary";

/**
 * What a successful answer that is not a stream holds, when it is not one JSON document:
 * - "none": nothing (whatever body comes is discarded);
 * - "changed": nothing, and 304 Not Modified says the object already was in the asked state.
 */
export type AnswerKind = "none" | "changed";

/**
 * The JSON type of an answer that is one JSON document, as the spec documents it; an array of
 * objects is "object[]". The client refuses an answer of another type (a daemon or proxy that
 * lies), since its own code and its callers' rely on it.
 */
export type DocumentKind = "object" | "array" | "object[]" | "string" | "number" | "boolean";

/** Transport facts about one operation. */
export interface OperationInfo {
  /** HTTP method. */
  readonly method: HttpMethod;
  /** Path template below the version prefix, with \`{name}\` placeholders. */
  readonly path: string;
  /** Request body encoding, when the operation takes a body. */
  readonly body?: BodyKind;
  /** Response body delivery, when it is a stream rather than one JSON document. */
  readonly stream?: StreamKind;
  /** Protocol the connection is upgraded to, for operations that hijack it. */
  readonly upgrade?: UpgradeProtocol;
  /** What a success holds when it is neither a stream nor a JSON document. */
  readonly answer?: AnswerKind;
  /** The JSON type of the success answer, when it is one JSON document. */
  readonly document?: DocumentKind;
  /** What the daemon refuses to do without: query parameters by name, and the body. */
  readonly required?: { readonly query?: readonly string[]; readonly body?: true };
}`;

const POSTAMBLE = `/** The operationId of every Engine API operation. */
export type OperationId = keyof typeof OPERATIONS;`;

/** Collects the transport facts of every operation in the patched document, in spec order. */
export function collectOperations(doc) {
  const table = {};
  for (const { path, method, op } of operations(doc)) {
    if (!METHODS.includes(method)) throw new Error(`${op.operationId}: unexpected method ${method}`);
    if (op.operationId in table) throw new Error(`duplicate operationId ${op.operationId}`);
    const entry = { method, path };
    const body = bodyKind(doc, op);
    const stream = streamKind(op);
    if (body) entry.body = body;
    if (stream) entry.stream = stream;
    if (op["x-dockhand-upgrade"]) entry.upgrade = op["x-dockhand-upgrade"];
    const answer = stream || entry.upgrade ? undefined : answerKind(op);
    if (answer) entry.answer = answer;
    const document = stream || entry.upgrade || answer ? undefined : documentKind(doc, op);
    if (document) entry.document = document;
    const required = requiredParts(doc, op);
    if (required) entry.required = required;
    table[op.operationId] = entry;
  }
  return table;
}

function requiredParts(doc, op) {
  const query = (op.parameters ?? [])
    .map((p) => (p.$ref ? at(doc, "components", "parameters", p.$ref.split("/").pop()) : p))
    .filter((p) => p.in === "query" && p.required)
    .map((p) => p.name);
  let body = op.requestBody;
  if (body?.$ref) body = at(doc, "components", "requestBodies", body.$ref.split("/").pop());
  const parts = {};
  if (query.length) parts.query = query;
  if (body?.required) parts.body = true;
  return Object.keys(parts).length ? parts : undefined;
}

function bodyKind(doc, op) {
  let body = op.requestBody;
  if (!body) return undefined;
  if (body.$ref) body = at(doc, "components", "requestBodies", body.$ref.split("/").pop());
  const media = Object.entries(at(body, "content"));
  if (media.some(([type]) => type === "application/json")) return "json";
  if (media.every(([, { schema }]) => schema?.format === "binary")) return "binary";
  throw new Error(`${op.operationId}: cannot classify request body ${media.map(([type]) => type)}`);
}

/** "changed" when the daemon may answer 304, "none" when no success answer has content. */
function answerKind(op) {
  if ("304" in op.responses) return "changed";
  const success = Object.entries(op.responses).filter(([status]) => Number(status) < 300);
  return success.every(([, res]) => !res.content) ? "none" : undefined;
}

/** The JSON type of the success answer's schema (its items' too, for arrays of objects). */
function documentKind(doc, op) {
  const schemas = Object.entries(op.responses)
    .filter(([status]) => Number(status) < 300)
    .flatMap(([, res]) => Object.values(res.content ?? {}).map((media) => media.schema));
  const kinds = new Set(schemas.map((schema) => jsonType(doc, schema)));
  if (kinds.size !== 1) throw new Error(`${op.operationId}: cannot classify the answer document (${[...kinds]})`);
  const [kind] = kinds;
  if (kind !== "array") return kind;
  const items = new Set(schemas.map((schema) => jsonType(doc, resolve(doc, schema).items)));
  return items.size === 1 && items.has("object") ? "object[]" : "array";
}

function resolve(doc, schema) {
  return schema?.$ref ? resolve(doc, at(doc, "components", "schemas", schema.$ref.split("/").pop())) : schema;
}

/** A schema's JSON type: its `type`, else what its `allOf`/properties make it. */
function jsonType(doc, schema) {
  const node = resolve(doc, schema);
  if (node?.type) return node.type === "integer" ? "number" : node.type;
  if (node?.allOf) return jsonType(doc, node.allOf[0]);
  if (node?.properties || node?.additionalProperties) return "object";
  return undefined;
}

function streamKind(op) {
  const media = Object.entries(op.responses)
    .filter(([status]) => Number(status) < 300)
    .flatMap(([, res]) => Object.entries(res.content ?? {}));
  if (media.some(([type]) => JSON_LINES.has(type))) return "json-lines";
  if (media.some(([type]) => STDIO.has(type))) return "stdio";
  if (media.some(([, { schema }]) => schema?.format === "binary")) return "binary";
  return undefined;
}

/** generated/operations.ts source. */
export function renderOperations(spec, table) {
  const data = `/** Every operation by operationId: method, path template and how its bodies travel. */
export const OPERATIONS = ${tsLiteral(table)} as const satisfies Readonly<Record<string, OperationInfo>>;`;
  return tsFile(spec, PREAMBLE, data, POSTAMBLE);
}
