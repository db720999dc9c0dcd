import { create, toBinary } from "@bufbuild/protobuf";
import { base64Encode } from "@bufbuild/protobuf/wire";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  StatusResponseSchema,
  type StatusResponse,
} from "../../../generated/buildkit/github.com/moby/buildkit/api/services/control/control_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { BuildStream } from "../../../src/build/stream.js";
import { BuildTrace } from "../../../src/build/trace.js";
import { BuildError, DockerProtocolError, type BuildEvent } from "../../../src/index.js";

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/buildkit");
const FACTS = { method: "POST", path: "/v1.51/build", apiVersion: "1.51" };

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === "string" ? new TextEncoder().encode(part) : part;
}

/** A recorded answer, cut into small chunks the way a socket may deliver it. */
async function recorded(name: string): Promise<AsyncIterable<Uint8Array>> {
  const bytes = await readFile(path.join(FIXTURES, name));
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 97) parts.push(bytes.subarray(i, i + 97));
  return chunks(...parts);
}

/** One trace line for a synthetic StatusResponse. */
function trace(status: MessageInitShape<typeof StatusResponseSchema>): string {
  const message: StatusResponse = create(StatusResponseSchema, status);
  return `${JSON.stringify({ id: "moby.buildkit.trace", aux: base64Encode(toBinary(StatusResponseSchema, message)) })}\r\n`;
}

/** The stream images.build hands out for a BuildKit (`buildkit`) or classic build's answer. */
async function openBuildStream(source: AsyncIterable<Uint8Array>, facts: typeof FACTS, buildkit: boolean): Promise<BuildStream> {
  return new BuildStream(source, facts, buildkit ? { trace: new BuildTrace() } : {});
}

async function eventsOf(source: AsyncIterable<Uint8Array>): Promise<BuildEvent[]> {
  const build = await openBuildStream(source, FACTS, true);
  const events: BuildEvent[] = [];
  for await (const event of build.events()) events.push(event);
  return events;
}

const at = (ms: number) => timestampFromDate(new Date(ms));

