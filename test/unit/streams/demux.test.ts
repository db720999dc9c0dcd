import { describe, expect, it } from "vitest";
import { DockerAbortError, DockerArgumentError, DockerLimitError, DockerProtocolError, DockerStreamError } from "../../../src/core/errors.js";
import { demux, FrameDecoder, type OutputFrame } from "../../../src/streams/demux.js";
import { collect, concat, cutEvery, frame, source, text } from "./helpers.js";

async function frames(chunks: Uint8Array[], multiplexed = true): Promise<{ stream: string; text: string }[]> {
  const out = [];
  for await (const f of demux(source(chunks).body, { multiplexed })) out.push({ stream: f.stream, text: text(f.data) });
  return out;
}

const sample = concat([frame(1, "hello "), frame(2, "oops"), frame(1, ""), frame(0, "from stdin id"), frame(1, "x".repeat(300))]);
const expected = [
  { stream: "stdout", text: "hello " },
  { stream: "stderr", text: "oops" },
  { stream: "stdout", text: "" },
  { stream: "stdout", text: "from stdin id" },
  { stream: "stdout", text: "x".repeat(300) },
];

describe("demux", () => {
  it("decodes frames cut at every possible chunk size", async () => {
    for (let size = 1; size <= sample.length; size++) {
      expect(await frames(cutEvery(sample, size)), `chunks of ${size}`).toEqual(expected);
    }
  });

  it("decodes thousands of frames in one chunk, yielding views of that chunk", async () => {
    const count = 5000;
    const chunk = concat(Array.from({ length: count }, (_, i) => frame(1 + (i % 2), `line ${i}\n`)));
    let n = 0;
    for await (const f of demux(source([chunk]).body, { multiplexed: true })) {
      expect(f.stream).toBe(n % 2 === 0 ? "stdout" : "stderr");
      expect(text(f.data)).toBe(`line ${n}\n`);
      expect(f.data.buffer).toBe(chunk.buffer);
      n++;
    }
    expect(n).toBe(count);
  });

  it("copies a frame that spans chunks into one new array", async () => {
    const bytes = frame(1, "abcdefghij");
    const chunks = [bytes.slice(0, 10), bytes.slice(10, 13), bytes.slice(13)];
    const [only, ...rest] = await collect(demux(source(chunks).body, { multiplexed: true }));
    expect(rest).toEqual([]);
    expect(text(only!.data)).toBe("abcdefghij");
    expect(chunks.some((c) => c.buffer === only!.data.buffer)).toBe(false);
  });

  it("passes raw (TTY) chunks through as stdout", async () => {
    expect(await frames([new TextEncoder().encode("\u0001not a header"), new Uint8Array(0), new TextEncoder().encode("!")], false)).toEqual([
      { stream: "stdout", text: "\u0001not a header" },
      { stream: "stdout", text: "!" },
    ]);
  });

  it("ends with a DockerStreamError carrying the text of a systemerr frame, after the frames before it", async () => {
    const { body, state } = source([concat([frame(1, "before"), frame(3, "exec failed: no such file\n"), frame(1, "after")])]);
    const seen: string[] = [];
    const err = await (async () => {
      for await (const f of demux(body, { multiplexed: true, facts: { method: "POST", path: "/v1.41/exec/x/start" } })) seen.push(text(f.data));
    })().catch((e: unknown) => e);
    expect(seen).toEqual(["before"]);
    expect(err).toBeInstanceOf(DockerStreamError);
    expect((err as DockerStreamError).message).toBe("exec failed: no such file");
    expect((err as DockerStreamError).path).toBe("/v1.41/exec/x/start");
    expect(state.returns).toBe(1);
  });

  it("rejects unknown stream ids with a DockerProtocolError and closes the source", async () => {
    const { body, state } = source([concat([frame(2, "ok"), frame(9, "??")])]);
    const it = demux(body, { multiplexed: true });
    expect((await it.next()).value).toMatchObject({ stream: "stderr" });
    await expect(it.next()).rejects.toThrow(DockerProtocolError);
    await expect(it.next()).resolves.toEqual({ done: true, value: undefined });
    expect(state.returns).toBe(1);
  });

  it("reports a stream that ends inside a header or a payload as truncated", async () => {
    const bytes = frame(1, "0123456789");
    for (const cut of [3, 8, 12]) {
      const err = await frames([bytes.slice(0, cut)]).catch((e: unknown) => e);
      expect(err, `cut at ${cut}`).toBeInstanceOf(DockerProtocolError);
      expect(String((err as Error).message)).toMatch(/truncated/);
    }
  });

  it("hands a frame declaring more than maxFrame out in pieces as they arrive, never holding it", async () => {
    const decoder = new FrameDecoder({ multiplexed: true });
    const before = process.memoryUsage().arrayBuffers;
    decoder.write(frame(2, new Uint8Array(1024).fill(7), 0xffff_fff0));
    const first = decoder.read();
    expect(first).toMatchObject({ stream: "stderr" });
    expect(first!.data).toEqual(new Uint8Array(1024).fill(7));
    expect(decoder.read()).toBeUndefined();
    let passed = first!.data.length;
    for (let i = 0; i < 16; i++) {
      const chunk = new Uint8Array(64 * 1024);
      decoder.write(chunk);
      const piece = decoder.read();
      // A view of the chunk, not a copy.
      expect(piece!.data.buffer).toBe(chunk.buffer);
      passed += piece!.data.length;
      expect(decoder.read()).toBeUndefined();
    }
    expect(passed).toBe(1024 + 16 * 64 * 1024);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 << 20);
    expect(() => decoder.end()).toThrow(/truncated: 1049600 of 4294967280 payload bytes/);
  });

  it("still joins a frame up to maxFrame that spans chunks, and goes back to whole frames after a large one", () => {
    const decoder = new FrameDecoder({ multiplexed: true, maxFrame: 8 });
    const small = frame(1, "abcdefgh");
    const large = frame(1, "0123456789");
    const bytes = new Uint8Array([...small, ...large, ...frame(2, "xy")]);
    const got: string[] = [];
    for (const cut of [[0, 12], [12, 26], [26, bytes.length]]) {
      decoder.write(bytes.subarray(cut[0], cut[1]));
      for (let f; (f = decoder.read()); ) got.push(`${f.stream}:${new TextDecoder().decode(f.data)}`);
    }
    decoder.end();
    expect(got).toEqual(["stdout:abcdefgh", "stdout:01", "stdout:23456789", "stderr:xy"]);
  });

  it("refuses an error frame declaring more than maxFrame (DockerLimitError), before reading it", () => {
    const decoder = new FrameDecoder({ multiplexed: true, maxFrame: 1024, facts: { method: "GET", path: "/v1.47/containers/x/logs" } });
    decoder.write(frame(3, "no such", 0xffff_0000));
    let error: unknown;
    try {
      decoder.read();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DockerLimitError);
    expect(error).toMatchObject({ limit: "outputFrame", maximum: 1024, size: 0xffff_0000, path: "/v1.47/containers/x/logs" });
  });

  it("calls return() on the source when the consumer breaks", async () => {
    const { body, state } = source(cutEvery(sample, 5));
    for await (const f of demux(body, { multiplexed: true })) {
      expect(f.stream).toBe("stdout");
      break;
    }
    expect(state.returns).toBe(1);
  });

  it("does not call return() after the source ended by itself", async () => {
    const { body, state } = source([sample]);
    await collect(demux(body, { multiplexed: true }));
    expect(state.returns).toBe(0);
  });

  it("propagates the source's error unchanged, after the frames before it", async () => {
    const failure = new DockerAbortError("GET /containers/x/logs was aborted");
    const { body, state } = source([frame(1, "a")], failure);
    const seen: OutputFrame[] = [];
    const err = await (async () => {
      for await (const f of demux(body, { multiplexed: true })) seen.push(f);
    })().catch((e: unknown) => e);
    expect(seen).toHaveLength(1);
    expect(err).toBe(failure);
    expect(state.returns).toBe(0);
  });

  it("serves overlapping next() calls in order", async () => {
    const it = demux(source(cutEvery(sample, 3)).body, { multiplexed: true });
    const results = await Promise.all(Array.from({ length: expected.length + 1 }, () => it.next()));
    expect(results.map((r) => (r.done ? "done" : text(r.value.data)))).toEqual([...expected.map((e) => e.text), "done"]);
  });

  it("refuses a new chunk before the previous one was read", () => {
    const decoder = new FrameDecoder({ multiplexed: true });
    decoder.write(frame(1, "x"));
    expect(() => decoder.write(frame(1, "y"))).toThrow(DockerArgumentError);
  });
});
