/**
 * `moby.filesync.v1.Auth/Credentials`: the registry credentials a BuildKit build pulls its base
 * images with, looked up when the daemon asks for a registry host, the way `images.pull` looks
 * them up (explicit configs, else DOCKER_AUTH_CONFIG, credential helpers, config.json).
 *
 * The token-authority methods (GetTokenAuthority, VerifyTokenAuthority, FetchToken) are not
 * served: answered UNIMPLEMENTED, the daemon takes the credentials from Credentials and runs the
 * registry's token exchange itself, as it does for a client without them. A credential is never
 * put in an error or a status message; only registry hosts are.
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { CredentialsRequestSchema, CredentialsResponseSchema } from "../../generated/buildkit/github.com/moby/buildkit/session/auth/auth_pb.js";
import type { AuthConfig, AuthConfigs } from "../auth/auth-config.js";
import { splitUserPassword } from "../auth/config.js";
import { tryNormalizeRegistry } from "../auth/reference.js";
import { type CredentialLookupOptions, resolveAuth } from "../auth/resolve.js";
import { DockerError } from "../core/errors.js";
import { GrpcError, GrpcStatus } from "./grpc.js";
import { unary, type GrpcHandler } from "./server.js";

/** The method path. */
export const CREDENTIALS = "/moby.filesync.v1.Auth/Credentials";

/** Finds the credentials for a registry host the daemon names (`registry-1.docker.io`, `ghcr.io`, `host:port`). */
export type CredentialLookup = (host: string, signal: AbortSignal) => Promise<AuthConfig | undefined>;

/**
 * The lookup a build uses: among `configs` when given (keys as `X-Registry-Config` takes them:
 * hosts or URLs, Docker Hub under any of its names), else the client's credential lookup.
 */
export function credentialLookup(configs: AuthConfigs | undefined, lookup: CredentialLookupOptions): CredentialLookup {
  if (configs === undefined) return (host, signal) => resolveAuth({ registry: host }, { ...lookup, signal });
  const byRegistry = new Map<string, AuthConfig>();
  for (const [key, config] of Object.entries(configs)) {
    const registry = tryNormalizeRegistry(key);
    if (registry === undefined) continue;
    // Split now, so a malformed `auth` fails before the build rather than in the middle of it.
    const split = config.auth && !config.username ? splitUserPassword("authConfigs", key, config.auth) : {};
    byRegistry.set(registry, { ...config, ...split });
  }
  return async (host) => {
    const registry = tryNormalizeRegistry(host);
    return registry === undefined ? undefined : byRegistry.get(registry);
  };
}

/** The handler. A registry without credentials gets an empty answer: the daemon pulls anonymously. */
export function credentials(lookup: CredentialLookup): GrpcHandler {
  return unary(async (message, call) => {
    const { Host: host } = fromBinary(CredentialsRequestSchema, message);
    let config: AuthConfig | undefined;
    try {
      config = await lookup(host, call.signal);
    } catch (err) {
      // Config and credential-helper errors name the file or helper, never a credential.
      const why = err instanceof DockerError ? err.message : "the credential lookup failed";
      throw new GrpcError(GrpcStatus.UNAVAILABLE, `credentials for ${host}: ${why}`);
    }
    // An identity token (an OAuth refresh token) travels as the secret with no username, as the CLI sends it.
    const answer = config?.identitytoken
      ? { Secret: config.identitytoken }
      : { Username: config?.username ?? "", Secret: config?.password ?? "" };
    return toBinary(CredentialsResponseSchema, create(CredentialsResponseSchema, answer));
  });
}
