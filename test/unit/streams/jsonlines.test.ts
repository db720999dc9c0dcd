import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { BuildError, DockerAbortError, DockerError, DockerProtocolError, DockerStreamError } from "../../../src/core/errors.js";
import { JsonStream } from "../../../src/streams/jsonlines.js";
import { buildErrorCheck, daemonErrorCheck } from "../../../src/streams/message-errors.js";
import { collect, cutEvery, source } from "./helpers.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("JsonStream", () => {
  it("parses \\n and \\r\\n lines split across chunks at every size, skipping blank lines", async () => {
    const body = utf8('{"a":1}\r\n\r\n{"b":"ü€😀"}\n  \n{"c":[1,2]}\r\n{"d":null}');
    for (let size = 1; size <= body.length; size++) {
      expect(await collect(new JsonStream(source(cutEvery(body, size)).body)), `chunks of ${size}`).toEqual([
        { a: 1 },
        { b: "ü€😀" },
        { c: [1, 2] },
        { d: null },
      ]);
    }
  });

  it("fails on invalid JSON with a DockerProtocolError quoting the (shortened) line, after the lines before it", async () => {
    const bad = `{"status":"${"x".repeat(500)}`;
    const { body, state } = source([utf8(`{"ok":true}\n${bad}\n{"never":1}\n`)]);
    const seen: unknown[] = [];
    const err = await (async () => {
      for await (const m of new JsonStream(body, { facts: { method: "POST", path: "/v1.41/images/create" } })) seen.push(m);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([{ ok: true }]);
    expect(err).toBeInstanceOf(DockerProtocolError);
    const message = (err as Error).message;
    expect(message).toContain('{"status":"xxx');
    expect(message).toContain("(511 characters)");
    expect(message.length).toBeLessThan(300);
    expect((err as Error).cause).toBeInstanceOf(SyntaxError);
    expect((err as DockerProtocolError).path).toBe("/v1.41/images/create");
    expect(state.returns).toBe(1);
  });

  it("rejects JSON lines that are not objects", async () => {
    await expect(collect(new JsonStream(source([utf8('{"a":1}\nnull\n')]).body))).rejects.toThrow(/not an object: null/);
    await expect(collect(new JsonStream(source([utf8("42\n")]).body))).rejects.toThrow(DockerProtocolError);
  });

  it("parses a last line without a newline", async () => {
    expect(await collect(new JsonStream(source([utf8('{"a":1}\n{"b":'), utf8("2}")]).body))).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it("parses a 100 MB line arriving in 64 KiB chunks in linear time", async () => {
    const size = 100 << 20;
    const line = new Uint8Array(size + 20).fill(0x61);
    line.set(utf8('{"stream":"'), 0);
    line.set(utf8('"}\r\n{"b":1}\n'), size + 8);
    const start = performance.now();
    const [big, small] = await collect(new JsonStream<{ stream?: string; b?: number }>(source(cutEvery(line, 64 << 10)).body));
    const seconds = (performance.now() - start) / 1000;
    expect(big?.stream?.length).toBe(size - 3);
    expect(small).toEqual({ b: 1 });
    // Quadratic rescanning would take minutes here; linear work takes well under a second.
    expect(seconds).toBeLessThan(10);
  }, 60_000);

  it("turns error messages into a DockerStreamError with the daemon's message and code", async () => {
    const lines = [
      { status: "Pulling from library/nope", id: "latest" },
      { errorDetail: { message: "manifest unknown", code: 404 }, error: "manifest unknown (legacy)" },
      { status: "never" },
    ];
    const { body, state } = source([utf8(lines.map((l) => JSON.stringify(l)).join("\r\n"))]);
    const facts = { method: "POST", path: "/v1.41/images/create" };
    const stream = new JsonStream(body, { facts, check: daemonErrorCheck(facts) });
    const seen: unknown[] = [];
    const err = await stream.done((m) => seen.push(m)).catch((e: unknown) => e);
    expect(seen).toEqual([lines[0]]);
    expect(err).toBeInstanceOf(DockerStreamError);
    expect(err).toMatchObject({ message: "manifest unknown", code: 404, path: "/v1.41/images/create" });
    expect(state.returns).toBe(1);
  });

  it("uses `error` when there is no errorDetail", () => {
    expect(() => daemonErrorCheck()({ error: "toomanyrequests: rate limit" })).toThrow(
      expect.objectContaining({ message: "toomanyrequests: rate limit", code: undefined }),
    );
    expect(() => daemonErrorCheck()({ error: "" })).not.toThrow();
  });

  it("ends a failed build with a BuildError holding the output (buildErrorCheck)", async () => {
    const lines = [
      { stream: "Step 1/2 : FROM busybox\n" },
      { stream: "Step 2/2 : RUN exit 3\n" },
      { errorDetail: { code: 3, message: "The command '/bin/sh -c exit 3' returned a non-zero code: 3" }, error: "x" },
    ];
    const err = await new JsonStream(source([utf8(lines.map((l) => `${JSON.stringify(l)}\n`).join(""))]).body, { check: buildErrorCheck() })
      .done()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect(err).toMatchObject({ code: 3, output: "Step 1/2 : FROM busybox\nStep 2/2 : RUN exit 3\n" });
    expect((err as Error).message).toMatch(/returned a non-zero code: 3/);
  });

  it("done() resolves with the last message, collect() with all of them", async () => {
    const body = () => source([utf8('{"n":1}\n{"n":2}\n{"n":3}\n')]).body;
    expect(await new JsonStream(body()).done()).toEqual({ n: 3 });
    expect(await new JsonStream(body()).collect()).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(await new JsonStream(source([]).body).done()).toBeUndefined();
  });

  it("done() closes the source and rejects when onMessage throws", async () => {
    const { body, state } = source([utf8('{"n":1}\n'), utf8('{"n":2}\n')]);
    await expect(
      new JsonStream(body).done(() => {
        throw new Error("stop");
      }),
    ).rejects.toThrow("stop");
    expect(state.returns).toBe(1);
  });

  it("can be read once", async () => {
    const stream = new JsonStream(source([utf8("{}\n")]).body);
    await stream.collect();
    await expect(stream.done()).rejects.toThrow(DockerError);
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/already consumed \(by collect\(\)\)/);
  });

  it("calls return() on the source when the consumer breaks", async () => {
    const { body, state } = source([utf8('{"n":1}\n{"n":2}\n'), utf8('{"n":3}\n')]);
    for await (const message of new JsonStream<{ n: number }>(body)) {
      expect(message.n).toBe(1);
      break;
    }
    expect(state.returns).toBe(1);
  });

  it("propagates the source's error unchanged", async () => {
    const failure = new DockerAbortError("aborted");
    const { body } = source([utf8('{"n":1}\n')], failure);
    const seen: unknown[] = [];
    await expect(new JsonStream(body).done((m) => seen.push(m))).rejects.toBe(failure);
    expect(seen).toEqual([{ n: 1 }]);
  });

  it("reads Node Readables and WHATWG ReadableStreams", async () => {
    const chunks = cutEvery(utf8('{"a":1}\r\n{"b":2}\r\n'), 4);
    expect(await new JsonStream(Readable.from(chunks.map((c) => Buffer.from(c)))).collect()).toEqual([{ a: 1 }, { b: 2 }]);
    const web = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(c);
        controller.close();
      },
    });
    expect(await new JsonStream(web as unknown as AsyncIterable<Uint8Array>).collect()).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it("close() destroys a Node Readable that was never read", async () => {
    const readable = Readable.from([Buffer.from("{}\n")]);
    await new JsonStream(readable).close();
    expect(readable.destroyed).toBe(true);
  });
});
