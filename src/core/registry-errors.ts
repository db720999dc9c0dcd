/**
 * Recognises a registry's refusal of credentials in the daemon's words, so that pull, push,
 * build, plugin and login failures caused by bad credentials share one class whatever status or
 * stream carried them.
 */

import { DockerError, RegistryAuthError } from "./errors.js";
import type { OperationId } from "./types.js";

/**
 * The wordings, from moby and the registry clients it vendors:
 * - `unauthorized: …`: the registry's UNAUTHORIZED error code (docker/distribution errcode),
 *   e.g. `unauthorized: authentication required`, Docker Hub's `unauthorized: incorrect username or password`;
 * - `no basic auth credentials`: the distribution client and containerd's authorizer, when none were sent;
 * - `authorization failed`: containerd's ErrInvalidAuthorization (credentials sent and rejected;
 *   plugin pulls and the containerd image store);
 * - `… 401 Unauthorized`: a login check (`login attempt to … failed with status: 401 Unauthorized`)
 *   and containerd's `unexpected status from … request to …: 401 Unauthorized`;
 * - `denied: requested access to the resource is denied`: the DENIED code, a push the account may not make.
 */
const REFUSALS = [
  /\bunauthorized: /i,
  /\bno basic auth credentials\b/i,
  /\bauthorization failed\b/i,
  /\b401 Unauthorized\b/i,
];
const DENIED = /\bdenied: requested access to the resource is denied\b/i;

/**
 * A pull the registry denied is reported as `pull access denied for …, repository does not exist
 * or may require 'docker login'` (404): the registry does not tell a missing repository from a
 * forbidden one, so that stays a NotFoundError unless the text also names a refusal above.
 */
const MAYBE_MISSING = /repository does not exist or may require/i;

/** Whether the daemon's `text` says a registry refused the credentials. */
export function isRegistryRefusal(text: string): boolean {
  return REFUSALS.some((re) => re.test(text)) || (DENIED.test(text) && !MAYBE_MISSING.test(text));
}

/**
 * The operations in which the daemon talks to a registry with credentials the caller sent.
 * Service create and update are absent on purpose: the manager only tries to resolve the image's
 * digest and, refused, creates the service anyway with a warning (its tasks then fail to pull).
 */
const REGISTRY_OPERATIONS: ReadonlySet<OperationId> = new Set<OperationId>([
  "ImageCreate",
  "ImagePush",
  "ImageBuild",
  "PluginPull",
  "PluginUpgrade",
  "PluginPush",
  "DistributionInspect",
  "SystemAuth",
]);

/** `error` as a {@link RegistryAuthError} (caused by it) when it is a registry's refusal, else `error`. */
export function registryAuthError(error: DockerError): DockerError {
  if (error instanceof RegistryAuthError || !isRegistryRefusal(error.message)) return error;
  return new RegistryAuthError(error.message, {
    statusCode: error.statusCode,
    method: error.method,
    path: error.path,
    apiVersion: error.apiVersion,
    cause: error,
  });
}

/** An error answer of `op` as a {@link RegistryAuthError} when the op reaches a registry and the text says it refused. */
export function registryAuthErrorOf(op: OperationId, error: DockerError): DockerError {
  return REGISTRY_OPERATIONS.has(op) ? registryAuthError(error) : error;
}
