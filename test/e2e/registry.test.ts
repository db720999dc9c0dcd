// Registry auth end to end: a private registry with htpasswd auth (scripts/registry.sh up), a
// login check, push with credentials from config.json, pull through a credential helper, and
// the failures a user meets (anonymous push, wrong password, missing tag).
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareVersions } from "../../src/core/version.js";
import {
  BuildError,
  Docker,
  DockerError,
  DockerStreamError,
  InternalServerError,
  NotFoundError,
  RegistryAuthError,
  UnauthorizedError,
} from "../../src/index.js";
import { TEST_IMAGE, engineHost, engineRequired } from "./engine.js";
import { diverges, why } from "./engines.js";

// The same defaults as scripts/registry.sh.
const REGISTRY = process.env["DOCKHAND_REGISTRY"] ?? "127.0.0.1:5000";
const USERNAME = process.env["DOCKHAND_REGISTRY_USER"] ?? "dockhand";
const PASSWORD = process.env["DOCKHAND_REGISTRY_PASSWORD"] ?? "dockhand-e2e-pw";
const WRONG_PASSWORD = "wrong-Pa55word-for-e2e";

const REPO = `${REGISTRY}/dockhand/busybox`;
const TAG = `e2e-${process.pid}`;
const REF = `${REPO}:${TAG}`;
const BASE_TAG = `${TAG}-base`;
const BASE = `${REPO}:${BASE_TAG}`;

/** True when the registry answers and asks for credentials (HTTP 401 on /v2/). */
async function registryUp(): Promise<boolean> {
  try {
    return (await fetch(`http://${REGISTRY}/v2/`, { signal: AbortSignal.timeout(3000) })).status === 401;
  } catch {
    return false;
  }
}

const host = engineHost();
const up = host !== undefined && (await registryUp());
if (host !== undefined && !up && engineRequired()) {
  throw new Error(`DOCKHAND_REQUIRE_ENGINE is set but no registry answers at ${REGISTRY}; start it with scripts/registry.sh up`);
}
const title = up
  ? `registry auth against ${REGISTRY}`
  : `registry auth (skipped: ${host === undefined ? "DOCKER_HOST is not set" : `no registry at ${REGISTRY}; run scripts/registry.sh up`})`;

/** Every text an error exposes: message, string form, and own properties. */
function everything(err: unknown): string {
  return `${String(err)} ${(err as Error).message} ${JSON.stringify(err)}`;
}

