/** Registry credentials: what the rest of dockhand (and its users) may use from `src/auth`. */
export type { AuthConfig, AuthConfigs } from "./auth-config.js";
export {
  decodeAuthConfig,
  decodeAuthConfigs,
  encodeAuthConfig,
  encodeAuthConfigs,
  REGISTRY_AUTH_HEADER,
  REGISTRY_CONFIG_HEADER,
} from "./encode.js";
export {
  DOCKER_HUB_AUTH_KEY,
  DOCKER_HUB_REGISTRY,
  type ImageReference,
  normalizeRegistry,
  parseReference,
  registryOf,
} from "./reference.js";
export {
  AUTH_CONFIG_ENV,
  type DockerConfigLocation,
  type DockerCredentialConfig,
  loadAuthConfigEnv,
  loadDockerConfigFile,
  parseDockerConfig,
} from "./config.js";
export { type CredentialHelperOptions, DEFAULT_HELPER_TIMEOUT, getHelperCredentials } from "./helpers.js";
export {
  type AuthTarget,
  type BuildAuthOptions,
  clearAuthCache,
  type CredentialLookupOptions,
  resolveAuth,
  resolveBuildAuthConfigs,
  type ResolveAuthOptions,
} from "./resolve.js";
