import { homedir } from "node:os";
import { join } from "node:path";
import { DockerConfigError } from "../core/errors.js";

/** Environment variables as the resolver sees them (`process.env`, or a plain object in tests). */
export type Env = Readonly<Record<string, string | undefined>>;

/** A variable's value, with unset and empty treated alike (as the Docker CLI does). */
export function envValue(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

/**
 * The user's home directory: `HOME` (or `USERPROFILE` on Windows) from `env`, else the OS answer.
 *
 * @throws {DockerConfigError} when the runtime refuses to tell (Deno without `--allow-sys`).
 */
export function homeDir(env: Env): string {
  const fromEnv = envValue(env, "HOME") ?? envValue(env, "USERPROFILE");
  if (fromEnv !== undefined) return fromEnv;
  try {
    return homedir();
  } catch (err) {
    throw new DockerConfigError(
      "The home directory (for ~/.docker) is unknown: the runtime refused to name it (Deno: --allow-sys); " +
        "pass configDir, or the files themselves (e.g. tls: { certPath })",
      { cause: err },
    );
  }
}

/**
 * The Docker CLI's configuration directory: `override`, else `DOCKER_CONFIG`, else `~/.docker`.
 * It holds `config.json`, `contexts/` and the default TLS files.
 */
export function dockerConfigDir(env: Env, override?: string): string {
  return override || envValue(env, "DOCKER_CONFIG") || join(homeDir(env), ".docker");
}
