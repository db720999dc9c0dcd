/**
 * `moby.filesync.v1.Auth`: the registry credentials a BuildKit build pulls its base images with,
 * looked up when the daemon asks for a registry host, the way `images.pull` looks them up
 * (explicit configs, else DOCKER_AUTH_CONFIG, credential helpers, config.json).
 *
 * `Credentials` hands out a username and secret; the daemon then runs the registry's token
 * exchange itself. An entry holding a ready bearer token (`registrytoken`) has nothing for that
 * exchange, so for such a host the session is the token authority, as buildkit's own client
 * (authprovider.go) makes itself: `GetTokenAuthority` answers an Ed25519 public key, after which
 * the daemon asks `FetchToken` for the host's tokens and gets the registry token as it is;
 * `VerifyTokenAuthority` signs the daemon's payload so a later session of the same client and
 * token may reuse the daemon's cached tokens; `Credentials` refuses such a host (see
 * {@link credentials}). For any other host those three answer UNIMPLEMENTED, which sends the
 * daemon to `Credentials`. No credential is ever put in an error or a status
 * message; only registry hosts are.
 */
import { createHash, createHmac, createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign } from "node:crypto";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  CredentialsRequestSchema,
  CredentialsResponseSchema,
  FetchTokenRequestSchema,
  FetchTokenResponseSchema,
  GetTokenAuthorityRequestSchema,
  GetTokenAuthorityResponseSchema,
  VerifyTokenAuthorityRequestSchema,
  VerifyTokenAuthorityResponseSchema,
} from "../../generated/buildkit/github.com/moby/buildkit/session/auth/auth_pb.js";
import type { AuthConfig, AuthConfigs } from "../auth/auth-config.js";
import { splitUserPassword } from "../auth/config.js";
import { tryNormalizeRegistry } from "../auth/reference.js";
import { type CredentialLookupOptions, resolveAuth } from "../auth/resolve.js";
import { DockerError } from "../core/errors.js";
import { GrpcError, GrpcStatus } from "./grpc.js";
import { unary, type GrpcHandler } from "./server.js";

/** The method paths. */
export const CREDENTIALS = "/moby.filesync.v1.Auth/Credentials";
export const FETCH_TOKEN = "/moby.filesync.v1.Auth/FetchToken";
export const GET_TOKEN_AUTHORITY = "/moby.filesync.v1.Auth/GetTokenAuthority";
export const VERIFY_TOKEN_AUTHORITY = "/moby.filesync.v1.Auth/VerifyTokenAuthority";

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

/**
 * The Auth service's handlers by method, sharing one lookup per registry host for the session:
 * the daemon asks about a host several times in a row (authority, then credentials or tokens),
 * and a credential helper should run once for it. A failed lookup is asked again next time.
 */
export function authServices(lookup: CredentialLookup): Map<string, GrpcHandler> {
  const found = new Map<string, Promise<AuthConfig | undefined>>();
  const once: CredentialLookup = (host, signal) => {
    let config = found.get(host);
    if (config === undefined) {
      config = lookup(host, signal);
      found.set(host, config);
      config.catch(() => found.delete(host));
    }
    return config;
  };
  return new Map([
    [CREDENTIALS, credentials(once)],
    [GET_TOKEN_AUTHORITY, getTokenAuthority(once)],
    [VERIFY_TOKEN_AUTHORITY, verifyTokenAuthority(once)],
    [FETCH_TOKEN, fetchToken(once)],
  ]);
}

/** The credentials for `host`; a failed lookup becomes a status naming the host and, for our own errors, why. */
async function configFor(lookup: CredentialLookup, host: string, signal: AbortSignal): Promise<AuthConfig | undefined> {
  try {
    return await lookup(host, signal);
  } catch (err) {
    // Config and credential-helper errors name the file or helper, never a credential.
    const why = err instanceof DockerError ? err.message : "the credential lookup failed";
    throw new GrpcError(GrpcStatus.UNAVAILABLE, `credentials for ${host}: ${why}`);
  }
}

/**
 * `Credentials`. A registry without credentials gets an empty answer: the daemon pulls
 * anonymously. One whose entry holds only a registry token gets a refusal instead: the daemon
 * takes an empty answer to mean "anonymous" and would reuse, for up to ten minutes, the token
 * handler an anonymous pull of that registry left behind, never asking for our token.
 */