describe("BuildKit trace decoding (recorded on dockerd 28.5 and 20.10)", () => {
  it("reports cached steps, a step that ran with its stdout and stderr, warnings, statuses and the image id", async () => {
    const build = await openBuildStream(await recorded("dockerd-28.5-cached-and-run.jsonl"), FACTS, true);
    const events: BuildEvent[] = [];
    for await (const event of build.events()) events.push(event);

    const cached = events.filter((e) => e.type === "vertex-cached").map((e) => e.name);
    expect(cached).toEqual(["[2/4] COPY hello.txt /hello.txt", "[3/4] RUN echo cached-step > /cached"]);

    const run = events.filter((e) => "name" in e && e.name.startsWith("[4/4] RUN"));
    expect(run.map((e) => e.type)).toEqual(["vertex-started", "log", "log", "vertex-completed"]);
    const logs = run.filter((e) => e.type === "log");
    expect(logs.map((e) => [e.stream, e.text])).toEqual([
      ["stderr", "to stderr\n"],
      ["stdout", "out: hello from the context\nuncached-1796583631\n"],
    ]);
    const started = run[0]!;
    const completed = run[3]!;
    expect(started.type === "vertex-started" && completed.type === "vertex-completed" && completed.completed > started.started).toBe(true);
    // One number per step, in order of appearance, shared by all its events.
    expect(new Set(run.map((e) => ("index" in e ? e.index : 0))).size).toBe(1);
    const indexes = [...new Set(events.map((e) => ("index" in e ? e.index : 0)))];
    expect(indexes).toEqual(indexes.map((_, i) => i + 1));

    const warning = events.find((e) => e.type === "warning");
    expect(warning).toMatchObject({
      level: 1,
      message: "FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)",
      detail: ["The 'as' keyword should match the case of the 'from' keyword"],
      url: expect.stringContaining("from-as-casing"),
    });

    const statuses = events.filter((e) => e.type === "status");
    expect(statuses.map((e) => e.id)).toContain("exporting layers");
    expect(statuses.every((e) => e.name === "exporting to image" && e.total === undefined)).toBe(true);
    expect(statuses.at(-1)).toMatchObject({ id: "naming to docker.io/library/dockhand-fixture:ok", completed: expect.any(Date) });

    expect(await build.imageId()).toBe(await idIn("dockerd-28.5-cached-and-run.jsonl"));
  });

  it("a step BuildKit runs twice reports two starts, and a vertex announced before it starts reports nothing yet", async () => {
    const events = await eventsOf(await recorded("dockerd-28.5-cached-and-run.jsonl"));
    const context = events.filter((e) => "name" in e && e.name === "[internal] load remote build context");
    expect(context.map((e) => e.type)).toEqual(["vertex-started", "vertex-completed", "vertex-started", "vertex-completed"]);
    expect(context[0]!.type === "vertex-started" && context[0]!.index).toBe(1);
  });

  for (const [engine, daemonText] of [
    ["28.5", 'process "/bin/sh -c echo first line; echo second line >&2; echo third line; exit 3" did not complete successfully: exit code: 3'],
    ["20.10", "executor failed running [/bin/sh -c echo first line; echo second line >&2; echo third line; exit 3]: exit code: 3"],
  ] as const) {
    it(`a failed RUN (dockerd ${engine}) rejects with BuildError naming the step and carrying its output`, async () => {
      const step = "[2/2] RUN echo first line; echo second line >&2; echo third line; exit 3";
      const events: BuildEvent[] = [];
      const build = await openBuildStream(await recorded(`dockerd-${engine}-failed-run.jsonl`), FACTS, true);
      const error = await (async () => {
        for await (const event of build.events()) events.push(event);
      })().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(BuildError);
      const failed = error as BuildError;
      expect(failed.step).toBe(step);
      expect(failed.message).toBe(`${step}: ${daemonText}`);
      expect(failed.output.split("\n").sort()).toEqual(["", "first line", "second line", "third line"]);
      expect(failed.path).toBe("/v1.51/build");
      expect(events.find((e) => e.type === "vertex-error")).toMatchObject({ name: step, error: daemonText });
      expect(events.some((e) => e.type === "vertex-cached" && e.name === "[1/2] FROM docker.io/library/busybox:local")).toBe(true);

      // imageId() and raw iteration fail the same way.
      const again = await openBuildStream(await recorded(`dockerd-${engine}-failed-run.jsonl`), FACTS, true);
      await expect(again.imageId()).rejects.toMatchObject({ name: "BuildError", step, output: failed.output });
    });
  }

  it("raw iteration still hands out every message, trace ones included", async () => {
    const build = await openBuildStream(await recorded("dockerd-28.5-cached-and-run.jsonl"), FACTS, true);
    const ids = (await build.collect()).map((m) => m.id);
    expect(ids.filter((id) => id === "moby.buildkit.trace")).toHaveLength(19);
    expect(ids.at(-1)).toBe("moby.image.id");
  });
});

async function idIn(name: string): Promise<string> {
  const lines = (await readFile(path.join(FIXTURES, name), "utf8")).trim().split("\n");
  return (JSON.parse(lines.at(-1)!) as { aux: { ID: string } }).aux.ID;
}

