// Container output on a real engine: logs (separated, ordered, raw under a TTY, following until
// exit or abort), attach with and without stdin, a TTY session with resize, and the websocket.
import { getEventListeners } from "node:events";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Docker, DockerAbortError, DockerTimeoutError, type ContainerCreateParams } from "../../src/index.js";
import { TEST_IMAGE, describeEngine, engineHost } from "./engine.js";
import { diverges, why } from "./engines.js";

const LABEL = { "dockhand.test": "streams-e2e" };
const decoder = new TextDecoder();

describeEngine("streams on a real engine", () => {
  let docker: Docker;

  beforeAll(() => {
    docker = new Docker({ host: engineHost() });
  });

  afterAll(async () => {
    const leftovers = await docker.containers.list({ all: true, filters: { label: ["dockhand.test=streams-e2e"] } });
    await Promise.all(leftovers.map((c) => docker.containers.remove(c.Id!, { force: true })));
    await docker.close();
  });

  async function container(params: Omit<ContainerCreateParams, "Image">, start = true): Promise<string> {
    const { Id } = await docker.containers.create({ Image: TEST_IMAGE, Labels: LABEL, ...params });
    if (start) await docker.containers.start(Id);
    return Id;
  }

  it("logs: stdout and stderr come back separated and in order", async () => {
    const script = "for i in 1 2 3; do echo out$i; sleep 0.05; echo err$i >&2; sleep 0.05; done";
    const id = await container({ Cmd: ["sh", "-c", script] });
    await docker.containers.wait(id);
    const logs = await docker.containers.logs(id, { stdout: true, stderr: true });
    expect(logs.multiplexed).toBe(true);
    const frames: string[] = [];
    for await (const { stream, data } of logs) frames.push(`${stream}:${decoder.decode(data)}`);
    expect(frames.join("")).toBe("stdout:out1\nstderr:err1\nstdout:out2\nstderr:err2\nstdout:out3\nstderr:err3\n");
    expect(await (await docker.containers.logs(id, { stdout: true, stderr: true, tail: "2" })).text()).toEqual({ stdout: "out3\n", stderr: "err3\n" });
    expect(await (await docker.containers.logs(id, { stderr: true })).text()).toEqual({ stdout: "", stderr: "err1\nerr2\nerr3\n" });
  });

  it("logs: a TTY container's output comes back raw", async () => {
    const id = await container({ Cmd: ["sh", "-c", "echo one; echo two >&2"], Tty: true });
    await docker.containers.wait(id);
    const logs = await docker.containers.logs(id, { stdout: true, stderr: true });
    expect(logs.multiplexed).toBe(false);
    expect(await logs.text()).toEqual({ stdout: "one\r\ntwo\r\n", stderr: "" });
  });

  it("logs: timestamps prefix each line", async () => {
    const id = await container({ Cmd: ["echo", "stamped"] });
    await docker.containers.wait(id);
    const { stdout } = await (await docker.containers.logs(id, { stdout: true, timestamps: true })).text();
    const fraction = diverges("logTimestamps") ? "" : "\\.\\d+";
    expect(stdout).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d${fraction}Z stamped\\n$`));
  });

  it("logs: follow streams until the container exits", async () => {
    const id = await container({ Cmd: ["sh", "-c", "echo first; sleep 1; echo second"] });
    const started = Date.now();
    const logs = await docker.containers.logs(id, { stdout: true, follow: true });
    expect(await logs.text()).toEqual({ stdout: "first\nsecond\n", stderr: "" });
    expect(Date.now() - started).toBeGreaterThan(500);
    expect((await docker.containers.inspect(id)).State?.Running).toBe(false);
  });

  it("logs: follow ends when the signal aborts, and lets go of the signal", async () => {
    const id = await container({ Cmd: ["sh", "-c", "echo alive; sleep 60"] });
    const controller = new AbortController();
    const logs = await docker.containers.logs(id, { stdout: true, follow: true }, { signal: controller.signal });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const { data } of logs) {
        seen.push(decoder.decode(data));
        controller.abort();
      }
    })();
    await expect(reading).rejects.toBeInstanceOf(DockerAbortError);
    expect(seen).toEqual(["alive\n"]);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("logs: a call's own timeout ends a followed stream with DockerTimeoutError; the client's default does not", async () => {
    const id = await container({ Cmd: ["sh", "-c", "echo alive; sleep 60"] });
    const seen: string[] = [];
    const failure = await (async () => {
      const logs = await docker.containers.logs(id, { stdout: true, follow: true }, { timeout: 3000 });
      for await (const { data } of logs) seen.push(decoder.decode(data));
    })().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(DockerTimeoutError);
    expect(failure).toMatchObject({ timeout: 3000 });
    expect(seen.join("")).toBe("alive\n");

    // A default bounds the wait for the answer only: the stream lives on past it.
    const withDefault = new Docker({ host: engineHost(), timeout: 2000 });
    try {
      const controller = new AbortController();
      const followed = await withDefault.containers.logs(id, { stdout: true, follow: true }, { signal: controller.signal });
      const reading = followed.text().catch((err: unknown) => err);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      controller.abort();
      expect(await reading).toBeInstanceOf(DockerAbortError);
    } finally {
      await withDefault.close();
    }
  });

  it("logs: breaking out of a follow stream returns at once", async () => {
    const id = await container({ Cmd: ["sh", "-c", "echo tick; sleep 60"] });
    const started = Date.now();
    for await (const { data } of await docker.containers.logs(id, { stdout: true, follow: true })) {
      expect(decoder.decode(data)).toBe("tick\n");
      break;
    }
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("attach without stdin streams the output of a container started afterwards", async () => {
    const id = await container({ Cmd: ["sh", "-c", "echo hi; echo oops >&2"] }, false);
    const output = await docker.containers.attach(id);
    await docker.containers.start(id);
    expect(await output.text()).toEqual({ stdout: "hi\n", stderr: "oops\n" });
  });

  it("attach with stdin: written input reaches the process, end() is its EOF", async () => {
    const id = await container({ Cmd: ["sh", "-c", "cat; echo eof >&2"], OpenStdin: true, StdinOnce: true, AttachStdin: true }, false);
    const session = await docker.containers.attach(id, { stdin: true });
    await docker.containers.start(id);
    await session.write("hello ");
    await session.write(new TextEncoder().encode("world\n"));
    await session.end();
    expect(await session.output.text()).toEqual({ stdout: "hello world\n", stderr: "eof\n" });
    expect((await docker.containers.wait(id)).StatusCode).toBe(0);
  });

  it("attach with stdin under a TTY: raw output, and resize reaches the terminal", async () => {
    const id = await container({ Cmd: ["sh"], Tty: true, OpenStdin: true, StdinOnce: true }, true);
    await docker.containers.resize(id, { h: 33, w: 101 });
    const session = await docker.containers.attach(id, { stdin: true });
    expect(session.output.multiplexed).toBe(false);
    await session.write("stty size; exit 4\n");
    const { stdout, stderr } = await session.output.text();
    expect(stderr).toBe("");
    expect(stdout).toContain("33 101\r\n");
    expect((await docker.containers.wait(id)).StatusCode).toBe(4);
  });

  it.skipIf(diverges("websocketAttach"))(`attachWebsocket: what is sent to cat comes back${why("websocketAttach")}`, async () => {
    const id = await container({ Cmd: ["cat"], OpenStdin: true });
    const ws = await docker.containers.attachWebsocket(id);
    await ws.send("hi\n");
    let echoed = "";
    for await (const chunk of ws) {
      echoed += decoder.decode(chunk);
      if (echoed.endsWith("\n")) break;
    }
    expect(echoed).toBe("hi\n");
  });

  it.skipIf(diverges("websocketAttach"))(`attachWebsocket: the stream ends with a close frame when the container stops${why("websocketAttach")}`, async () => {
    const id = await container({ Cmd: ["sh", "-c", "read line; echo got $line; sleep 60"], OpenStdin: true });
    const ws = await docker.containers.attachWebsocket(id, { stdin: true, stdout: true, stream: true });
    await ws.send(new TextEncoder().encode("bytes\n"));
    let output = "";
    for await (const chunk of ws) {
      output += decoder.decode(chunk);
      if (output.includes("got bytes\n")) void docker.containers.kill(id);
    }
    expect(output).toBe("got bytes\n");
    expect(ws.closeStatus?.code).toBe(1000);
  });
});
