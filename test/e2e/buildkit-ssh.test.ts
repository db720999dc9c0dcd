// SSH agent forwarding in BuildKit builds against a real engine: an ssh-agent started here with a
// key made here; `RUN --mount=type=ssh` runs the host's own ssh-add (copied into the context with
// its loader and libraries, busybox has no agent client) to list the forwarded keys, by the
// default id and by a named one; the build cannot remove keys (read-only forwarding); an id not
// forwarded fails the step; a missing agent fails before the build; key files (a path, or
// { keys }) are listed by their fingerprints through the agent dockhand holds and sign for
// `ssh-keygen -Y sign` in the build (verified here), an encrypted one is refused before the build; and `docker buildx build --ssh` (scripts/buildx.sh) lists the same keys
// from the same Dockerfile, for an agent socket and for key files.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createServer, type Socket } from "node:net";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BuildError, Docker, DockerAbortError, DockerArgumentError, type BuildParams } from "../../src/index.js";
import { TEST_IMAGE, describeEngine, engineHost } from "./engine.js";
import { diverges, why } from "./engines.js";
import { fixtureDir } from "./fixture-gate.js";

const run = promisify(execFile);
const ORACLE_TAG = `dockhand-e2e-buildx-ssh:${process.pid}`;
const LABELS = { "dockhand.test": "buildkit-ssh-e2e" };
const buildx = fixtureDir("DOCKHAND_BUILDX", "scripts/buildx.sh");

/** The host's ssh-add and ssh-keygen, their libraries and their loader, or why they cannot be used. */
async function agentTools(): Promise<{ binaries: string[]; loader: string; libraries: string[] } | string> {
  try {
    const binaries = (await run("sh", ["-c", "command -v ssh-add && command -v ssh-keygen && command -v ssh-agent"])).stdout.split("\n").slice(0, 2);
    const libraries = new Set<string>();
    for (const binary of binaries) for (const m of (await run("ldd", [binary])).stdout.matchAll(/(\/\S+) \(0x/g)) libraries.add(m[1]!);
    const loader = [...libraries].find((path) => /\/ld-linux[^/]*\.so/.test(path));
    return loader ? { binaries, loader, libraries: [...libraries] } : "ssh-add has no ld-linux loader (not glibc)";
  } catch {
    return "ssh-agent, ssh-add, ssh-keygen or ldd is missing (apt package openssh-client)";
  }
}

const tools = await agentTools();
if (typeof tools === "string" && /^(1|true)$/i.test(process.env["DOCKHAND_REQUIRE_FIXTURES"]?.trim() ?? "")) {
  throw new Error(`DOCKHAND_REQUIRE_FIXTURES is set but ${tools}`);
}
const skip = typeof tools === "string" || diverges("session");
const reason = typeof tools === "string" ? ` (skipped: ${tools})` : why("session");

/** Live handles of kinds a leaked session or agent connection would hold. */
function handles(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === "PipeWrap" || kind === "TCPSocketWrap" || kind === "Http2Session").length;
}

/**
 * Makes this run's steps its own: BuildKit runs identical steps of concurrent builds once, with
 * the ssh agent of whichever build came first, so another run of this file on the same engine
 * would otherwise list its keys here. Placed after the COPY steps, which need no agent, so runs
 * share their cached copy of the tools instead of storing one each.
 */
const OWN_STEPS = `ENV DOCKHAND_E2E_RUN=${process.pid}.${Date.now()}`;

/** The context's `/tools/ssh-add …` (or another of the copied tools) through the copied loader. */
const SSH_ADD = (loader: string, tool = "ssh-add") => `/tools/${basename(loader)} --library-path /tools /tools/${tool}`;

