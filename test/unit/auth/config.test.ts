import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  credentialHelperFor,
  findRegistryEntry,
  loadAuthConfigEnv,
  loadDockerConfigFile,
  parseDockerConfig,
} from "../../../src/auth/config.js";
import { dockerConfigDir } from "../../../src/config/env.js";
import { DOCKER_HUB_AUTH_KEY } from "../../../src/auth/reference.js";
import { DockerConfigError } from "../../../src/core/errors.js";

const b64 = (text: string) => Buffer.from(text).toString("base64");

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dockhand-config-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a throw");
}

describe("dockerConfigDir", () => {
  it("prefers configDir, then DOCKER_CONFIG, then ~/.docker", () => {
    expect(dockerConfigDir({ DOCKER_CONFIG: "/y" }, "/x")).toBe("/x");
    expect(dockerConfigDir({ DOCKER_CONFIG: "/y", HOME: "/h" })).toBe("/y");
    expect(dockerConfigDir({ HOME: "/h" })).toBe(join("/h", ".docker"));
    expect(dockerConfigDir({})).toBe(join(homedir(), ".docker"));
  });
});

describe("parseDockerConfig", () => {
  it("splits auth into username and password and records the key as serveraddress", () => {
    const config = parseDockerConfig(
      JSON.stringify({
        auths: {
          "https://index.docker.io/v1/": { auth: b64("alice:pa:ss\0\0"), email: "a@example.com" },
          "ghcr.io": { identitytoken: "tok" },
          "quay.io": { username: "bob", password: "pw" },
          "empty.example": {},
        },
        credsStore: "desktop",
        credHelpers: { "123.dkr.ecr.us-east-1.amazonaws.com": "ecr-login" },
        psFormat: "ignored",
      }),
      "config.json",
    );
    expect(Object.fromEntries(config.auths)).toEqual({
      "https://index.docker.io/v1/": {
        username: "alice",
        password: "pa:ss",
        email: "a@example.com",
        serveraddress: "https://index.docker.io/v1/",
      },
      "ghcr.io": { identitytoken: "tok", serveraddress: "ghcr.io" },
      "quay.io": { username: "bob", password: "pw", serveraddress: "quay.io" },
      "empty.example": { serveraddress: "empty.example" },
    });
    expect(config.credsStore).toBe("desktop");
    expect(Object.fromEntries(config.credHelpers)).toEqual({ "123.dkr.ecr.us-east-1.amazonaws.com": "ecr-login" });
  });

  it("lets auth win over username/password fields, as the CLI does", () => {
    const config = parseDockerConfig(JSON.stringify({ auths: { r: { username: "x", password: "y", auth: b64("u:p") } } }), "c");
    expect(config.auths.get("r")).toMatchObject({ username: "u", password: "p" });
  });

  it("accepts auth without padding and field names in any case, as Go's JSON does", () => {
    const config = parseDockerConfig('{"Auths": {"r": {"Auth": "dTpwdw"}}, "CredsStore": "pass"}', "c");
    expect(config.auths.get("r")).toMatchObject({ username: "u", password: "pw" });
    expect(config.credsStore).toBe("pass");
  });

  it("treats an empty file (or a BOM) as an empty config", () => {
    for (const text of ["", "  \n", "\uFEFF{}"]) {
      const config = parseDockerConfig(text, "c");
      expect(config.auths.size).toBe(0);
      expect(config.credsStore).toBeUndefined();
    }
  });

  it("keeps keys like __proto__ as plain registry names", () => {
    const config = parseDockerConfig('{"auths": {"__proto__": {"username": "u", "password": "p"}}}', "c");
    expect(config.auths.get("__proto__")).toMatchObject({ username: "u" });
    expect(findRegistryEntry(config.auths, "constructor")).toBeUndefined();
  });

  const malformed: [string, string, RegExp][] = [
    ["invalid JSON", '{"auths": {"r": {"password": "hunter2-secret"}', /not valid JSON/],
    ["a non-object", '["hunter2-secret"]', /must hold a JSON object/],
    ["auths not an object", '{"auths": "hunter2-secret"}', /"auths" must be an object/],
    ["an entry not an object", '{"auths": {"r": "hunter2-secret"}}', /auths entry r/],
    ["a non-string field", '{"auths": {"r": {"password": ["hunter2-secret"]}}}', /"password" of auths entry r/],
    ["auth not base64", '{"auths": {"r": {"auth": "hunter2-secret!"}}}', /"auth" value for r/],
    ["auth without a colon", `{"auths": {"r": {"auth": "${b64("hunter2-secret")}"}}}`, /"auth" value for r/],
    ["auth with an empty user", `{"auths": {"r": {"auth": "${b64(":hunter2-secret")}"}}}`, /"auth" value for r/],
    ["credsStore not a string", '{"credsStore": ["hunter2-secret"]}', /"credsStore" must be a string/],
    ["credHelpers value not a string", '{"credHelpers": {"r": ["hunter2-secret"]}}', /credHelpers entry r/],
  ];

  it.each(malformed)("rejects %s, naming the source and never quoting secrets", (_what, text, message) => {
    const err = errorOf(() => parseDockerConfig(text, "/home/me/.docker/config.json"));
    expect(err).toBeInstanceOf(DockerConfigError);
    expect(err.message).toMatch(message);
    expect(err.message).toContain("/home/me/.docker/config.json");
    expect(err.message).not.toContain("hunter2");
    expect(String(err.cause ?? "")).not.toContain("hunter2");
  });
});