describe.skipIf(!up)(title, () => {
  let docker: Docker;
  let work: string;
  /** A client reading credentials from a config.json `auths` entry. */
  let withAuths: Docker;
  /** A client whose config.json sends the registry to the `docker-credential-test` helper. */
  let withHelper: Docker;
  /** A client with no stored credentials at all. */
  let anonymous: Docker;
  let helperLog: string;
  let apiVersion: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "dockhand-e2e-registry-"));
    const dir = async (name: string, config: object) => {
      const path = join(work, name);
      await mkdir(path);
      await writeFile(join(path, "config.json"), JSON.stringify(config));
      return path;
    };
    const auth = Buffer.from(`${USERNAME}:${PASSWORD}`).toString("base64");
    withAuths = new Docker({ host, configDir: await dir("auths", { auths: { [REGISTRY]: { auth } } }) });
    anonymous = new Docker({ host, configDir: await dir("empty", {}) });

    // A credential helper speaking the docker-credential protocol: `get` with the server on stdin.
    helperLog = join(work, "helper.log");
    const bin = await dir("bin", {});
    const helper = join(bin, "docker-credential-test");
    await writeFile(
      helper,
      [
        "#!/bin/sh",
        "read -r server",
        `echo "$1 $server" >> '${helperLog}'`,
        '[ "$1" = get ] || exit 1',
        `printf '{"ServerURL":"%s","Username":"${USERNAME}","Secret":"${PASSWORD}"}' "$server"`,
        "",
      ].join("\n"),
    );
    await chmod(helper, 0o755);
    withHelper = new Docker({
      host,
      configDir: await dir("helper", { credHelpers: { [REGISTRY]: "test" } }),
      env: { ...process.env, PATH: `${bin}:${process.env["PATH"] ?? ""}` },
    });

    docker = new Docker({ host });
    apiVersion = await docker.apiVersion();
    await docker.images.tag(TEST_IMAGE, { repo: REPO, tag: TAG });
  });

  afterAll(async () => {
    for (const ref of [REF, BASE]) {
      await docker.images.remove(ref, { force: true }).catch((err: unknown) => {
        if (!(err instanceof NotFoundError)) throw err;
      });
    }
    await Promise.all([docker, withAuths, withHelper, anonymous].map((d) => d.close()));
    await rm(work, { recursive: true, force: true });
  });

  it.skipIf(diverges("authOverHttps"))(`checks a login with system.auth, and a wrong password fails without echoing it${why("authOverHttps")}`, async () => {
    const ok = await docker.system.auth({ username: USERNAME, password: PASSWORD, serveraddress: REGISTRY });
    expect(ok.Status).toBe("Login Succeeded");
    const failure = await docker.system
      .auth({ username: USERNAME, password: WRONG_PASSWORD, serveraddress: REGISTRY })
      .catch((err: unknown) => err);
    // Both engines report a failed registry login as a 500 with the registry's status in the text.
    expect(failure).toBeInstanceOf(RegistryAuthError);
    expect((failure as RegistryAuthError).cause).toBeInstanceOf(InternalServerError);
    expect((failure as Error).message).toMatch(/401 Unauthorized/);
    expect(everything(failure)).not.toContain(WRONG_PASSWORD);
  });

  it("refuses an anonymous push, and one with a wrong password, with RegistryAuthErrors that say why", async () => {
    const anonymousFailure = await (await anonymous.images.push(REF)).done().catch((err: unknown) => err);
    expect(anonymousFailure).toBeInstanceOf(RegistryAuthError);
    expect((anonymousFailure as RegistryAuthError).cause).toBeInstanceOf(DockerStreamError);
    expect((anonymousFailure as Error).message).toMatch(
      diverges("anonymousPush") ? /unauthorized: authentication required/ : /no basic auth credentials/,
    );

    const wrong = { username: USERNAME, password: WRONG_PASSWORD };
    const wrongFailure = await (await docker.images.push(REF, {}, { auth: wrong })).done().catch((err: unknown) => err);
    expect(wrongFailure).toBeInstanceOf(RegistryAuthError);
    expect((wrongFailure as Error).message).toMatch(/unauthorized: authentication required/);
    expect(everything(wrongFailure)).not.toContain(WRONG_PASSWORD);
  });

  it.skipIf(diverges("distribution"))(`refuses a distribution inspect with a wrong password with a RegistryAuthError${why("distribution")}`, async () => {
    const failure = await docker.distribution
      .inspect(REF, { auth: { username: USERNAME, password: WRONG_PASSWORD } })
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(RegistryAuthError);
    expect((failure as Error).message).toMatch(/unauthorized|401/);
    expect(everything(failure)).not.toContain(WRONG_PASSWORD);
  });

  it("pushes with the credentials of config.json's auths", async () => {
    const last = await (await withAuths.images.push(REF)).done();
    if (diverges("pushAux")) {
      expect(last?.status).toMatch(/digest: sha256:[0-9a-f]{64}/);
      return;
    }
    const aux = last?.aux as { Tag?: string; Digest?: string } | undefined;
    expect(aux?.Tag).toBe(TAG);
    expect(aux?.Digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const remote = await withAuths.distribution.inspect(REF);
    expect(remote.Descriptor.digest).toBe(aux?.Digest);
  });

  it("fails a classic build whose base image the registry refuses with a RegistryAuthError", async () => {
    // A base image only the registry has: pushed, then removed here.
    await docker.images.tag(TEST_IMAGE, { repo: REPO, tag: BASE_TAG });
    await (await withAuths.images.push(BASE)).done();
    await docker.images.remove(BASE);
    const build = await docker.images.build({
      builder: "classic",
      dockerfileContent: `FROM ${BASE}\nRUN true\n`,
      labels: { "dockhand.e2e": "registry-auth" },
    }, { authConfigs: { [REGISTRY]: { username: USERNAME, password: WRONG_PASSWORD, serveraddress: REGISTRY } } });
    const failure = await build.imageId().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(RegistryAuthError);
    expect((failure as Error).message).toMatch(/unauthorized: authentication required/);
    expect(everything(failure)).not.toContain(WRONG_PASSWORD);
  });

  it.skipIf(diverges("session"))(`builds FROM it with BuildKit, the session answering for credentials: refused with a wrong password, then from config.json${why("session")}`, { timeout: 120_000 }, async () => {
    // A base image only the registry has (as for the classic build above; pushed again so this test stands alone).
    await docker.images.tag(TEST_IMAGE, { repo: REPO, tag: BASE_TAG });
    await (await withAuths.images.push(BASE)).done();
    await docker.images.remove(BASE);
    const params = {
      builder: "buildkit" as const,
      dockerfileContent: `FROM ${BASE}\nRUN echo built-from-registry > /proof\nCMD ["cat", "/proof"]\n`,
      labels: { "dockhand.e2e": "registry-auth" },
      nocache: true,
    };
    const wrong = { [REGISTRY]: { username: USERNAME, password: WRONG_PASSWORD } };
    const failure = await (await docker.images.build(params, { authConfigs: wrong })).imageId().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(RegistryAuthError);
    expect((failure as RegistryAuthError).cause).toBeInstanceOf(BuildError);
    expect((failure as Error).message).toMatch(/401 Unauthorized|unauthorized/i);
    expect(everything(failure)).not.toContain(WRONG_PASSWORD);

    // Anonymous (authConfigs: false: the Auth service is not served) is refused too.
    const anonymousFailure = await (await withAuths.images.build(params, { authConfigs: false })).imageId().catch((err: unknown) => err);
    expect(anonymousFailure).toBeInstanceOf(RegistryAuthError);

    // The credentials come from config.json alone (like withAuths); neither the debug log nor the build's output shows them.
    const logged: string[] = [];
    const logging = new Docker({ host, configDir: join(work, "auths"), logger: (entry) => logged.push(JSON.stringify(entry)) });
    const output: unknown[] = [];
    try {
      const id = await (await logging.images.build(params)).imageId((m) => output.push(m));
      const run = await docker.run(id, undefined, { labels: { "dockhand.e2e": "registry-auth" } });
      expect(run.stdout).toBe("built-from-registry\n");
      await docker.images.remove(id, { force: true });
    } finally {
      await logging.close();
    }
    expect(logged.length).toBeGreaterThan(0);
    const seen = `${logged.join("\n")}\n${JSON.stringify(output)}`;
    for (const secret of [PASSWORD, Buffer.from(`${USERNAME}:${PASSWORD}`).toString("base64")]) expect(seen).not.toContain(secret);
  });

  it("pulls it back through a credential helper after the local copy is removed", async () => {
    await docker.images.remove(REF);
    await expect(docker.images.inspect(REF)).rejects.toBeInstanceOf(NotFoundError);
    await withHelper.images.pull(REF);
    const image = await docker.images.inspect(REF);
    expect(image.RepoDigests?.some((digest) => digest.startsWith(`${REPO}@sha256:`))).toBe(true);
    expect(await readFile(helperLog, "utf8")).toContain(`get ${REGISTRY}\n`);
  });

  it("fails a pull with a wrong password with a typed error that says so, never echoing the password", async () => {
    const failure = await docker.images
      .pull(REF, {}, { auth: { username: USERNAME, password: WRONG_PASSWORD } })
      .catch((err: unknown) => err);
    // dockerd 20.10 (API 1.41) answers a registry's 401 with a 500; later engines pass the 401 on.
    expect(failure).toBeInstanceOf(RegistryAuthError);
    expect((failure as RegistryAuthError).cause).toBeInstanceOf(
      diverges("pullErrorsInStream")
        ? DockerStreamError
        : compareVersions(apiVersion, "1.41") <= 0
          ? InternalServerError
          : UnauthorizedError,
    );
    expect((failure as Error).message).toMatch(/unauthorized: authentication required/);
    expect(everything(failure)).not.toContain(WRONG_PASSWORD);
    expect(everything(failure)).not.toContain(Buffer.from(WRONG_PASSWORD).toString("base64"));
  });

  it("fails a pull of a missing tag with NotFoundError", async () => {
    const failure = await withAuths.images.pull(`${REPO}:no-such-tag`).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(diverges("pullErrorsInStream") ? DockerStreamError : NotFoundError);
    expect((failure as DockerError).message).toMatch(/manifest unknown/);
    expect(everything(failure)).not.toContain(PASSWORD);
  });
});
