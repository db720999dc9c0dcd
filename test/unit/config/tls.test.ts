import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DockerConfigError } from "../../../src/core/errors.js";
import { readTLSDir, resolveTLS } from "../../../src/config/tls.js";
import { pem, tempDir, writeTLSFiles } from "./fixtures.js";

const CA = pem("CERTIFICATE", "Y2E=");
const CERT = pem("CERTIFICATE", "Y2VydA==");
const KEY = pem("PRIVATE KEY", "a2V5");

let root: string;
let cleanup: () => void;
let certDir: string; // ca + cert + key
let configDir: string; // the default location, with ca + cert + key
let bareConfigDir: string; // default location without any file

beforeAll(() => {
  ({ dir: root, cleanup } = tempDir("tls"));
  certDir = join(root, "certs");
  configDir = join(root, "config");
  bareConfigDir = join(root, "empty-config");
  writeTLSFiles(certDir, { ca: CA, cert: CERT, key: KEY });
  writeTLSFiles(configDir, { ca: pem("CERTIFICATE", "ZGVmYXVsdA=="), cert: CERT, key: KEY });
  mkdirSync(bareConfigDir);
  // Turning verification off warns; keep test output quiet (the warning itself is tested separately).
  vi.spyOn(process, "emitWarning").mockImplementation(() => {});
});

afterAll(() => cleanup());

describe("resolveTLS from the environment (no tls option)", () => {
  it("is off when no TLS variable is set", () => {
    expect(resolveTLS({ env: {}, configDir })).toBeUndefined();
    expect(resolveTLS({ env: { DOCKER_TLS_VERIFY: "", DOCKER_TLS: "", DOCKER_CERT_PATH: "" }, configDir })).toBeUndefined();
  });

  it.each(["1", "true", "0", "false", "no"])("DOCKER_TLS_VERIFY=%s turns TLS on with verification (any non-empty value)", (value) => {
    expect(resolveTLS({ env: { DOCKER_TLS_VERIFY: value, DOCKER_CERT_PATH: certDir }, configDir })).toEqual({
      rejectUnauthorized: true,
      ca: CA,
      cert: CERT,
      key: KEY,
    });
  });

  it("DOCKER_TLS alone turns TLS on and still verifies (the CLI would not)", () => {
    expect(resolveTLS({ env: { DOCKER_TLS: "1" }, configDir })).toMatchObject({ rejectUnauthorized: true });
  });

  it("DOCKER_CERT_PATH alone turns TLS on (as the Go SDK's FromEnv does), verified", () => {
    expect(resolveTLS({ env: { DOCKER_CERT_PATH: certDir }, configDir })).toMatchObject({ rejectUnauthorized: true, ca: CA });
  });

  it("falls back to the config directory's files when DOCKER_CERT_PATH is unset", () => {
    expect(resolveTLS({ env: { DOCKER_TLS_VERIFY: "1" }, configDir })).toMatchObject({ ca: pem("CERTIFICATE", "ZGVmYXVsdA==") });
  });

  it("uses system roots when the default directory has no ca.pem", () => {
    expect(resolveTLS({ env: { DOCKER_TLS_VERIFY: "1" }, configDir: bareConfigDir })).toEqual({ rejectUnauthorized: true });
  });

  it("requires ca.pem in a named directory when verifying, naming the file", () => {
    const dir = join(root, "only-client");
    writeTLSFiles(dir, { cert: CERT, key: KEY });
    expect(() => resolveTLS({ env: { DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: dir }, configDir })).toThrow(
      new DockerConfigError(`TLS file ${join(dir, "ca.pem")} does not exist`),
    );
  });

  it("accepts a CA without a client certificate", () => {
    const dir = join(root, "only-ca");
    writeTLSFiles(dir, { ca: CA });
    expect(resolveTLS({ env: { DOCKER_CERT_PATH: dir }, configDir })).toEqual({ rejectUnauthorized: true, ca: CA });
  });
});

