import { DockerConfigError } from "../core/errors.js";
import type { EngineEndpoint, SSHEndpoint, TLSMaterial } from "./endpoint.js";

/** Socket the Docker CLI uses for `unix://` with no path. */
export const DEFAULT_UNIX_SOCKET = "/var/run/docker.sock";
/** Pipe the Docker CLI uses for `npipe://` with no path (forward slashes, as written in DOCKER_HOST). */
export const DEFAULT_NAMED_PIPE = "//./pipe/docker_engine";
/** Engine port for plain HTTP (IANA registration). */
export const DEFAULT_PLAIN_PORT = 2375;
/** Engine port for TLS (IANA registration). */
export const DEFAULT_TLS_PORT = 2376;

const ACCEPTED_FORMS =
  "unix:///path/to/docker.sock, /path/to/docker.sock, ./relative.sock, tcp://host[:port][/base-path], " +
  "http://host[:port], https://host[:port], ssh://[user@]host[:port][/remote.sock], npipe:////./pipe/name";

/** Options for {@link parseHost}. */
export interface ParseHostOptions {
  /**
   * TLS for `tcp://` (and `https://`) hosts. A function is called only when the host needs it,
   * so certificate files are not read for a unix socket.
   */
  tls?: TLSMaterial | (() => TLSMaterial | undefined) | undefined;
  /** Extra ssh flags for `ssh://` hosts (see `sshCommand`). */
  sshOptions?: readonly string[] | undefined;
  /** Where the value came from, for error messages (e.g. `DOCKER_HOST`, `context "prod"`). */
  source?: string | undefined;
}

/**
 * Parses a DOCKER_HOST-style address into an endpoint, accepting what the Docker CLI accepts:
 * `unix://` (no path means `/var/run/docker.sock`; relative paths are relative to the working
 * directory), a bare path starting with `/` or `./`, `tcp://` (also bare `host:port`), `ssh://`
 * and `npipe://`; plus `http://` (plain) and `https://` (TLS, verified) as the Go SDK does.
 * Without a port, tcp uses 2376 when TLS is on and 2375 otherwise; `https://` and `http://` use
 * the same Docker ports, not 443/80. IPv6 literals need brackets: `tcp://[::1]:2375`.
 *
 * @throws {DockerConfigError} naming the problem and the accepted forms. Passwords, tokens and
 * query strings in the value are never repeated in the message.
 */
export function parseHost(value: string, options: ParseHostOptions = {}): EngineEndpoint {
  const address = parseHostAddress(value, options);
  return address.kind === "tcp-address" ? tcpEndpoint(address, options.tls) : address;
}

/**
 * A tcp address parsed but not yet finished: TLS decides its default port and whether `http://`
 * is allowed, and TLS settings are only worth reading (files, config.json) once the host is tcp.
 */
export interface TCPAddress {
  kind: "tcp-address";
  scheme: "tcp" | "http" | "https";
  hostname: string;
  port: number | undefined;
  basePath: string;
  /** Fails with the host's own error message (value redacted, source named). */
  fail: Fail;
}

/**
 * {@link parseHost} in two steps: every address is parsed here once; a tcp one comes back as a
 * {@link TCPAddress} for {@link tcpEndpoint} to finish with the TLS settings.
 */
