// A registry that takes bearer tokens only (the distribution registry's token auth, started here
// on a free port with a throwaway signing certificate) and a BuildKit build whose base image it
// holds: with authConfigs holding just a `registrytoken`, the daemon asks the session for tokens
// (GetTokenAuthority, then FetchToken) and pulls with ours, even right after an anonymous attempt
// left the daemon a cached anonymous token handler for that registry; without it, the pull fails.
// The token is minted here as the registry's own token server would, and never shows in logs.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createSign, X509Certificate } from "node:crypto";
import { once } from "node:events";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuildError, Docker, RegistryAuthError } from "../../src/index.js";
import { selfSignedCertificate, type SelfSigned } from "../support/self-signed.js";
import { TEST_IMAGE, engineHost, engineRequired } from "./engine.js";
import { diverges, why } from "./engines.js";

const SERVICE = "dockhand-token-e2e";
const ISSUER = "dockhand-e2e-issuer";
const REPO_PATH = "dockhand/token-base";

/** Whether Debian's docker-registry (scripts/registry.sh installs it) is on this machine. */
function haveRegistry(): boolean {
  try {
    execFileSync("docker-registry", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const host = engineHost();
const registryInstalled = haveRegistry();
if (host !== undefined && !registryInstalled && engineRequired()) {
  throw new Error("DOCKHAND_REQUIRE_ENGINE is set but docker-registry is not installed; scripts/registry.sh up installs it");
}
const runnable = host !== undefined && registryInstalled && !diverges("session");
const title = runnable
  ? "BuildKit base images from a token-auth registry with a registry token"
  : `BuildKit base images with a registry token (skipped: ${host === undefined ? "DOCKER_HOST is not set" : `no docker-registry binary (scripts/registry.sh up installs it)${why("session")}`})`;

/** A free port on 127.0.0.1 (dockerd talks plain HTTP to 127.0.0.0/8 registries). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

/** A token as a distribution token server issues it: RS256, the signing certificate in x5c, access to one repository. */
function mintToken(signer: SelfSigned, actions: string[]): string {
  const header = { typ: "JWT", alg: "RS256", x5c: [new X509Certificate(signer.cert).raw.toString("base64")] };
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: ISSUER, sub: "dockhand", aud: SERVICE, exp: now + 3600, nbf: now - 60, iat: now, jti: `e2e-${process.pid}-${now}`, access: [{ type: "repository", name: REPO_PATH, actions }] };
  const signed = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  return `${signed}.${base64url(createSign("RSA-SHA256").update(signed).sign(signer.key))}`;
}

describe.skipIf(!runnable)(title, () => {
  let docker: Docker;
  let signer: SelfSigned;
  let registry: ChildProcess;
  let registryAddr: string;
  let base: string;

  beforeAll(async () => {
    docker = new Docker({ host });
    signer = selfSignedCertificate("dockhand-e2e-token-registry-");
    registryAddr = `127.0.0.1:${await freePort()}`;
    await mkdir(join(signer.dir, "data"));
    const config = join(signer.dir, "config.yml");
    await writeFile(
      config,
      [
        "version: 0.1",
        "log: { level: warn, accesslog: { disabled: true } }",
        `storage: { filesystem: { rootdirectory: ${join(signer.dir, "data")} } }`,
        `http: { addr: "${registryAddr}", secret: dockhand-e2e-only }`,
        // The realm is never asked: the daemon gets its tokens from the session.
        `auth: { token: { realm: "http://${registryAddr}/no-token-server", service: ${SERVICE}, issuer: ${ISSUER}, rootcertbundle: ${join(signer.dir, "cert.pem")} } }`,
        "",
      ].join("\n"),
    );
    registry = spawn("docker-registry", ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    registry.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const status = await fetch(`http://${registryAddr}/v2/`).then((r) => r.status, () => 0);
      if (status === 401) break;
      if (registry.exitCode !== null || Date.now() > deadline) throw new Error(`the token registry did not start: ${log}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // The base image lives only in the registry: pushed with a push token, then removed here.
    base = `${registryAddr}/${REPO_PATH}:${process.pid}`;
    await docker.images.tag(TEST_IMAGE, { repo: `${registryAddr}/${REPO_PATH}`, tag: String(process.pid) });
    await (await docker.images.push(base, undefined, { auth: { registrytoken: mintToken(signer, ["pull", "push"]), serveraddress: registryAddr } })).done();
    await docker.images.remove(base);
  }, 120_000);

  afterAll(async () => {
    await docker?.images.remove(base, { force: true }).catch(() => {});
    await docker?.close();
    if (registry && registry.exitCode === null) {
      registry.kill();
      await once(registry, "exit");
    }
    signer?.remove();
  });

  it("pulls the base image with the token the session hands out; no token, or one without access, is refused", { timeout: 180_000 }, async () => {
    const token = mintToken(signer, ["pull"]);
    const params = {
      builder: "buildkit" as const,
      dockerfileContent: `FROM ${base}\nRUN echo built-with-a-registry-token > /proof\nCMD ["cat", "/proof"]\n`,
      labels: { "dockhand.e2e": "registry-token" },
      nocache: true,
      pull: true,
    };
    const anonymous = await (await docker.images.build(params, { authConfigs: false })).imageId().catch((err: unknown) => err);
    // Anonymous, the daemon asks the realm, which nothing serves: so a success below is the session's token.
    expect(anonymous).toBeInstanceOf(BuildError);
    expect((anonymous as Error).message).toMatch(/failed to fetch anonymous token: .*404 Not Found/);


    // A token the registry does not accept (no access to this repository) is refused by it.
    const refused = await (await docker.images.build(params, { authConfigs: { [registryAddr]: { registrytoken: mintToken(signer, []) } } })).imageId().catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(RegistryAuthError);
    expect((refused as Error).message).toMatch(/insufficient_scope/);

    const logged: string[] = [];
    const logging = new Docker({ host, logger: (entry) => logged.push(JSON.stringify(entry)) });
    const output: unknown[] = [];
    try {
      const build = await logging.images.build(params, { authConfigs: { [registryAddr]: { registrytoken: token } } });
      const id = await build.imageId((m) => output.push(m));
      const run = await docker.run(id, undefined, { labels: { "dockhand.e2e": "registry-token" } });
      expect(run.stdout).toBe("built-with-a-registry-token\n");
      await docker.images.remove(id, { force: true });
    } finally {
      await logging.close();
    }
    expect(logged.length).toBeGreaterThan(0);
    expect(`${logged.join("\n")}\n${JSON.stringify(output)}`).not.toContain(token);
  });
});