describe("loadDockerConfigFile", () => {
  it("reads config.json from configDir", async () => {
    writeFileSync(join(dir, "config.json"), JSON.stringify({ auths: { "ghcr.io": { auth: b64("u:p") } } }));
    const config = await loadDockerConfigFile({ configDir: dir });
    expect(config?.source).toBe(join(dir, "config.json"));
    expect(config?.auths.get("ghcr.io")).toMatchObject({ username: "u", password: "p" });
  });

  it("reads $DOCKER_CONFIG/config.json", async () => {
    writeFileSync(join(dir, "config.json"), '{"credsStore": "osxkeychain"}');
    expect((await loadDockerConfigFile({ env: { DOCKER_CONFIG: dir } }))?.credsStore).toBe("osxkeychain");
  });

  it("treats a missing file as no credentials", async () => {
    await expect(loadDockerConfigFile({ configDir: join(dir, "nowhere") })).resolves.toBeUndefined();
  });

  it("names the file it cannot read", async () => {
    mkdirSync(join(dir, "config.json"));
    const err = await loadDockerConfigFile({ configDir: dir }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(DockerConfigError);
    expect((err as Error).message).toContain(join(dir, "config.json"));
  });

  it.skipIf(process.getuid?.() === 0)("names an unreadable file", async () => {
    const file = join(dir, "config.json");
    writeFileSync(file, "{}");
    chmodSync(file, 0o000);
    await expect(loadDockerConfigFile({ configDir: dir })).rejects.toThrow(/cannot read .*config\.json \(EACCES\)/);
  });

  it("names the file holding invalid JSON", async () => {
    writeFileSync(join(dir, "config.json"), "{ nope");
    await expect(loadDockerConfigFile({ configDir: dir })).rejects.toThrow(`${join(dir, "config.json")} is not valid JSON`);
  });
});

describe("loadAuthConfigEnv", () => {
  it("reads the auths of DOCKER_AUTH_CONFIG and ignores helpers there", () => {
    const config = loadAuthConfigEnv({
      DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { "ghcr.io": { auth: b64("ci:tok") } }, credsStore: "desktop" }),
    });
    expect(config?.source).toBe("DOCKER_AUTH_CONFIG");
    expect(config?.auths.get("ghcr.io")).toMatchObject({ username: "ci", password: "tok" });
    expect(config?.credsStore).toBeUndefined();
  });

  it("is absent when unset or empty", () => {
    expect(loadAuthConfigEnv({})).toBeUndefined();
    expect(loadAuthConfigEnv({ DOCKER_AUTH_CONFIG: "" })).toBeUndefined();
  });

  it("names the variable, never its content, when malformed", () => {
    const err = errorOf(() => loadAuthConfigEnv({ DOCKER_AUTH_CONFIG: '{"auths": {"r": {"password": "hunter2"' }));
    expect(err).toBeInstanceOf(DockerConfigError);
    expect(err.message).toMatch(/^DOCKER_AUTH_CONFIG is not valid JSON/);
    expect(err.message).not.toContain("hunter2");
  });
});

describe("findRegistryEntry / credentialHelperFor", () => {
  const entries = new Map([
    ["https://ghcr.io/v2/", "url-form"],
    ["docker.io", "hub-host"],
    ["localhost:5000", "exact"],
  ]);

  it("matches the exact key first, then keys naming the same registry", () => {
    expect(findRegistryEntry(entries, "localhost:5000")).toEqual(["localhost:5000", "exact"]);
    expect(findRegistryEntry(entries, "ghcr.io")).toEqual(["https://ghcr.io/v2/", "url-form"]);
    expect(findRegistryEntry(entries, DOCKER_HUB_AUTH_KEY)).toEqual(["docker.io", "hub-host"]);
    expect(findRegistryEntry(entries, "quay.io")).toBeUndefined();
    expect(findRegistryEntry(new Map([[DOCKER_HUB_AUTH_KEY, 1], ["docker.io", 2]]), "docker.io")).toEqual(["docker.io", 2]);
  });

  it("picks the registry's credHelpers entry over credsStore", () => {
    const config = parseDockerConfig(JSON.stringify({ credsStore: "desktop", credHelpers: { "gcr.io": "gcloud" } }), "c");
    expect(credentialHelperFor(config, "gcr.io")).toBe("gcloud");
    expect(credentialHelperFor(config, "ghcr.io")).toBe("desktop");
    expect(credentialHelperFor(parseDockerConfig("{}", "c"), "ghcr.io")).toBeUndefined();
  });
});
