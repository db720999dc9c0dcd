import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DockerConfigError } from "../core/errors.js";
import type { TLSMaterial } from "./endpoint.js";
import { envValue, type Env } from "./env.js";

/**
 * TLS settings a caller can pass. Give PEM contents (`ca`, `cert`, `key`) or a directory
 * (`certPath`) holding `ca.pem`, `cert.pem` and `key.pem`; with neither, the directory is
 * `DOCKER_CERT_PATH`, else the Docker config directory (`~/.docker`).
 */
export interface TLSOptions {
  /**
   * Verify the daemon's certificate (default `true`). `false` accepts any certificate, which lets
   * anyone on the path impersonate the daemon; a warning is emitted once per process.
   */
  verify?: boolean;
  /** Directory with `ca.pem`, `cert.pem` and `key.pem`. */
  certPath?: string;
  /** CA certificate(s), PEM. Replaces the system roots for this connection. */
  ca?: string | Uint8Array;
  /** Client certificate, PEM (needs `key`). */
  cert?: string | Uint8Array;
  /** Client private key, PEM, unencrypted (needs `cert`). */
  key?: string | Uint8Array;
  /** Name to check the daemon's certificate against, when it differs from the host name. */
  servername?: string;
}

/** Inputs of {@link resolveTLS}. */
export interface ResolveTLSOptions {
  /** The caller's explicit choice: `false` = no TLS, `true` = TLS with defaults, or settings. */
  tls?: boolean | TLSOptions | undefined;
  env: Env;
  /**
   * Docker config directory (default place for the certificate files); a function is called only
   * when no other place is named, so the home directory is not looked up needlessly.
   */
  configDir: string | (() => string);
}

/**
 * Decides TLS for a tcp endpoint and loads its files. Without an explicit `tls` option TLS is on
 * when `DOCKER_TLS_VERIFY`, `DOCKER_TLS` or `DOCKER_CERT_PATH` is non-empty (any value, `0`
 * included, as in the Docker CLI). Verification is always on unless `tls.verify` is `false`,
 * even where the Docker CLI would skip it (`DOCKER_TLS` alone).
 *
 * `cert.pem` and `key.pem` are optional but must come as a pair. `ca.pem` is required when
 * verifying and the directory was named (`certPath` or `DOCKER_CERT_PATH`); in the default
 * directory a missing `ca.pem` means the system roots are used.
 *
 * @returns the material, or `undefined` when TLS is off.
 * @throws {DockerConfigError} naming the file that is missing, unreadable or not PEM.
 */
export function resolveTLS({ tls, env, configDir }: ResolveTLSOptions): TLSMaterial | undefined {
  if (tls === false) return undefined;
  if (tls === undefined) {
    const wanted = ["DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH"].some((name) => envValue(env, name));
    if (!wanted) return undefined;
  }
  const settings: TLSOptions = typeof tls === "object" ? tls : {};
  const verify = settings.verify ?? true;
  let material: TLSFiles;
  if (settings.ca !== undefined || settings.cert !== undefined || settings.key !== undefined) {
    material = { ca: settings.ca, cert: settings.cert, key: settings.key };
    checkPair(material, "the tls option's cert", "the tls option's key");
  } else {
    const named = settings.certPath || envValue(env, "DOCKER_CERT_PATH");
    material = readTLSDir(named ?? (typeof configDir === "function" ? configDir() : configDir), { requireCA: verify && named !== undefined });
  }
  return tlsMaterial(material, verify, settings.servername);
}

/** Contents found in a certificate directory; absent files are `undefined`. */
export interface TLSFiles {
  ca?: string | Uint8Array | undefined;
  cert?: string | Uint8Array | undefined;
  key?: string | Uint8Array | undefined;
}

/**
 * Reads `ca.pem`, `cert.pem` and `key.pem` from `dir`. Missing files are skipped (except `ca.pem`
 * with `requireCA`); unreadable ones, non-PEM content, encrypted keys and a certificate without
 * its key (or the reverse) are errors naming the file, never showing its contents.
 */
export function readTLSDir(dir: string, { requireCA = false }: { requireCA?: boolean } = {}): TLSFiles {
  const files = {
    ca: readPEM(join(dir, "ca.pem"), requireCA),
    cert: readPEM(join(dir, "cert.pem"), false),
    key: readPEM(join(dir, "key.pem"), false),
  };
  checkPair(files, join(dir, "cert.pem"), join(dir, "key.pem"));
  return files;
}

/** Builds the material, warning (once per process) when verification is off. */
export function tlsMaterial(files: TLSFiles, verify: boolean, servername?: string): TLSMaterial {
  if (!verify) warnInsecure();
  const material: TLSMaterial = { rejectUnauthorized: verify };
  // A CA is pointless without verification (the Docker CLI ignores it too).
  if (files.ca !== undefined && verify) material.ca = files.ca;
  if (files.cert !== undefined) material.cert = files.cert;
  if (files.key !== undefined) material.key = files.key;
  if (servername) material.servername = servername;
  return material;
}

function readPEM(file: string, required: boolean): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !required) return undefined;
    const why = code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? "unknown error"})`;
    throw new DockerConfigError(`TLS file ${file} ${why}`, { cause: err });
  }
  if (!text.includes("-----BEGIN ")) throw new DockerConfigError(`TLS file ${file} is not in PEM format`);
  // Go's TLS stack (and so the Docker CLI) refuses encrypted keys; we take no passphrase either.
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(text)) {
    throw new DockerConfigError(`TLS key ${file} is encrypted; decrypt it first (encrypted keys are not supported)`);
  }
  return text;
}

function checkPair(files: TLSFiles, certName: string, keyName: string): void {
  if ((files.cert === undefined) !== (files.key === undefined)) {
    const [has, lacks] = files.cert === undefined ? [keyName, certName] : [certName, keyName];
    throw new DockerConfigError(`TLS client certificate and key go together: found ${has} but not ${lacks}`);
  }
}

let warnedInsecure = false;

function warnInsecure(): void {
  if (warnedInsecure) return;
  warnedInsecure = true;
  process.emitWarning(
    "TLS certificate verification of the Docker daemon is turned off; anyone on the network path can impersonate it.",
    { code: "DOCKHAND_TLS_NO_VERIFY" },
  );
}
