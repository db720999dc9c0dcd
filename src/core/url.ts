import { createQuerySerializer, defaultPathSerializer } from "openapi-fetch";
import { DockerArgumentError } from "./errors.js";

// Docker reads arrays as repeated keys (`?t=a&t=b`), the form/explode style.
const serializeQuery = createQuerySerializer({ array: { style: "form", explode: true } });

/**
 * Fills a path template such as `/containers/{id}/json`. Every parameter is percent-encoded, and
 * values with an empty, `.` or `..` segment are refused: the daemon decodes `%2F` before routing
 * and cleans such paths into another one (`containers.inspect("../images/json")` would be
 * redirected to `/images/json/json`), and no id or name has such a segment.
 */
export function buildPath(template: string, params: Record<string, unknown> | undefined): string {
  if (params) {
    for (const name in params) {
      const value = params[name];
      if (typeof value !== "string" && typeof value !== "number") {
        throw new DockerArgumentError(`Path parameter "${name}" must be a string, got ${describe(value)}`);
      }
      const text = String(value);
      if (text.split("/").some((segment) => segment === "" || segment === "." || segment === "..")) {
        throw new DockerArgumentError(`Path parameter "${name}" must be a name or id, got ${JSON.stringify(text)}`);
      }
    }
  }
  const path = defaultPathSerializer(template, params ?? {});
  const missing = /\{([^}]+)\}/.exec(path);
  if (missing) throw new DockerArgumentError(`Missing path parameter "${missing[1]}"`);
  return path;
}

/**
 * Serialises query parameters the way the daemon parses them: undefined is left out, booleans as
 * `true`/`false`, arrays as repeated keys, and objects (filters, labels, build args) as JSON.
 * Anything else (a function, a symbol, NaN, a list of objects — what untyped callers can pass) is
 * refused with a {@link DockerArgumentError} rather than sent as nonsense.
 */
export function buildQuery(query: Record<string, unknown> | undefined): string {
  if (query === undefined || query === null) return "";
  if (typeof query !== "object" || Array.isArray(query)) {
    throw new DockerArgumentError(`Query parameters (the options of the call) must be an object, got ${describe(query)}`);
  }
  let plain: Record<string, unknown> | undefined;
  for (const name in query) {
    const value = query[name];
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      plain ??= { ...query };
      plain[name] = queryJson(name, value);
    } else if (value !== undefined && value !== null) {
      for (const item of Array.isArray(value) ? value : [value]) checkScalar(name, item);
    }
  }
  const search = serializeQuery(encodeKeys(plain ?? query));
  return search ? `?${search}` : "";
}

/**
 * The serializer encodes values but sends keys as given, so a key holding `=`, `&` or `#` (from an
 * untyped caller) would add parameters of its own choosing: keys are percent-encoded here. Docker's
 * own keys are plain words, so the common case allocates nothing.
 */
function encodeKeys(query: Record<string, unknown>): Record<string, unknown> {
  let encoded: Record<string, unknown> | undefined;
  for (const name in query) {
    if (encoded === undefined && !PLAIN_KEY.test(name)) {
      encoded = {};
      // Keep the order: copy the plain keys seen so far.
      for (const earlier in query) {
        if (earlier === name) break;
        encoded[earlier] = query[earlier];
      }
    }
    if (encoded !== undefined) encoded[encodeURIComponent(name)] = query[name];
  }
  return encoded ?? query;
}

const PLAIN_KEY = /^[A-Za-z0-9_.~-]*$/;

function checkScalar(name: string, value: unknown): void {
  if (typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))) return;
  const got = typeof value === "number" ? String(value) : describe(value);
  throw new DockerArgumentError(`Query parameter "${name}" must be a string, a finite number, a boolean or a list of them, got ${got}`);
}

function queryJson(name: string, value: object): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    throw new DockerArgumentError(`Query parameter "${name}" cannot be sent as JSON: ${(err as Error).message}`, { cause: err });
  }
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}
