// exec on a real engine: run with and without stdin, exit codes, options, commands that cannot
// start (which the daemon reports inside the output), hijacked start, and a TTY with resize.
import { afterAll, beforeAll, expect, it } from "vitest";
import { BadRequestError, ConflictError, Docker, DockerStreamError, DockerTimeoutError, InternalServerError } from "../../src/index.js";
import { TEST_IMAGE, describeEngine, engineHost } from "./engine.js";
import { diverges } from "./engines.js";
import { execWithInput } from "./exec-input.js";

describeEngine("exec on a real engine", () => {
  let docker: Docker;
  let id: string;

  beforeAll(async () => {
    docker = new Docker({ host: engineHost() });
    ({ Id: id } = await docker.containers.create({ Image: TEST_IMAGE, Cmd: ["sleep", "600"], Labels: { "dockhand.test": "exec-e2e" } }));
    await docker.containers.start(id);
  });

  afterAll(async () => {
    await docker.containers.remove(id, { force: true });
    await docker.close();
  });

  it("run: stdin reaches the command (wc -c counts it)", async () => {
    expect(await docker.exec.run(id, ["wc", "-c"], { stdin: "hello" })).toEqual({ exitCode: 0, stdout: "5\n", stderr: "" });
    const big = new Uint8Array(1 << 20).fill(0x61);
    expect((await docker.exec.run(id, ["wc", "-c"], { stdin: big })).stdout.trim()).toBe(String(1 << 20));
    async function* lines() {
      for (let i = 0; i < 100; i++) yield new TextEncoder().encode(`line ${i}\n`);
    }
    expect((await docker.exec.run(id, ["wc", "-l"], { stdin: lines() })).stdout.trim()).toBe("100");
  });

  it("run: exit codes and separate stdout/stderr", async () => {
    expect(await docker.exec.run(id, ["sh", "-c", "exit 3"])).toEqual({ exitCode: 3, stdout: "", stderr: "" });
    expect(await docker.exec.run(id, ["sh", "-c", "echo out; echo err >&2; exit 7"])).toEqual({ exitCode: 7, stdout: "out\n", stderr: "err\n" });
    expect((await docker.exec.run(id, ["true"])).exitCode).toBe(0);
  });

  it("run: a command that exits without reading its input still gives its output and code", async () => {
    const input = new Uint8Array(8 << 20).fill(0x41);
    const stderr = diverges("execStdinUnread") ? expect.stringMatching(/^(Error: (read|write) unixpacket .*connection reset by peer\n)?$/) : "";
    expect(await docker.exec.run(id, ["head", "-c", "10"], { stdin: input })).toEqual({ exitCode: 0, stdout: "A".repeat(10), stderr });
    expect((await docker.exec.run(id, ["sh", "-c", "exit 5"], { stdin: input })).exitCode).toBe(5);
  });

  it("run: env, working directory, user and TTY", async () => {
    const { stdout } = await docker.exec.run(id, ["sh", "-c", 'echo "$GREETING|$(pwd)|$(id -u)"'], {
      env: { GREETING: "hello there" },
      workingDir: "/tmp",
      user: "65534",
    });
    expect(stdout).toBe("hello there|/tmp|65534\n");
    const tty = await docker.exec.run(id, ["sh", "-c", "echo out; echo err >&2; test -t 1"], { tty: true });
    expect(tty).toEqual({ exitCode: 0, stdout: "out\r\nerr\r\n", stderr: "" });
  });

  it("run: a command that cannot start rejects with the daemon's message", async () => {
    if (diverges("execStartErrors")) {
      for (const options of [{}, { tty: true }, { stdin: "ignored" }]) {
        const { exitCode, stdout, stderr } = await docker.exec.run(id, ["dockhand-no-such-command"], options);
        expect(exitCode).toBe(127);
        expect(stdout + stderr).toMatch(/executable file not found/);
      }
      const { exitCode, stderr } = await docker.exec.run(id, ["true"], { workingDir: "/dockhand/missing" });
      expect(exitCode).toBe(127);
      expect(stderr).toMatch(/dockhand\/missing/);
      return;
    }
    for (const options of [{}, { tty: true }, { stdin: "ignored" }]) {
      const err = await docker.exec.run(id, ["dockhand-no-such-command"], options).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DockerStreamError);
      expect((err as Error).message).toMatch(/executable file not found/);
      expect((err as Error).message).not.toMatch(/\r|\n/);
    }
    await expect(docker.exec.run(id, ["true"], { workingDir: "/dockhand/missing" })).rejects.toThrow(DockerStreamError);
  });

  it("run: an unknown user is refused, in the stream or up front depending on the engine", async () => {
    const err = await docker.exec.run(id, ["true"], { user: "dockhand-nobody" }).catch((e: unknown) => e);
    // 20.10 reports it inside the output stream; later engines check at create (HTTP 400).
    if (diverges("execUnknownUser")) expect(err).toBeInstanceOf(InternalServerError);
    else expect(err instanceof DockerStreamError || err instanceof BadRequestError).toBe(true);
    expect((err as Error).message).toMatch(/unable to find user dockhand-nobody/);
  });

  it("run: a timeout bounds the whole run", async () => {
    const err = await docker.exec.run(id, ["sleep", "30"], { timeout: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerTimeoutError);
  });

  it("start: a second start of the same exec fails with the daemon's words", async () => {
    const { Id } = await docker.exec.create(id, { Cmd: ["true"], AttachStdout: true });
    await (await docker.exec.start(Id)).text();
    const err = await docker.exec
      .start(Id)
      .then((output) => output.text())
      .catch((e: unknown) => e);
    // Reported inside the output (20.10, 28.x), or as a conflict by engines that check first.
    if (diverges("execRestart")) {
      expect(err).toBeInstanceOf(InternalServerError);
      expect((err as Error).message).toMatch(/can only start created exec sessions/);
      return;
    }
    expect(err instanceof DockerStreamError || err instanceof ConflictError).toBe(true);
    expect((err as Error).message).toMatch(/already run/);
  });

  it("start with stdin: a hijacked session, half-closed for EOF", async () => {
    expect(await execWithInput(docker, id, ["sh", "-c", "cat; echo done >&2"], "ping\n")).toEqual({ stdout: "ping\n", stderr: "done\n", exitCode: 0 });
  });

  it("start with a TTY: raw output, and exec.resize reaches the terminal", async () => {
    const { Id } = await docker.exec.create(id, { Cmd: ["sh"], Tty: true, AttachStdin: true, AttachStdout: true });
    const session = await docker.exec.start(Id, { Tty: true, stdin: true });
    expect(session.output.multiplexed).toBe(false);
    await docker.exec.resize(Id, { h: 40, w: 120 });
    await session.write("stty size; exit\n");
    const { stdout } = await session.output.text();
    expect(stdout).toContain("40 120\r\n");
  });
});
