import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { DockerConfigError } from "../core/errors.js";
import type { EngineEndpoint } from "./endpoint.js";
import { dockerConfigDir, envValue, type Env } from "./env.js";
import { DEFAULT_UNIX_SOCKET, parseHost } from "./host.js";
import { readTLSDir, resolveTLS, tlsMaterial, type TLSOptions } from "./tls.js";

/** Name of the implicit context that means "DOCKER_HOST, or the usual socket locations". */
export const DEFAULT_CONTEXT = "default";

/** One Docker CLI context (`docker context ls`). */
export interface DockerContext {
  /** The context's name (`default` for the built-in one). */
  name: string;
  /** The description given when the context was created, if any. */
  description: string | undefined;
  /**
   * The engine address stored in the context (empty: the default socket). `undefined` for the
   * `default` context, whose engine comes from DOCKER_HOST or discovery, and for a context
   * without a Docker endpoint.
   */
  host: string | undefined;
  /** The context was created with `skip-tls-verify=true`. */
  skipTLSVerify: boolean;
  /** Directory that may hold the context's `ca.pem`, `cert.pem` and `key.pem` (none for `default`). */
  tlsPath: string | undefined;
  /** This is the context the CLI would use now (DOCKER_HOST, DOCKER_CONTEXT, then config.json). */
  current: boolean;
}

/** Where to look: the environment (DOCKER_CONFIG, DOCKER_CONTEXT, DOCKER_HOST, HOME) and an optional config directory. */
export interface ContextOptions {
  /** Environment to read instead of an empty one (pass `process.env` to behave like the CLI). */
  env?: Env | undefined;
  /** Docker config directory; default `DOCKER_CONFIG`, else `~/.docker`. */
  configDir?: string | undefined;
}

/**
 * The context the Docker CLI would pick, without flags: `default` when DOCKER_HOST is set, else
 * DOCKER_CONTEXT, else `currentContext` from config.json, else `default`. The name is not
 * checked; {@link loadContext} does that. config.json is read only when it decides.
 */
export function currentContextName(options: ContextOptions = {}): string {
  const env = options.env ?? {};
  if (envValue(env, "DOCKER_HOST")) return DEFAULT_CONTEXT;
  const fromEnv = envValue(env, "DOCKER_CONTEXT");
  if (fromEnv) return fromEnv;
  const file = join(dockerConfigDir(env, options.configDir), "config.json");
  const config = readJSON(file, "Docker CLI config");
  const name = config?.["currentContext"];
  return typeof name === "string" && name !== "" ? name : DEFAULT_CONTEXT;
}

/** All contexts, `default` first, then by name (numbers in names compare as numbers). */
export function listContexts(options: ContextOptions = {}): DockerContext[] {
  const env = options.env ?? {};
  const current = currentContextName(options);
  const metaRoot = join(dockerConfigDir(env, options.configDir), "contexts", "meta");
  let ids: string[];
  try {
    ids = readdirSync(metaRoot);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new DockerConfigError(`Cannot list Docker contexts in ${metaRoot}`, { cause: err });
    }
    ids = [];
  }
  const named = ids
    .map((id) => readContext(options, id, current))
    .filter((context): context is DockerContext => context !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
  return [defaultContext(current), ...named];
}

/**
 * One context by name. `default` always exists.
 *
 * @throws {DockerConfigError} when there is no such context (listing the known names) or its
 * metadata is unreadable.
 */
export function loadContext(name: string, options: ContextOptions = {}): DockerContext {
  const current = currentContextName(options);
  if (name === DEFAULT_CONTEXT) return defaultContext(current);
  const context = readContext(options, contextId(name), current);
  if (context) return context;
  const known = listContexts(options).map((c) => c.name);
  throw new DockerConfigError(`Docker context "${name}" does not exist. Known contexts: ${known.join(", ")}`);
}

/** Options of {@link contextEndpoint}. */
export interface ContextEndpointOptions extends ContextOptions {
  /** Overrides the context's own TLS settings when given. */
  tls?: boolean | TLSOptions | undefined;
  /** Extra ssh flags for ssh:// contexts. */
  sshOptions?: readonly string[] | undefined;
}

