import { DockerConfigError } from "../core/errors.js";
import type { DiscoveryOptions } from "./discover.js";
import type { EngineEndpoint } from "./endpoint.js";
import { dockerConfigDir, envValue, type Env } from "./env.js";
import { parseHostAddress, tcpEndpoint } from "./host.js";
import type { TLSOptions } from "./tls.js";

// Contexts, TLS and discovery are loaded on demand: a script with DOCKER_HOST pointing at a
// socket (the usual CI case) then loads none of them, which shows in cold-start time.

/**
 * Where the engine is. Everything is optional; the first of `host`, `context`, `DOCKER_HOST`,
 * `DOCKER_CONTEXT` and the CLI's current context that is set wins, else the usual sockets are tried.
 */
export interface EndpointOptions {
  /** Engine address, e.g. `unix:///var/run/docker.sock`, `tcp://10.0.0.5:2376`, `ssh://me@box`. */
  host?: string | undefined;
  /** Docker CLI context name (`docker context ls`). Cannot be combined with `host`. */
  context?: string | undefined;
  /**
   * TLS for tcp hosts: `true` (certificates from DOCKER_CERT_PATH or `~/.docker`), `false` (plain,
   * whatever the environment says), or explicit settings. Default: from the environment.
   */
  tls?: boolean | TLSOptions | undefined;
  /** Extra ssh flags for `ssh://` hosts, e.g. `["-i", "/path/key"]`. */
  sshOptions?: readonly string[] | undefined;
  /**
   * Environment to read DOCKER_HOST, DOCKER_CONTEXT, DOCKER_CONFIG, DOCKER_CERT_PATH,
   * DOCKER_TLS_VERIFY, DOCKER_TLS, HOME and XDG_RUNTIME_DIR from. Default: none (pass
   * `process.env` to behave like the Docker CLI).
   */
  env?: Env | undefined;
  /** Docker config directory (config.json, contexts). Default: DOCKER_CONFIG, else `~/.docker`. */
  configDir?: string | undefined;
  /** Tuning for the socket search that runs when nothing is configured. */
  discovery?: Omit<DiscoveryOptions, "env"> | undefined;
}

/**
 * The configured endpoint, without searching for sockets; `undefined` when nothing is configured
 * (then {@link resolveEndpoint} discovers one). Reads only the files the chosen source needs
 * (config.json, a context's metadata, TLS files), and nothing for a plain DOCKER_HOST socket.
 *
 * Precedence, as in the Docker CLI: `host` or `context` option (not both) > DOCKER_HOST >
 * DOCKER_CONTEXT > `currentContext` in config.json. The context `default` means DOCKER_HOST,
 * else discovery.
 *
 * @throws {DockerConfigError} for an invalid address, unknown context or unusable TLS files.
 */
export async function resolveConfiguredEndpoint(options: EndpointOptions = {}): Promise<EngineEndpoint | undefined> {
  const env = options.env ?? {};
  const host = options.host?.trim() || undefined;
  const context = options.context?.trim() || undefined;
  if (host && context) {
    throw new DockerConfigError(`Pass either the host option or the context option ("${context}"), not both`);
  }
  const fromHost = async (value: string, source: string): Promise<EngineEndpoint> => {
    const address = parseHostAddress(value, { sshOptions: options.sshOptions, source });
    if (address.kind !== "tcp-address") return address;
    // TLS settings are loaded only for tcp: they decide the default port and may refuse http://.
    const { resolveTLS } = await import("./tls.js");
    return tcpEndpoint(address, resolveTLS({ tls: options.tls, env, configDir: () => dockerConfigDir(env, options.configDir) }));
  };
  if (host) return fromHost(host, "the host option");
  const dockerHost = envValue(env, "DOCKER_HOST");
  if (dockerHost && !context) return fromHost(dockerHost, "DOCKER_HOST");

  const contexts = await import("./contexts.js");
  const where = { env, configDir: options.configDir };
  const name = context ?? contexts.currentContextName(where);
  if (name === contexts.DEFAULT_CONTEXT) return dockerHost ? fromHost(dockerHost, "DOCKER_HOST") : undefined;
  return contexts.contextEndpoint(contexts.loadContext(name, where), { ...where, tls: options.tls, sshOptions: options.sshOptions });
}

/**
 * Finds the engine: the configured endpoint (see {@link resolveConfiguredEndpoint}), else the
 * first usual socket that accepts a connection.
 *
 * @throws {DockerConfigError} for invalid configuration (nothing is contacted).
 * @throws {DockerConnectionError} when nothing is configured and no engine answers; the message
 * lists every place tried.
 */
export async function resolveEndpoint(options: EndpointOptions = {}): Promise<EngineEndpoint> {
  const configured = await resolveConfiguredEndpoint(options);
  if (configured) return configured;
  const { discoverEndpoint } = await import("./discover.js");
  return discoverEndpoint({ ...options.discovery, env: options.env });
}

/**
 * Validates a pinned API version such as DOCKER_API_VERSION. Unset or empty means "negotiate"
 * (`undefined`); a leading `v` is dropped, as the Go SDK does.
 *
 * @throws {DockerConfigError} when it is not of the form `1.<minor>`.
 */
export function parseApiVersion(value: string | undefined, source = "DOCKER_API_VERSION"): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  const version = trimmed.replace(/^v/, "");
  if (!/^1\.\d{1,3}$/.test(version)) {
    throw new DockerConfigError(`${source} "${trimmed}" is not an API version like 1.41`);
  }
  return version;
}