export function parseHostAddress(value: string, options: Omit<ParseHostOptions, "tls"> = {}): EngineEndpoint | TCPAddress {
  const input = value.trim();
  const fail = (problem: string): never => {
    const from = options.source ? ` (from ${options.source})` : "";
    throw new DockerConfigError(
      `Invalid Docker host "${redact(input)}"${from}: ${problem}. Accepted forms: ${ACCEPTED_FORMS}.`,
    );
  };
  if (input === "") return fail("it is empty");
  if (input.includes("\0")) return fail("it contains a NUL character");

  const separator = input.indexOf("://");
  if (separator === -1) {
    // The CLI reads a scheme-less value as a socket path when it looks like one, else as tcp.
    if (input.startsWith("/") || input.startsWith("./")) return unixEndpoint(input);
    return tcpAddress("tcp", input, fail);
  }
  const scheme = input.slice(0, separator).toLowerCase();
  const rest = input.slice(separator + 3);
  switch (scheme) {
    case "unix":
      if (rest.includes("://")) return fail("a unix socket path cannot contain another scheme");
      return unixEndpoint(rest || DEFAULT_UNIX_SOCKET);
    case "npipe":
      return npipeEndpoint(rest || DEFAULT_NAMED_PIPE, fail);
    case "tcp":
    case "http":
    case "https":
      return tcpAddress(scheme, rest, fail);
    case "ssh":
      return sshEndpoint(input, options.sshOptions ?? [], fail);
    case "fd":
      return fail("fd:// is a listener the daemon inherits from systemd; clients cannot connect through it");
    default:
      return fail(`unsupported scheme "${scheme}://"`);
  }
}

type Fail = (problem: string) => never;

function unixEndpoint(socketPath: string): EngineEndpoint {
  return { kind: "unix", socketPath, host: `unix://${socketPath}` };
}

function npipeEndpoint(raw: string, fail: Fail): EngineEndpoint {
  const slashed = raw.replaceAll("\\", "/");
  if (!/^\/\/[^/]+\/pipe\/[^/].*$/.test(slashed)) {
    return fail("a named pipe must look like //./pipe/docker_engine (or //server/pipe/name)");
  }
  return { kind: "npipe", path: slashed.replaceAll("/", "\\"), host: `npipe://${slashed}` };
}

type TCPEndpoint = Extract<EngineEndpoint, { kind: "tcp" }>;

