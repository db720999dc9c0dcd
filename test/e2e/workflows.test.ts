// Everyday workflows against a real engine: docker.run, waitHealthy, waitFor, removeByLabel,
// system.prune. Every object made here carries a per-run label and is removed at the end.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  ContainerExitedError,
  ContainerUnhealthyError,
  Docker,
  DockerTimeoutError,
  NotFoundError,
} from "../../src/index.js";
import { describeEngine, engineHost, TEST_IMAGE } from "./engine.js";
import { diverges, why } from "./engines.js";

const RUN = `e2e-workflows-${randomUUID().slice(0, 8)}`;
const LABELS = { "dockhand.e2e": RUN };

describeEngine("workflows", () => {
  let docker: Docker;
  beforeAll(() => {
    docker = new Docker({ host: engineHost() });
  });
  afterAll(async () => {
    await docker.removeByLabel(LABELS);
    await docker.close();
  });

  /** Starts a labelled container in the background. */
  async function start(cmd: string[], extra: Record<string, unknown> = {}): Promise<string> {
    const { Id } = await docker.containers.create({ Image: TEST_IMAGE, Cmd: cmd, Labels: LABELS, ...extra });
    await docker.containers.start(Id);
    return Id;
  }

  it("docker.run returns exit code and output, and removes the container", async () => {
    const result = await docker.run(TEST_IMAGE, ["sh", "-c", "echo out; echo err >&2; exit 3"], { labels: LABELS, pull: "never" });
    expect(result).toMatchObject({ exitCode: 3, stdout: "out\n", stderr: "err\n" });
    await expect(docker.containers.inspect(result.containerId)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("docker.run feeds stdin, sets env and working dir, and keeps output of a fast exit", async () => {
    const result = await docker.run(TEST_IMAGE, ["sh", "-c", 'printf "%s:" "$GREETING"; pwd; wc -c'], {
      stdin: "twelve bytes",
      env: { GREETING: "hi" },
      workingDir: "/tmp",
      labels: LABELS,
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: "hi:/tmp\n12\n" });
  });

  it("docker.run with a TTY gets everything as stdout", async () => {
    const result = await docker.run(TEST_IMAGE, ["sh", "-c", "echo a; echo b >&2"], { tty: true, labels: LABELS });
    expect(result.stdout.replace(/\r/g, "")).toBe("a\nb\n");
    expect(result.stderr).toBe("");
  });

  it("docker.run kills and removes the container on timeout", async () => {
    const error = await docker.run(TEST_IMAGE, ["sleep", "60"], { timeout: 1_500, labels: LABELS, name: `${RUN}-timeout` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerTimeoutError);
    await expect(docker.containers.inspect(`${RUN}-timeout`)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("docker.run reports a command that cannot start, and leaves nothing behind", async () => {
    await expect(docker.run(TEST_IMAGE, ["/no/such/binary"], { labels: LABELS, name: `${RUN}-nostart` })).rejects.toThrow(/no\/such\/binary/);
    await expect(docker.containers.inspect(`${RUN}-nostart`)).rejects.toBeInstanceOf(NotFoundError);
  });

  it.skipIf(diverges("healthchecks"))(`waitHealthy follows the health check to healthy${why("healthchecks")}`, async () => {
    const id = await start(["sh", "-c", "sleep 1; touch /tmp/ready; sleep 60"], {
      Healthcheck: { Test: ["CMD", "test", "-f", "/tmp/ready"], Interval: 200e6, Retries: 50 },
    });
    const info = await docker.containers.waitHealthy(id, { timeout: 20_000, interval: 100 });
    expect(info.State?.Health?.Status).toBe("healthy");
  });

  it.skipIf(diverges("healthchecks"))(`waitHealthy rejects with ContainerUnhealthyError and the check's output${why("healthchecks")}`, async () => {
    const id = await start(["sleep", "60"], {
      Healthcheck: { Test: ["CMD-SHELL", "echo not today; exit 1"], Interval: 200e6, Retries: 2 },
    });
    const error = (await docker.containers.waitHealthy(id, { timeout: 20_000, interval: 100 }).catch((e: unknown) => e)) as ContainerUnhealthyError;
    expect(error).toBeInstanceOf(ContainerUnhealthyError);
    expect(error.log.at(-1)).toMatchObject({ ExitCode: 1, Output: "not today\n" });
  });

  it("waitFor finds a line, and reports an exit without it", async () => {
    const id = await start(["sh", "-c", "echo booting; sleep 1; echo 'listening on :8080' >&2; sleep 60"]);
    const found = await docker.containers.waitFor(id, { log: /listening on :(\d+)/, timeout: 20_000 });
    expect(found).toMatchObject({ line: "listening on :8080", stream: "stderr" });
    expect(found.match[1]).toBe("8080");

    const quitter = await start(["sh", "-c", "echo bye; exit 5"]);
    const error = (await docker.containers.waitFor(quitter, { log: "ready", timeout: 20_000 }).catch((e: unknown) => e)) as ContainerExitedError;
    expect(error).toBeInstanceOf(ContainerExitedError);
    expect(error).toMatchObject({ exitCode: 5, output: "bye" });
  });

  it("removeByLabel removes containers, networks and volumes of this run only", async () => {
    const label = { ...LABELS, "dockhand.e2e.cleanup": "1" };
    const { Id: container } = await docker.containers.create({ Image: TEST_IMAGE, Cmd: ["sleep", "60"], Labels: label });
    await docker.containers.start(container);
    const { Id: network } = await docker.networks.create({ Name: `${RUN}-net`, Labels: label });
    await docker.volumes.create({ Name: `${RUN}-vol`, Labels: label });
    const report = await docker.removeByLabel({ "dockhand.e2e.cleanup": "1", "dockhand.e2e": RUN });
    expect(report).toEqual({ containers: [container], networks: [network], volumes: [`${RUN}-vol`], images: [], failures: [] });
  });

  it("system.prune with a label only prunes what carries it", async () => {
    const { Id: stopped } = await docker.containers.create({ Image: TEST_IMAGE, Cmd: ["true"], Labels: LABELS });
    const { Id: other } = await docker.containers.create({ Image: TEST_IMAGE, Cmd: ["true"], Labels: { "dockhand.e2e": `${RUN}-other` } });
    try {
      const result = await docker.system.prune({ label: LABELS });
      expect(result.containers).toContain(stopped);
      expect(result.containers).not.toContain(other);
      expect(typeof result.spaceReclaimed).toBe("number");
    } finally {
      await docker.containers.remove(other, { force: true });
    }
  });
});