/**
 * The endpoint a context points at, with its TLS files loaded. As in the Docker CLI, a tcp
 * context uses TLS when it has any TLS file or `skipTLSVerify`; its CA replaces the system roots.
 *
 * @returns `undefined` for `default` (the caller falls back to DOCKER_HOST or discovery).
 */
export function contextEndpoint(context: DockerContext, options: ContextEndpointOptions = {}): EngineEndpoint | undefined {
  if (context.name === DEFAULT_CONTEXT) return undefined;
  const { tlsPath, skipTLSVerify } = context;
  if (context.host === undefined) throw new DockerConfigError(`Docker context "${context.name}" has no Docker endpoint`);
  const env = options.env ?? {};
  const fromContext = () => {
    const files = tlsPath ? readTLSDir(tlsPath) : {};
    const hasFiles = files.ca !== undefined || files.cert !== undefined;
    return hasFiles || skipTLSVerify ? tlsMaterial(files, !skipTLSVerify) : undefined;
  };
  const fromOption = () => resolveTLS({ tls: options.tls, env, configDir: () => dockerConfigDir(env, options.configDir) });
  return parseHost(context.host || `unix://${DEFAULT_UNIX_SOCKET}`, {
    tls: options.tls === undefined ? fromContext : fromOption,
    sshOptions: options.sshOptions,
    source: `Docker context "${context.name}"`,
  });
}

function defaultContext(current: string): DockerContext {
  return {
    name: DEFAULT_CONTEXT,
    description: "DOCKER_HOST, or the usual socket locations",
    host: undefined,
    skipTLSVerify: false,
    tlsPath: undefined,
    current: current === DEFAULT_CONTEXT,
  };
}

/** Reads `contexts/meta/<id>/meta.json`; `undefined` when it does not exist. */
function readContext(options: ContextOptions, id: string, current: string): DockerContext | undefined {
  const root = join(dockerConfigDir(options.env ?? {}, options.configDir), "contexts");
  const file = join(root, "meta", id, "meta.json");
  const meta = readJSON(file, "Docker context metadata");
  if (!meta) return undefined;
  const name = field(meta, "Name");
  if (typeof name !== "string" || name === "") {
    throw new DockerConfigError(`Docker context metadata ${file} has no name`);
  }
  const docker = objectField(objectField(meta, "Endpoints"), "docker");
  const host = field(docker, "Host");
  const description = field(objectField(meta, "Metadata"), "Description");
  const context: DockerContext = {
    name,
    description: typeof description === "string" && description !== "" ? description : undefined,
    // No docker endpoint at all is an error when used; an empty Host means the default socket.
    host: docker ? (typeof host === "string" ? host : "") : undefined,
    skipTLSVerify: docker ? field(docker, "SkipTLSVerify") === true : false,
    tlsPath: join(root, "tls", id, "docker"),
    current: name === current,
  };
  return context;
}

/** The CLI's JSON field names are Go's, which it reads case-insensitively; accept both spellings. */
function field(object: Record<string, unknown> | undefined, name: string): unknown {
  if (!object) return undefined;
  return object[name] ?? object[name.toLowerCase()] ?? object[name[0]!.toLowerCase() + name.slice(1)];
}

function objectField(object: Record<string, unknown> | undefined, name: string): Record<string, unknown> | undefined {
  const value = field(object, name);
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Parses a JSON object file; `undefined` when the file does not exist. */
function readJSON(file: string, what: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new DockerConfigError(`${what} ${file} cannot be read (${code ?? "unknown error"})`, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DockerConfigError(`${what} ${file} is not valid JSON`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new DockerConfigError(`${what} ${file} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

let sha256: ((text: string) => string) | undefined;

/** The store's directory name for a context: hex SHA-256 of its name. */
function contextId(name: string): string {
  // node:crypto costs more to load than the rest of this module; most runs never need it.
  if (!sha256) {
    const { createHash } = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
    sha256 = (text) => createHash("sha256").update(text).digest("hex");
  }
  return sha256(name);
}
