/**
 * Reads the Docker CLI's credential settings: `config.json` (in `$DOCKER_CONFIG`, default
 * `~/.docker`) and the `DOCKER_AUTH_CONFIG` variable CI systems use to pass the same JSON.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { dockerConfigDir, type Env } from "../config/env.js";
import { DockerConfigError } from "../core/errors.js";
import { type AuthConfig, isJsonObject, jsonField, readAuthConfig } from "./auth-config.js";
import { fromBase64 } from "./base64.js";
import { tryNormalizeRegistry } from "./reference.js";

/** The credential-related parts of a Docker CLI config. */
export interface DockerCredentialConfig {
  /** Where it was read from: a file path, or `DOCKER_AUTH_CONFIG`. */
  readonly source: string;
  /**
   * `auths` entries by key as written (host or URL). `auth` is already split into
   * `username`/`password` and `serveraddress` is the key, as the CLI does.
   */
  readonly auths: ReadonlyMap<string, AuthConfig>;
  /** Default credential helper (`credsStore`), e.g. `desktop`. */
  readonly credsStore: string | undefined;
  /** Per-registry credential helpers (`credHelpers`), by key as written. */
  readonly credHelpers: ReadonlyMap<string, string>;
}

/** Options saying where the CLI config lives. */
export interface DockerConfigLocation {
  /** Environment to read `DOCKER_CONFIG`, `DOCKER_AUTH_CONFIG` and `HOME` from. Default `process.env`. */
  env?: Env;
  /** Directory holding `config.json`; overrides `DOCKER_CONFIG` (like the CLI's `--config`). */
  configDir?: string;
}

/** Name of the variable holding config JSON that takes precedence over the file (for CI). */
export const AUTH_CONFIG_ENV = "DOCKER_AUTH_CONFIG";

// JSON.parse messages quote the input, which may hold passwords: keep only where it failed.
function jsonFailure(source: string, err: unknown): DockerConfigError {
  const position = err instanceof Error ? /position (\d+)/.exec(err.message)?.[1] : undefined;
  const where = position === undefined ? "" : ` (at character ${position})`;
  return new DockerConfigError(`${source} is not valid JSON${where}`);
}

/** Splits a config `auth` value (base64 of `username:password`); `source` and `key` name it in the error, never the value. */
export function splitUserPassword(source: string, key: string, encoded: string): { username: string; password: string } {
  const decoded = fromBase64(encoded);
  const colon = decoded?.indexOf(":") ?? -1;
  if (decoded === undefined || colon < 1) {
    throw new DockerConfigError(`${source}: the "auth" value for ${key} is not base64 of "username:password"`);
  }
  // The CLI strips NUL padding that some old tools left after the password.
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1).replace(/^\0+|\0+$/g, "") };
}

function readAuths(source: string, value: unknown): Map<string, AuthConfig> {
  const auths = new Map<string, AuthConfig>();
  if (value === undefined || value === null) return auths;
  if (!isJsonObject(value)) throw new DockerConfigError(`${source}: "auths" must be an object`);
  for (const [key, raw] of Object.entries(value)) {
    const entry = readAuthConfig(
      raw,
      (field) => new DockerConfigError(`${source}: "${field}" of auths entry ${key} must be a string`),
    );
    const { auth, ...rest } = entry;
    auths.set(key, { ...rest, ...(auth ? splitUserPassword(source, key, auth) : {}), serveraddress: key });
  }
  return auths;
}

function readHelpers(source: string, value: unknown): Map<string, string> {
  const helpers = new Map<string, string>();
  if (value === undefined || value === null) return helpers;
  if (!isJsonObject(value)) throw new DockerConfigError(`${source}: "credHelpers" must be an object`);
  for (const [key, helper] of Object.entries(value)) {
    if (typeof helper !== "string") throw new DockerConfigError(`${source}: credHelpers entry ${key} must be a string`);
    if (helper !== "") helpers.set(key, helper);
  }
  return helpers;
}

/**
 * Parses config.json text (`source` names it in errors). Only credential settings are read;
 * everything else in the file is ignored. Throws `DockerConfigError` for malformed content,
 * never quoting it.
 */
export function parseDockerConfig(text: string, source: string): DockerCredentialConfig {
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  let value: unknown = {};
  if (trimmed !== "") {
    try {
      value = JSON.parse(trimmed);
    } catch (err) {
      throw jsonFailure(source, err);
    }
  }
  if (!isJsonObject(value)) throw new DockerConfigError(`${source} must hold a JSON object`);
  const credsStore = jsonField(value, "credsStore") ?? "";
  if (typeof credsStore !== "string") throw new DockerConfigError(`${source}: "credsStore" must be a string`);
  return {
    source,
    auths: readAuths(source, jsonField(value, "auths")),
    credsStore: credsStore || undefined,
    credHelpers: readHelpers(source, jsonField(value, "credHelpers")),
  };
}

/**
 * Reads `config.json` from the CLI config directory (`configDir`, else `$DOCKER_CONFIG`, else
 * `~/.docker`). Resolves to `undefined` when the file does not
 * exist (no stored credentials); rejects with `DockerConfigError` naming the file when it cannot
 * be read or is malformed.
 */
export async function loadDockerConfigFile(
  location: DockerConfigLocation = {},
): Promise<DockerCredentialConfig | undefined> {
  // The same directory endpoint resolution reads contexts from, so both agree.
  const file = join(dockerConfigDir(location.env ?? process.env, location.configDir), "config.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw new DockerConfigError(`cannot read ${file} (${code ?? "unknown error"})`, { cause: err });
  }
  return parseDockerConfig(text, file);
}

/**
 * Reads the config JSON in `DOCKER_AUTH_CONFIG`, when set and non-empty. Only its `auths` are used
 * (as the CLI does). Throws `DockerConfigError` naming the variable, never its content, when
 * it is malformed.
 */
export function loadAuthConfigEnv(env: Env = process.env): DockerCredentialConfig | undefined {
  const text = env[AUTH_CONFIG_ENV];
  if (!text) return undefined;
  const { source, auths } = parseDockerConfig(text, AUTH_CONFIG_ENV);
  return { source, auths, credsStore: undefined, credHelpers: new Map() };
}

/**
 * Finds the entry for registry `key` the way the CLI does: the exact key first, then any key that
 * reduces to the same registry (`https://ghcr.io/v2/` for `ghcr.io`, `docker.io` for Docker Hub).
 * Returns the key as written with its value.
 */
export function findRegistryEntry<T>(entries: ReadonlyMap<string, T>, key: string): [string, T] | undefined {
  const exact = entries.get(key);
  if (exact !== undefined) return [key, exact];
  const wanted = tryNormalizeRegistry(key);
  if (wanted === undefined) return undefined;
  for (const [written, value] of entries) {
    if (tryNormalizeRegistry(written) === wanted) return [written, value];
  }
  return undefined;
}

/** The credential helper the CLI would ask for `key`: its `credHelpers` entry, else `credsStore`. */
export function credentialHelperFor(config: DockerCredentialConfig, key: string): string | undefined {
  return findRegistryEntry(config.credHelpers, key)?.[1] ?? config.credsStore;
}