describe("BuildKit trace decoding (synthetic traces)", () => {
  it("status current/total as numbers, total undefined when zero", async () => {
    const events = await eventsOf(
      chunks(
        trace({ vertexes: [{ digest: "sha256:a", name: "[internal] load build context", started: at(1000) }] }),
        trace({ statuses: [{ ID: "transferring context", vertex: "sha256:a", current: 1500n, total: 3000n, started: at(1000) }] }),
        trace({ statuses: [{ ID: "transferring context", vertex: "sha256:a", current: 42n, started: at(1000), completed: at(2000) }] }),
      ),
    );
    expect(events.slice(1)).toMatchObject([
      { type: "status", id: "transferring context", name: "[internal] load build context", index: 1, current: 1500, total: 3000, completed: undefined },
      { type: "status", current: 42, total: undefined, completed: new Date(2000) },
    ]);
  });

  it("keeps a UTF-8 character split across log chunks whole, per stream", async () => {
    const euro = new TextEncoder().encode("€\n");
    const events = await eventsOf(
      chunks(
        trace({ logs: [{ vertex: "sha256:a", stream: 1n, msg: euro.subarray(0, 1), timestamp: at(5) }] }),
        trace({ logs: [{ vertex: "sha256:a", stream: 2n, msg: new TextEncoder().encode("err\n") }] }),
        trace({ logs: [{ vertex: "sha256:a", stream: 1n, msg: euro.subarray(1) }] }),
      ),
    );
    expect(events.map((e) => e.type === "log" && [e.stream, e.text])).toEqual([
      ["stdout", ""],
      ["stderr", "err\n"],
      ["stdout", "€\n"],
    ]);
    expect(events[0]).toMatchObject({ time: new Date(5) });
  });

  it("names the step that failed, not a sibling cancelled because of it", async () => {
    const build = await openBuildStream(
      chunks(
        trace({ vertexes: [{ digest: "sha256:a", name: "[a 2/2] RUN make", started: at(1) }, { digest: "sha256:b", name: "[b 2/2] RUN sleep 9", started: at(1) }] }),
        trace({ logs: [{ vertex: "sha256:a", stream: 2n, msg: new TextEncoder().encode("make: *** no rule\n") }] }),
        trace({ vertexes: [{ digest: "sha256:a", name: "[a 2/2] RUN make", started: at(1), completed: at(2), error: "exit code: 2" }] }),
        trace({ vertexes: [{ digest: "sha256:b", name: "[b 2/2] RUN sleep 9", started: at(1), completed: at(2), error: "context canceled" }] }),
        `${JSON.stringify({ errorDetail: { message: "exit code: 2" }, error: "exit code: 2" })}\n`,
      ),
      FACTS,
      true,
    );
    await expect(build.imageId()).rejects.toMatchObject({ name: "BuildError", step: "[a 2/2] RUN make", output: "make: *** no rule\n", message: "[a 2/2] RUN make: exit code: 2" });
  });

  it("a failure outside any step is a BuildError without a step", async () => {
    const build = await openBuildStream(chunks(`${JSON.stringify({ errorDetail: { message: "failed to read dockerfile" } })}\n`), FACTS, true);
    const error = await build.imageId().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect(error).toMatchObject({ step: undefined, message: "failed to read dockerfile", output: "" });
  });

  it("a build whose export failed on the client is a BuildError caused by that failure, whatever way it is read", async () => {
    const exported = new Error("no space left on device");
    const failing = () =>
      chunks(
        trace({ vertexes: [{ digest: "sha256:e", name: "exporting to client tarball", started: at(1), completed: at(2), error: "rpc error: code = Unknown desc = no space left on device" }] }),
        `${JSON.stringify({ errorDetail: { message: "rpc error: code = Unknown desc = no space left on device" } })}\n`,
      );
    const read = new BuildStream(failing(), FACTS, { trace: new BuildTrace(), exportFailure: () => exported });
    const error = await read.done().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect(error).toMatchObject({ step: "exporting to client tarball", cause: exported });
    const iterated = new BuildStream(failing(), FACTS, { trace: new BuildTrace(), exportFailure: () => exported });
    const events = iterated.events();
    await expect((async () => { for await (const _ of events); })()).rejects.toMatchObject({ name: "BuildError", cause: exported });
    // A build that failed for its own reasons has no cause.
    const own = new BuildStream(failing(), FACTS, { trace: new BuildTrace(), exportFailure: () => undefined });
    expect(await own.done().catch((e: unknown) => (e as Error).cause)).toBeUndefined();
  });

  it("a trace message that is not base64 protobuf is a DockerProtocolError", async () => {
    const build = await openBuildStream(chunks(`${JSON.stringify({ id: "moby.buildkit.trace", aux: "////" })}\n`), FACTS, true);
    await expect(build.imageId()).rejects.toBeInstanceOf(DockerProtocolError);
    const noPayload = await openBuildStream(chunks(`${JSON.stringify({ id: "moby.buildkit.trace", aux: { ID: 1 } })}\n`), FACTS, true);
    await expect(noPayload.imageId()).rejects.toThrow("has no base64 payload");
  });

  it("classic builds report their text as output events; imageId() after events() gives the id", async () => {
    const build = await openBuildStream(
      chunks('{"stream":"Step 1/1 : FROM busybox\\n"}\n', '{"stream":" ---> abc\\n"}\n', '{"aux":{"ID":"sha256:abc"}}\n'),
      FACTS,
      false,
    );
    const events: BuildEvent[] = [];
    for await (const event of build.events()) events.push(event);
    expect(events).toEqual([
      { type: "output", text: "Step 1/1 : FROM busybox\n" },
      { type: "output", text: " ---> abc\n" },
    ]);
    expect(await build.imageId()).toBe("sha256:abc");
  });

  it("events() is one read: a second one, or imageId() after a partial one, fails loudly", async () => {
    const build = await openBuildStream(chunks('{"stream":"a"}\n', '{"stream":"b"}\n', '{"aux":{"ID":"sha256:abc"}}\n'), FACTS, false);
    const events = build.events();
    expect(() => build.events()).toThrow("already consumed (by events())");
    await events.next();
    await events.return?.();
    await expect(build.imageId()).rejects.toThrow("already consumed");
  });
});
