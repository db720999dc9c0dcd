// ssh:// against this machine's engine through a private sshd (scripts/sshd.sh): every
// connection is `ssh … docker --host=unix://<engine socket> system dial-stdio`.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Docker, DockerConnectionError, type DockerOptions } from "../../src/index.js";
import { SSH_POOL_SIZE } from "../../src/transport/ssh.js";
import { TEST_IMAGE, engineHost, engineRequest } from "./engine.js";
import { tempDir, writeContext } from "../unit/config/fixtures.js";
import { pingFailure, useClients } from "../support/clients.js";
import { execWithInput } from "./exec-input.js";
import { fixtureDir } from "./fixture-gate.js";

const dir = fixtureDir("DOCKHAND_SSH_DIR", "scripts/sshd.sh");
const socket = engineHost()?.startsWith("unix://") ? engineHost()!.slice("unix://".length) : undefined;
const label = { "dockhand.test": "ssh-e2e" };

/** ssh processes this test process started that are still running. */
function sshChildren(): number {
  let count = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const match = /^\d+ \((.*)\) (\S+) (\d+)/.exec(stat);
      // Zombies (state Z) have exited and only wait to be reaped.
      if (match?.[1] === "ssh" && match[2] !== "Z" && Number(match[3]) === process.pid) count++;
    } catch {
      // the process ended while we looked
    }
  }
  return count;
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
    if (condition()) return true;
  }
  return condition();
}

describe.skipIf(dir === undefined || socket === undefined)("ssh:// engine", () => {
  const target = dir ? readFileSync(join(dir, "target"), "utf8").trim() : "";
  const sshOptions = dir
    ? ["-F", "/dev/null", "-i", join(dir, "id_ed25519"), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
       "-o", `UserKnownHostsFile=${join(dir, "known_hosts")}`]
    : [];
  const host = `ssh://${target}${socket}`;
  const client = useClients(() => ({ host, sshOptions }));
  const failure = (options: DockerOptions) => pingFailure(client(options));
  let docker: Docker;
  let daemonVersion: string;

  beforeAll(async () => {
    docker = client();
    daemonVersion = (await engineRequest("/_ping")).headers["api-version"] as string;
  });

  afterAll(async () => {
    const leftovers = await docker.containers.list({ all: true, filters: { label: ["dockhand.test=ssh-e2e"] } });
    await Promise.all(leftovers.map((c) => docker.containers.remove(c.Id!, { force: true })));
  });

  it("pings, negotiates and reads the version of the engine behind ssh", async () => {
    const ping = await docker.system.ping();
    expect(ping.apiVersion).toBe(daemonVersion);
    expect(await docker.apiVersion()).toBe(daemonVersion);
    expect((await docker.system.version()).ApiVersion).toBe(daemonVersion);
  });

  it("runs a container and reads its demultiplexed logs", async () => {
    const { Id } = await docker.containers.create({
      Image: TEST_IMAGE,
      Cmd: ["sh", "-c", "echo out over ssh; echo err over ssh >&2"],
      Labels: label,
    });
    await docker.containers.start(Id);
    expect((await docker.containers.wait(Id)).StatusCode).toBe(0);
    const { stdout, stderr } = await (await docker.containers.logs(Id, { stdout: true, stderr: true })).text();
    expect(stdout).toBe("out over ssh\n");
    expect(stderr).toBe("err over ssh\n");
    await docker.containers.remove(Id);
  });

  it("feeds stdin to an exec through a connection of its own (hijack over dial-stdio)", async () => {
    const { Id: container } = await docker.containers.create({ Image: TEST_IMAGE, Cmd: ["sleep", "60"], Labels: label });
    await docker.containers.start(container);
    const { stdout, stderr, exitCode } = await execWithInput(docker, container, ["sh", "-c", "wc -c; echo bye >&2"], "twelve bytes");
    expect(stdout.trim()).toBe("12");
    expect(stderr).toBe("bye\n");
    expect(exitCode).toBe(0);
    await docker.containers.remove(container, { force: true });
  });

  it(`pools connections: many requests use at most ${SSH_POOL_SIZE} ssh processes, all gone after close()`, async () => {
    const pooled = client();
    const before = sshChildren();
    // One after another: kept-alive connections, not one per call. undici may open a second one
    // when a call follows the previous answer at once (it first checks the idle connection for
    // stray bytes), and drops the one after a HEAD such as the negotiation ping, as dockerd's
    // answer has no keep-alive header: GET calls here.
    // A GET the daemon answers at once (podman's /version takes seconds: it asks conmon and runc).
    const call = () => pooled.images.inspect(TEST_IMAGE);
    for (let i = 0; i < 10; i++) await call();
    expect(sshChildren() - before).toBeGreaterThanOrEqual(1);
    expect(sshChildren() - before).toBeLessThanOrEqual(2);

    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, sshChildren() - before)), 5);
    try {
      const images = await Promise.all(Array.from({ length: 40 }, call));
      expect(new Set(images.map((image) => image.Id)).size).toBe(1);
    } finally {
      clearInterval(watch);
    }
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(SSH_POOL_SIZE);

    await pooled.close();
    // ssh exits on SIGTERM at once, but a loaded machine may take seconds to schedule it.
    expect(await until(() => sshChildren() === before, 20_000)).toBe(true);
  }, 60_000);

  it("follows a Docker CLI context whose host is the ssh URL", async () => {
    const config = tempDir("ssh-context");
    try {
      writeContext(config.dir, "over-ssh", { Host: host });
      const viaContext = client({ host: undefined, context: "over-ssh", configDir: config.dir });
      expect((await viaContext.system.version()).ApiVersion).toBe(daemonVersion);
    } finally {
      config.cleanup();
    }
  });

  it("reports a key the server refuses, with ssh's own words", async () => {
    const err = await failure({ host: `ssh://nobody@${target.split("@")[1]}${socket}` });
    expect(err).toBeInstanceOf(DockerConnectionError);
    expect((err as DockerConnectionError).reason).toBe("permission-denied");
    expect((err as Error).message).toContain("Permission denied");
    expect((err as Error).message).toContain("ssh://nobody@127.0.0.1");
  });

  it("reports a remote engine socket that does not exist", async () => {
    const err = await failure({ host: `ssh://${target}/tmp/dockhand-no-such-engine.sock` });
    expect(err).toBeInstanceOf(DockerConnectionError);
    expect((err as DockerConnectionError).reason).toBe("no-such-socket");
    expect((err as Error).message).toContain("/tmp/dockhand-no-such-engine.sock");
  });

  it("reports a port where no sshd listens", async () => {
    const err = await failure({ host: "ssh://root@127.0.0.1:1" });
    expect(err).toBeInstanceOf(DockerConnectionError);
    expect((err as DockerConnectionError).reason).toBe("refused");
  });

  it("says so when the ssh command is missing", async () => {
    const path = process.env["PATH"];
    process.env["PATH"] = "/nonexistent";
    try {
      const err = await failure({});
      expect(err).toBeInstanceOf(DockerConnectionError);
      expect((err as Error).message).toMatch(/ssh command is not installed/);
    } finally {
      process.env["PATH"] = path;
    }
  });
});