function tcpAddress(scheme: TCPAddress["scheme"], rest: string, fail: Fail): TCPAddress {
  if (/[?#]/.test(rest)) return fail("query strings and fragments are not allowed");
  const slash = rest.indexOf("/");
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const basePath = slash === -1 ? "" : rest.slice(slash).replace(/\/+$/, "");
  if (authority.includes("@")) return fail("credentials in the address are not supported");
  if (basePath && !/^(\/[\w.~!$&'()*+,;=:@%-]+)+$/.test(basePath)) return fail("the base path is not a valid URL path");
  // A proxy would resolve dot segments into another path than the one configured.
  if (basePath.split("/").some((segment) => segment === "." || segment === "..")) return fail("the base path must not contain . or .. segments");
  const { hostname, port } = splitHostPort(authority, fail);
  return { kind: "tcp-address", scheme, hostname, port, basePath, fail };
}

/** Finishes a tcp address with its TLS settings (see {@link ParseHostOptions.tls}). */
export function tcpEndpoint(address: TCPAddress, tlsOption: ParseHostOptions["tls"]): TCPEndpoint {
  const { scheme, hostname, port, basePath, fail } = address;
  let tls = typeof tlsOption === "function" ? tlsOption() : tlsOption;
  if (scheme === "https") tls ??= { rejectUnauthorized: true };
  if (scheme === "http" && tls) {
    return fail("http:// means plain HTTP, but TLS is configured; use https:// or tcp:// for TLS, or turn TLS off");
  }
  const resolvedPort = port ?? (tls ? DEFAULT_TLS_PORT : DEFAULT_PLAIN_PORT);
  const endpoint: TCPEndpoint = {
    kind: "tcp",
    hostname,
    port: resolvedPort,
    host: `${scheme}://${bracket(hostname)}:${resolvedPort}${basePath}`,
  };
  if (tls) endpoint.tls = tls;
  if (basePath) endpoint.basePath = basePath;
  return endpoint;
}

function splitHostPort(authority: string, fail: Fail): { hostname: string; port: number | undefined } {
  let hostname: string;
  let portText: string;
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close === -1) return fail("an IPv6 address is missing its closing ]");
    hostname = authority.slice(1, close);
    const after = authority.slice(close + 1);
    if (after !== "" && !after.startsWith(":")) return fail("unexpected text after the IPv6 address");
    portText = after.slice(1);
    if (!isIPv6(hostname)) return fail(`"${hostname}" is not an IPv6 address`);
  } else {
    const colons = authority.split(":").length - 1;
    if (colons > 1) return fail("IPv6 addresses need brackets, e.g. tcp://[::1]:2375");
    const colon = authority.indexOf(":");
    hostname = colon === -1 ? authority : authority.slice(0, colon);
    portText = colon === -1 ? "" : authority.slice(colon + 1);
    // The CLI fills in localhost for `tcp://` and `tcp://:2375`.
    hostname ||= "localhost";
    if (!isHostname(hostname)) return fail(`"${hostname}" is not a valid host name or IPv4 address`);
  }
  return { hostname, port: portText === "" ? undefined : parsePort(portText, fail) };
}

function parsePort(text: string, fail: Fail): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) return fail(`port "${text}" is not a number from 1 to 65535`);
  return port;
}

function sshEndpoint(input: string, sshOptions: readonly string[], fail: Fail): SSHEndpoint {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return fail("it is not a valid ssh:// URL");
  }
  if (url.password) return fail("passwords in ssh:// addresses are not supported; use an ssh key or agent");
  if (url.search || url.hash) return fail("query strings and fragments are not allowed");
  const bracketed = url.hostname.startsWith("[");
  const hostname = bracketed ? url.hostname.slice(1, -1) : url.hostname;
  if (hostname === "") return fail("the host name is missing");
  if (bracketed ? !isIPv6(hostname) : !isHostname(hostname)) return fail(`"${hostname}" is not a valid host name`);
  const user = url.username ? decode(url.username, fail) : undefined;
  // ssh would read a leading dash as a flag; whitespace cannot be a login name.
  if (user !== undefined && (user.startsWith("-") || /[\s\0]/.test(user))) return fail("the user name is not valid");
  const port = url.port ? parsePort(url.port, fail) : undefined;
  const path = decode(url.pathname, fail);
  const socketPath = path.replace(/^\/+|\/+$/g, "") ? path : undefined;

  const endpoint: SSHEndpoint = {
    kind: "ssh",
    hostname,
    sshOptions: [...sshOptions],
    host: `ssh://${user ? `${encodeURIComponent(user)}@` : ""}${bracket(hostname)}${port ? `:${port}` : ""}${socketPath ?? ""}`,
  };
  if (user) endpoint.user = user;
  if (port) endpoint.port = port;
  if (socketPath) endpoint.socketPath = socketPath;
  return endpoint;
}

function decode(text: string, fail: Fail): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return fail("it contains a malformed %-escape");
  }
}

function isHostname(name: string): boolean {
  // Letters, digits, dots, dashes and underscores (ssh aliases and container names use them);
  // a leading dash could be taken for a flag by ssh.
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name);
}

function isIPv6(address: string): boolean {
  // Shape check only (with an optional zone such as %eth0); connecting reports anything subtler.
  return address.includes(":") && /^[0-9A-Fa-f:.]+(%[\w.-]+)?$/.test(address);
}

/** A host name as it goes in a URL: IPv6 literals in brackets. */
export function bracket(hostname: string): string {
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

/**
 * Hides what may be secret in an address before it goes into a message: the query and fragment,
 * and user info (all of it, except an ssh login name, which is not secret).
 */
function redact(input: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)?(?:([^/?#]*)@)?([^?#]*)([?#].*)?$/is.exec(input);
  if (!match) return "***";
  const [, scheme = "", userinfo, rest = "", query] = match;
  let user = "";
  if (userinfo !== undefined) {
    const login = userinfo.split(":")[0] ?? "";
    user = scheme.toLowerCase() === "ssh://" && login ? `${login}${userinfo.includes(":") ? ":***" : ""}@` : "***@";
  }
  return `${scheme}${user}${rest}${query ? "?***" : ""}`;
}