describe("resolveTLS with an explicit tls option", () => {
  it("false wins over the environment", () => {
    expect(resolveTLS({ tls: false, env: { DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: certDir }, configDir })).toBeUndefined();
  });

  it("true uses DOCKER_CERT_PATH, else the config directory", () => {
    expect(resolveTLS({ tls: true, env: { DOCKER_CERT_PATH: certDir }, configDir })).toMatchObject({ ca: CA });
    expect(resolveTLS({ tls: true, env: {}, configDir: bareConfigDir })).toEqual({ rejectUnauthorized: true });
  });

  it("certPath beats DOCKER_CERT_PATH", () => {
    const env = { DOCKER_CERT_PATH: join(root, "nowhere") };
    expect(resolveTLS({ tls: { certPath: certDir }, env, configDir })).toMatchObject({ ca: CA, cert: CERT, key: KEY });
  });

  it("contents are used as given, without reading any file", () => {
    const env = { DOCKER_CERT_PATH: join(root, "nowhere") };
    const ca = new Uint8Array([1, 2, 3]);
    expect(resolveTLS({ tls: { ca, servername: "engine.internal" }, env, configDir })).toEqual({
      rejectUnauthorized: true,
      ca,
      servername: "engine.internal",
    });
  });

  it("verify: false turns verification off and drops the CA", () => {
    expect(resolveTLS({ tls: { verify: false, certPath: certDir }, env: {}, configDir })).toEqual({
      rejectUnauthorized: false,
      cert: CERT,
      key: KEY,
    });
  });

  it("verify: false does not require ca.pem in a named directory", () => {
    expect(resolveTLS({ tls: { verify: false, certPath: bareConfigDir }, env: {}, configDir })).toEqual({ rejectUnauthorized: false });
  });

  it("a certificate needs its key", () => {
    expect(() => resolveTLS({ tls: { cert: CERT }, env: {}, configDir })).toThrow(/found the tls option's cert but not the tls option's key/);
  });
});

describe("readTLSDir", () => {
  it("names a lone certificate's missing key", () => {
    const dir = join(root, "lonely-cert");
    writeTLSFiles(dir, { ca: CA, cert: CERT });
    expect(() => readTLSDir(dir)).toThrow(`found ${join(dir, "cert.pem")} but not ${join(dir, "key.pem")}`);
  });

  it("names a lone key's missing certificate", () => {
    const dir = join(root, "lonely-key");
    writeTLSFiles(dir, { key: KEY });
    expect(() => readTLSDir(dir)).toThrow(`found ${join(dir, "key.pem")} but not ${join(dir, "cert.pem")}`);
  });

  it("rejects a file that is not PEM, without quoting it", () => {
    const dir = join(root, "not-pem");
    writeTLSFiles(dir, { ca: "secret-ish garbage" });
    let message = "";
    try {
      readTLSDir(dir);
    } catch (err) {
      expect(err).toBeInstanceOf(DockerConfigError);
      message = (err as Error).message;
    }
    expect(message).toBe(`TLS file ${join(dir, "ca.pem")} is not in PEM format`);
  });

  it.each([
    ["PKCS#8", pem("ENCRYPTED PRIVATE KEY")],
    ["legacy PEM", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nxx\n-----END RSA PRIVATE KEY-----\n"],
  ])("rejects an encrypted key (%s)", (_, key) => {
    const dir = join(root, `encrypted-${key.length}`);
    writeTLSFiles(dir, { cert: CERT, key });
    expect(() => readTLSDir(dir)).toThrow(`TLS key ${join(dir, "key.pem")} is encrypted`);
  });

  it("reports a file it cannot read, by name", () => {
    const dir = join(root, "directory-as-file");
    mkdirSync(join(dir, "ca.pem"), { recursive: true });
    expect(() => readTLSDir(dir)).toThrow(`TLS file ${join(dir, "ca.pem")} cannot be read (EISDIR)`);
  });

  it.skipIf(process.getuid?.() === 0)("reports a file without read permission", () => {
    const dir = join(root, "no-permission");
    writeTLSFiles(dir, { ca: CA });
    chmodSync(join(dir, "ca.pem"), 0o000);
    expect(() => readTLSDir(dir)).toThrow(`TLS file ${join(dir, "ca.pem")} cannot be read (EACCES)`);
  });
});

describe("the default certificate directory", () => {
  it("is looked up only when no other place is named (Deno without --allow-sys cannot name the home directory)", () => {
    const configDirOf = vi.fn(() => configDir);
    expect(resolveTLS({ tls: { certPath: certDir }, env: {}, configDir: configDirOf })).toMatchObject({ ca: CA });
    expect(resolveTLS({ env: { DOCKER_CERT_PATH: certDir }, configDir: configDirOf })).toMatchObject({ ca: CA });
    expect(configDirOf).not.toHaveBeenCalled();
    expect(resolveTLS({ tls: true, env: {}, configDir: configDirOf })).toMatchObject({ ca: pem("CERTIFICATE", "ZGVmYXVsdA==") });
    expect(configDirOf).toHaveBeenCalledOnce();
  });
});
