// One meaning of `timeout`: a call's own bounds the whole call — a followed stream read to its
// end, a hijacked connection until it closes — while the client's default bounds each call only
// until the daemon's answer head, so a long stream is never cut by a default. (No timing
// assertions: the class and the timeout named in it say which bound ended the call.)
import { describe, expect, it } from "vitest";
import { DockerAbortError, DockerTimeoutError, type Docker } from "../../../src/index.js";
import { useMockDaemon } from "../../support/mock-daemon.js";

const mock = useMockDaemon({ apiVersion: "1.47" });

async function sleeper(docker: Docker): Promise<string> {
  const { Id } = await docker.containers.create({ Image: "busybox:latest", Cmd: ["sleep", "600"], OpenStdin: true });
  await docker.containers.start(Id);
  return Id;
}

const failureOf = (work: Promise<unknown>) => work.then(() => expect.fail("expected the call to fail"), (err: unknown) => err);

describe("a call's own timeout bounds the whole call", () => {
  it("a followed logs stream that stays quiet ends with DockerTimeoutError", async () => {
    const docker = mock.client();
    const id = await sleeper(docker);
    const logs = await docker.containers.logs(id, { stdout: true, follow: true }, { timeout: 300 });
    const err = await failureOf(logs.text());
    expect(err).toBeInstanceOf(DockerTimeoutError);
    expect(err).toMatchObject({ timeout: 300, method: "GET" });
    expect((err as Error).message).toMatch(/\/containers\/\w+\/logs timed out after 300 ms/);
  });

  it("an events (JSON-lines) stream ends with DockerTimeoutError", async () => {
    const events = await mock.client().system.events(undefined, { timeout: 300 });
    expect(await failureOf(events.collect())).toBeInstanceOf(DockerTimeoutError);
  });

  it("a hijacked attach ends with DockerTimeoutError on read and on write", async () => {
    const docker = mock.client();
    const id = await sleeper(docker);
    const session = await docker.containers.attach(id, { stdin: true }, { timeout: 300, tty: false });
    const err = await failureOf(session.output.text());
    expect(err).toBeInstanceOf(DockerTimeoutError);
    expect(err).toMatchObject({ timeout: 300 });
    expect(await failureOf(session.write("late\n"))).toBeInstanceOf(DockerTimeoutError);
  });

  it("a stream read to its end within the timeout is not cut, and leaves no timer behind", async () => {
    const docker = mock.client();
    const { Id } = await docker.containers.create({ Image: "busybox:latest", Cmd: ["echo", "bye"] });
    await docker.containers.start(Id);
    await docker.containers.wait(Id);
    const logs = await docker.containers.logs(Id, { stdout: true, follow: true }, { timeout: 60_000 });
    expect(await logs.text()).toEqual({ stdout: "bye\n", stderr: "" });
  });
});

// Long enough for the setup calls on a loaded machine; the waits below outlast it twice over.
const DEFAULT_TIMEOUT = 1500;

describe("the client's default timeout ends when the answer's head arrives", () => {
  it("a followed stream outlives it (here ended by the caller's signal)", async () => {
    const docker = mock.client({ timeout: DEFAULT_TIMEOUT });
    const id = await sleeper(docker);
    const controller = new AbortController();
    const logs = await docker.containers.logs(id, { stdout: true, follow: true }, { signal: controller.signal });
    const reading = failureOf(logs.text());
    await new Promise((r) => setTimeout(r, DEFAULT_TIMEOUT * 2));
    controller.abort(new Error("enough"));
    expect(await reading).toBeInstanceOf(DockerAbortError);
  });

  it("a hijacked connection outlives it", async () => {
    const docker = mock.client({ timeout: DEFAULT_TIMEOUT });
    const id = await sleeper(docker);
    const session = await docker.containers.attach(id, { stdin: true }, { tty: false });
    await new Promise((r) => setTimeout(r, DEFAULT_TIMEOUT * 2));
    await session.write("still here\n");
    await session.close();
  });
});