export function credentials(lookup: CredentialLookup): GrpcHandler {
  return unary(async (message, call) => {
    const { Host: host } = fromBinary(CredentialsRequestSchema, message);
    const config = await configFor(lookup, host, call.signal);
    if (config?.registrytoken && !config.identitytoken && !config.username && !config.password) {
      throw new GrpcError(GrpcStatus.FAILED_PRECONDITION, `the credentials for ${host} hold only a registry token, which the daemon gets through FetchToken`);
    }
    // An identity token (an OAuth refresh token) travels as the secret with no username, as the CLI sends it.
    const answer = config?.identitytoken
      ? { Secret: config.identitytoken }
      : { Username: config?.username ?? "", Secret: config?.password ?? "" };
    return toBinary(CredentialsResponseSchema, create(CredentialsResponseSchema, answer));
  });
}

/** The registry token configured for `host`, or a status sending the daemon to `Credentials` (it treats UNIMPLEMENTED as "no authority here"). */
async function registryToken(lookup: CredentialLookup, host: string, signal: AbortSignal): Promise<string> {
  const token = (await configFor(lookup, host, signal))?.registrytoken;
  if (!token) throw new GrpcError(GrpcStatus.UNIMPLEMENTED, `no registry token for ${host}: the daemon fetches tokens with the credentials`);
  return token;
}

/** Keys this process's token authorities, so that another client, or another process, never matches them. */
let processSeed: Buffer | undefined;

/** PKCS #8 DER of an Ed25519 private key, up to its 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * The authority key for a registry token, under the daemon's salt. buildkit derives it from a
 * per-client seed (its config directory's `.token_seed`) and the salt; here the seed is per
 * process and the token goes in too, so that builds of one process with different tokens for the
 * same registry never share the daemon's cached tokens.
 */
function authorityKey(salt: Uint8Array, token: string): KeyObject {
  processSeed ??= randomBytes(32);
  const seed = createHmac("sha256", salt).update(processSeed).update(createHash("sha256").update(token).digest()).digest();
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
}

/** `GetTokenAuthority`: the public key for a host with a registry token, which makes the daemon ask `FetchToken`. */
export function getTokenAuthority(lookup: CredentialLookup): GrpcHandler {
  return unary(async (message, call) => {
    const { Host: host, Salt: salt } = fromBinary(GetTokenAuthorityRequestSchema, message);
    const key = authorityKey(salt, await registryToken(lookup, host, call.signal));
    // The raw key is the last 32 bytes of its SPKI DER form.
    const publicKey = createPublicKey(key).export({ format: "der", type: "spki" }).subarray(-32);
    return toBinary(GetTokenAuthorityResponseSchema, create(GetTokenAuthorityResponseSchema, { PublicKey: publicKey }));
  });
}

/** `VerifyTokenAuthority`: the daemon's payload signed as NaCl's `sign` does (signature, then the payload). */
export function verifyTokenAuthority(lookup: CredentialLookup): GrpcHandler {
  return unary(async (message, call) => {
    const { Host: host, Salt: salt, Payload: payload } = fromBinary(VerifyTokenAuthorityRequestSchema, message);
    const key = authorityKey(salt, await registryToken(lookup, host, call.signal));
    const signed = Buffer.concat([sign(null, payload, key), payload]);
    return toBinary(VerifyTokenAuthorityResponseSchema, create(VerifyTokenAuthorityResponseSchema, { Signed: signed }));
  });
}

/** How long the daemon may keep a token before asking again, as buildkit's client answers for a configured one. */
const TOKEN_LIFETIME_SECONDS = 60n;

/** `FetchToken`: the host's registry token as it is, whatever realm, service and scopes the registry named. */
export function fetchToken(lookup: CredentialLookup): GrpcHandler {
  return unary(async (message, call) => {
    const { Host: host } = fromBinary(FetchTokenRequestSchema, message);
    const token = await registryToken(lookup, host, call.signal);
    // No IssuedAt, as buildkit sends none for a configured token: the daemon counts from receipt.
    return toBinary(FetchTokenResponseSchema, create(FetchTokenResponseSchema, { Token: token, ExpiresIn: TOKEN_LIFETIME_SECONDS }));
  });
}