describeEngine(`BuildKit ssh agent forwarding${reason}`, () => {
  let docker: Docker;
  let work: string;
  let context: string;
  let agent: ChildProcess;
  let socket: string;
  let fingerprint: string;
  /** What the Dockerfile lists when `default` is the ed25519 key file and `deploy` it and an RSA one. */
  let keyFilesListing: string;
  const savedSock = process.env["SSH_AUTH_SOCK"];

  const dockerfile = (loader: string) =>
    [
      `FROM ${TEST_IMAGE}`,
      "COPY tools /tools",
      OWN_STEPS,
      // Listing works; removing every key is refused (the forwarding is read-only); the named id
      // is mounted where asked.
      `RUN --mount=type=ssh test -S "$SSH_AUTH_SOCK" && ${SSH_ADD(loader)} -l > /keys && if ${SSH_ADD(loader)} -D 2>/dev/null; then echo removed >> /keys; fi`,
      `RUN --mount=type=ssh,id=deploy,target=/deploy.sock SSH_AUTH_SOCK=/deploy.sock ${SSH_ADD(loader)} -l > /deploy-keys`,
      'CMD ["cat", "/keys", "/deploy-keys"]',
      "",
    ].join("\n");

  async function output(image: string): Promise<string> {
    const result = await docker.run(image, undefined, { labels: LABELS });
    expect(result.exitCode).toBe(0);
    return result.stdout;
  }

  beforeAll(async () => {
    if (typeof tools === "string") return;
    docker = new Docker({ host: engineHost() });
    work = await mkdtemp(join(tmpdir(), "dockhand-e2e-ssh-agent-"));
    socket = join(work, "agent.sock");
    // -D: the agent stays a child of this process, ended by its pid in afterAll.
    agent = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
    for (let waited = 0; !(await stat(socket).then((s) => s.isSocket(), () => false)); waited += 100) {
      if (waited > 10_000 || agent.exitCode !== null) throw new Error("ssh-agent did not start");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "dockhand-e2e", "-f", join(work, "key")]);
    await run("ssh-add", [join(work, "key")], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
    fingerprint = (await run("ssh-add", ["-l"], { env: { ...process.env, SSH_AUTH_SOCK: socket } })).stdout;
    expect(fingerprint).toMatch(/SHA256:\S+ dockhand-e2e \(ED25519\)/);

    // Key files: the agent's key and a PEM RSA one, listed as ssh-add lists keys without a comment.
    await run("ssh-keygen", ["-q", "-t", "rsa", "-b", "3072", "-m", "PEM", "-N", "", "-f", join(work, "rsa")]);
    await run("ssh-keygen", ["-q", "-t", "ecdsa", "-N", "secret-pass", "-f", join(work, "locked")]);
    const listed = async (file: string) => {
      const [bits, hash, ...rest] = (await run("ssh-keygen", ["-l", "-f", file])).stdout.trim().split(" ");
      return `${bits} ${hash}  ${rest.at(-1)}\n`;
    };
    const [ed25519, rsa] = [await listed(join(work, "key.pub")), await listed(join(work, "rsa.pub"))];
    keyFilesListing = ed25519 + ed25519 + rsa;

    context = join(work, "context");
    await mkdir(join(context, "tools"), { recursive: true });
    for (const binary of tools.binaries) await copyFile(binary, join(context, "tools", basename(binary)));
    // What the build signs with through the key files' agent: their public halves and a message.
    await mkdir(join(context, "keys"));
    for (const key of ["key", "rsa"]) await copyFile(join(work, `${key}.pub`), join(context, "keys", `${key}.pub`));
    for (const library of tools.libraries) await copyFile(library, join(context, "tools", basename(library)));
    await writeFile(join(context, "Dockerfile"), dockerfile(tools.loader));
  });

  afterAll(async () => {
    if (typeof tools === "string") return;
    if (savedSock === undefined) delete process.env["SSH_AUTH_SOCK"];
    else process.env["SSH_AUTH_SOCK"] = savedSock;
    await docker.removeByLabel("dockhand.test=buildkit-ssh-e2e").catch(() => {});
    await docker.images.remove(ORACLE_TAG, { force: true }).catch(() => {});
    await docker.close();
    if (agent.exitCode === null) {
      agent.kill();
      await once(agent, "exit");
    }
    await rm(work, { recursive: true, force: true });
  });

  const build = (extra: Partial<BuildParams>) =>
    docker.images.build({ builder: "buildkit", context, labels: LABELS, nocache: true, ...extra });

  it.skipIf(skip)("lists the forwarded agent's keys by the default id ($SSH_AUTH_SOCK) and a named one, and cannot remove them", { timeout: 180_000 }, async () => {
    process.env["SSH_AUTH_SOCK"] = socket;
    const id = await (await build({ ssh: { default: true, deploy: { socketPath: socket } } })).imageId();
    try {
      expect(await output(id)).toBe(fingerprint + fingerprint);
    } finally {
      await docker.images.remove(id, { force: true });
    }
    // The key is still in the agent: `ssh-add -D` inside the build was refused.
    expect((await run("ssh-add", ["-l"], { env: { ...process.env, SSH_AUTH_SOCK: socket } })).stdout).toBe(fingerprint);
  });

  it.skipIf(skip)("fails a step whose required ssh id was not forwarded with BuildError naming it", { timeout: 120_000 }, async () => {
    const failure = await (
      await docker.images.build({
        builder: "buildkit",
        dockerfileContent: `FROM ${TEST_IMAGE}\nRUN --mount=type=ssh,id=absent,required=true true\n`,
        ssh: { default: socket },
        labels: LABELS,
        nocache: true,
      })
    )
      .imageId()
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(BuildError);
    expect((failure as Error).message).toMatch(/absent/);
  });

  it.skipIf(skip)("refuses a missing agent before the build starts", async () => {
    delete process.env["SSH_AUTH_SOCK"];
    await expect(build({ ssh: { default: true } })).rejects.toThrow(/SSH agent "default": SSH_AUTH_SOCK is not set/);
    await expect(build({ ssh: { default: join(work, "absent.sock") } })).rejects.toThrow(DockerArgumentError);
    await expect(build({ ssh: { deploy: { socketPath: join(work, "key") } } })).rejects.toThrow(/is not a unix socket/);
  });

  it.skipIf(skip)("lists key files given as a path or { keys } by their fingerprints, and cannot remove them", { timeout: 180_000 }, async () => {
    const id = await (await build({ ssh: { default: join(work, "key"), deploy: { keys: [join(work, "key"), join(work, "rsa")] } } })).imageId();
    try {
      expect(await output(id)).toBe(keyFilesListing);
    } finally {
      await docker.images.remove(id, { force: true });
    }
  });

  it.skipIf(skip)("signs with key files through the daemon: ssh-keygen -Y sign in the build, ssh-keygen -Y verify here", { timeout: 180_000 }, async () => {
    const loader = typeof tools === "string" ? "" : tools.loader;
    const out = join(work, "signatures");
    const build = await docker.images.build({
      builder: "buildkit",
      context,
      dockerfileContent: [
        `FROM ${TEST_IMAGE} AS sign`,
        "COPY tools /tools",
        "COPY keys /keys",
        OWN_STEPS,
        // -f names a public key alone, so ssh-keygen asks the agent to sign (rsa-sha2-512 for RSA).
        `RUN --mount=type=ssh mkdir /sigs && for k in key rsa; do echo "signed with $k" > /sigs/$k && ${SSH_ADD(loader, "ssh-keygen")} -Y sign -f /keys/$k.pub -n dockhand /sigs/$k; done`,
        "FROM scratch",
        "COPY --from=sign /sigs /",
        "",
      ].join("\n"),
      ssh: { default: { keys: [join(work, "key"), join(work, "rsa")] } },
      outputs: [{ type: "local", dest: out }],
      nocache: true,
    });
    await build.done();
    for (const key of ["key", "rsa"]) {
      const allowed = join(work, `${key}.allowed`);
      await writeFile(allowed, `builder ${await readFile(join(work, `${key}.pub`), "utf8")}`);
      const verified = await run("sh", ["-c", 'ssh-keygen -Y verify -f "$1" -I builder -n dockhand -s "$2.sig" < "$2"', "verify", allowed, join(out, key)]);
      expect(verified.stdout).toMatch(/^Good "dockhand" signature for builder/);
    }
  });

  it.skipIf(skip)("refuses a passphrase-protected key file before the build starts, naming it", async () => {
    const locked = join(work, "locked");
    const failure = await build({ ssh: { default: locked } }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(DockerArgumentError);
    expect((failure as Error).message).toBe(`SSH agent "default": ${locked} is passphrase-protected, and dockhand never asks for a passphrase: add the key to an ssh-agent (ssh-add) and give the agent's socket instead`);
  });

  it.skipIf(skip)("ends a forwarded agent connection when the build is aborted, leaving nothing open", { timeout: 120_000 }, async () => {
    // An "agent" that accepts and never answers: ssh-add in the build waits on it, so the
    // forwarded stream is open when the abort comes.
    const connections = new Set<Socket>();
    let asked = 0;
    const silent = createServer((connection) => {
      connections.add(connection);
      connection.on("error", () => {});
      connection.on("data", () => (asked += 1));
      connection.once("close", () => connections.delete(connection));
    });
    const silentPath = join(work, "silent.sock");
    silent.listen(silentPath);
    await once(silent, "listening");
    const own = new Docker({ host: engineHost() });
    const before = handles();
    try {
      const controller = new AbortController();
      const loader = typeof tools === "string" ? "" : tools.loader;
      const build = own.images
        .build(
          {
            builder: "buildkit",
            context,
            dockerfileContent: `FROM ${TEST_IMAGE}\nCOPY tools /tools\n${OWN_STEPS}\nRUN --mount=type=ssh ${SSH_ADD(loader)} -l\n`,
            ssh: { default: silentPath },
            labels: LABELS,
            nocache: true,
          },
          { signal: controller.signal },
        )
        .then((b) => b.done());
      // ssh-add's request arrived (the check before the build connects too, but sends nothing).
      await expect.poll(() => asked, { timeout: 60_000, interval: 100 }).toBeGreaterThan(0);
      expect(connections.size).toBe(1);
      controller.abort();
      await expect(build).rejects.toBeInstanceOf(DockerAbortError);
      await expect.poll(() => connections.size, { timeout: 10_000 }).toBe(0);
    } finally {
      await own.close();
      silent.close();
    }
    await expect.poll(handles, { timeout: 10_000 }).toBeLessThanOrEqual(before);
  });

  it.skipIf(skip || buildx === undefined)("lists what docker buildx --ssh lists from the same Dockerfile", { timeout: 180_000 }, async () => {
    await run(buildx!, ["build", "--load", "--no-cache", "-t", ORACLE_TAG, "--ssh", `default=${socket}`, "--ssh", `deploy=${socket}`, context], {
      env: { ...process.env, DOCKER_HOST: engineHost() },
    });
    expect(await output(ORACLE_TAG)).toBe(fingerprint + fingerprint);
  });

  it.skipIf(skip || buildx === undefined)("lists what docker buildx --ssh lists given the same key files", { timeout: 180_000 }, async () => {
    const keys = ["--ssh", `default=${join(work, "key")}`, "--ssh", `deploy=${join(work, "key")},${join(work, "rsa")}`];
    await run(buildx!, ["build", "--load", "--no-cache", "-t", ORACLE_TAG, ...keys, context], { env: { ...process.env, DOCKER_HOST: engineHost() } });
    // The same keys, listed the same way. buildx's in-memory agent lets the build remove its keys
    // (`ssh-add -D` succeeds and the Dockerfile notes "removed"); dockhand's stays read-only.
    const listing = await output(ORACLE_TAG);
    expect(listing.replace(/^removed\n/m, "")).toBe(keyFilesListing);
  });
});
