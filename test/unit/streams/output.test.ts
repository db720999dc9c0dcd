import { Readable, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { DockerError, DockerStreamError } from "../../../src/core/errors.js";
import { OutputStream } from "../../../src/streams/output-stream.js";
import { collect, concat, cutEvery, frame, source, text } from "./helpers.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

/** A writable that takes `delay` ms per write and signals backpressure after every write. */
function slowSink(delay = 1): { sink: Writable; chunks: string[]; maxBuffered: number } {
  const state = { sink: undefined as unknown as Writable, chunks: [] as string[], maxBuffered: 0 };
  state.sink = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, callback) {
      state.maxBuffered = Math.max(state.maxBuffered, state.sink.writableLength);
      state.chunks.push(chunk.toString());
      setTimeout(callback, delay);
    },
  });
  return state;
}

describe("OutputStream", () => {
  it("iterates frames", async () => {
    const output = new OutputStream(source([concat([frame(1, "a"), frame(2, "b")])]).body, { multiplexed: true });
    const seen = [];
    for await (const { stream, data } of output) seen.push(`${stream}:${text(data)}`);
    expect(seen).toEqual(["stdout:a", "stderr:b"]);
    expect(output.multiplexed).toBe(true);
  });

  it("can be read once: a second read throws a clear error", async () => {
    const output = new OutputStream(source([frame(1, "a")]).body, { multiplexed: true });
    await output.text();
    expect(() => output[Symbol.asyncIterator]()).toThrow(DockerError);
    await expect(output.text()).rejects.toThrow(/already consumed \(by text\(\)\)/);
    expect(() => output.toWeb()).toThrow(/already consumed/);
  });

  describe("text()", () => {
    it("decodes UTF-8 split across frames and chunks", async () => {
      const smile = utf8("h€llo 😀 wörld");
      const bytes = concat([frame(1, smile.slice(0, 2)), frame(2, utf8("é")), frame(1, smile.slice(2, 9)), frame(1, smile.slice(9))]);
      for (let size = 1; size <= bytes.length; size += 3) {
        const output = new OutputStream(source(cutEvery(bytes, size)).body, { multiplexed: true });
        expect(await output.text()).toEqual({ stdout: "h€llo 😀 wörld", stderr: "é" });
      }
    });

    it("turns invalid UTF-8 into U+FFFD and keeps going", async () => {
      const output = new OutputStream(source([frame(1, new Uint8Array([0x61, 0xff, 0x62, 0xe2, 0x82]))]).body, { multiplexed: true });
      expect(await output.text()).toEqual({ stdout: "a\uFFFDb\uFFFD", stderr: "" });
    });

    it("decodes raw TTY output as stdout", async () => {
      const output = new OutputStream(source([utf8("$ ls\r\n"), utf8("bin\r\n")]).body, { multiplexed: false });
      expect(await output.text()).toEqual({ stdout: "$ ls\r\nbin\r\n", stderr: "" });
    });

    it("decodes many small frames in batches without mixing streams", async () => {
      const parts = Array.from({ length: 3000 }, (_, i) => frame(1 + (i % 3 === 0 ? 1 : 0), `${i},`));
      const { stdout, stderr } = await new OutputStream(source(cutEvery(concat(parts), 4096)).body, { multiplexed: true }).text();
      const all = Array.from({ length: 3000 }, (_, i) => i);
      expect(stdout).toBe(all.filter((i) => i % 3 !== 0).map((i) => `${i},`).join(""));
      expect(stderr).toBe(all.filter((i) => i % 3 === 0).map((i) => `${i},`).join(""));
    });

    it("rejects with the daemon's error frame", async () => {
      const output = new OutputStream(source([concat([frame(1, "x"), frame(3, "boom")])]).body, { multiplexed: true });
      await expect(output.text()).rejects.toThrow(DockerStreamError);
    });
  });

  describe("demux()", () => {
    it("copies each stream to its writable, respecting backpressure", async () => {
      const out = slowSink();
      const err = slowSink();
      const parts = Array.from({ length: 60 }, (_, i) => frame(i % 4 === 0 ? 2 : 1, `${i};`));
      const { body } = source(cutEvery(concat(parts), 7));
      await new OutputStream(body, { multiplexed: true }).demux({ stdout: out.sink, stderr: err.sink });
      expect(out.chunks.join("")).toBe(parts.map((_, i) => (i % 4 === 0 ? "" : `${i};`)).join(""));
      expect(err.chunks.join("")).toBe(parts.map((_, i) => (i % 4 === 0 ? `${i};` : "")).join(""));
      // Backpressure honoured: we waited for 'drain' instead of piling writes up.
      expect(out.maxBuffered).toBeLessThanOrEqual(8);
      expect(out.sink.writableEnded).toBe(false);
    });

    it("writes a run of one stream's frames at once, and flushes before waiting for more input", async () => {
      const writes: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          writes.push(chunk.toString());
          callback();
        },
      });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      async function* live() {
        yield concat([frame(1, "a"), frame(1, "b"), frame(2, "E"), frame(1, "c")]);
        await gate;
        yield frame(1, "d");
      }
      const piping = new OutputStream(live(), { multiplexed: true }).demux({ stdout: sink, stderr: sink });
      await new Promise((r) => setTimeout(r, 10));
      // Everything received so far is out while the source is silent.
      expect(writes).toEqual(["ab", "E", "c"]);
      release();
      await piping;
      expect(writes).toEqual(["ab", "E", "c", "d"]);
    });

    it("drops a stream without a target and can end the targets", async () => {
      const out = slowSink(0);
      await new OutputStream(source([concat([frame(1, "keep"), frame(2, "drop")])]).body, { multiplexed: true }).demux(
        { stdout: out.sink },
        { end: true },
      );
      expect(out.chunks).toEqual(["keep"]);
      expect(out.sink.writableFinished).toBe(true);
    });

    it("rejects and closes the source when a target fails", async () => {
      const failing = new Writable({
        write(_chunk, _encoding, callback) {
          callback(new Error("disk full"));
        },
      });
      const { body, state } = source(Array.from({ length: 50 }, (_, i) => frame(1, `${i}`)));
      await expect(new OutputStream(body, { multiplexed: true }).demux({ stdout: failing })).rejects.toThrow("disk full");
      expect(state.returns).toBe(1);
    });
  });

  describe("toWeb()", () => {
    it("streams frames, pulling only on demand", async () => {
      const { body, state } = source([frame(1, "a"), frame(2, "b"), frame(1, "c")]);
      const web = new OutputStream(body, { multiplexed: true }).toWeb();
      await new Promise((r) => setTimeout(r, 5));
      expect(state.pulls).toBe(0);
      const seen = [];
      for await (const f of web) seen.push(`${f.stream}:${text(f.data)}`);
      expect(seen).toEqual(["stdout:a", "stderr:b", "stdout:c"]);
    });

    it("streams one stream's bytes, or both interleaved", async () => {
      const bytes = () => source([concat([frame(1, "a"), frame(2, "B"), frame(1, ""), frame(1, "c")])]).body;
      const read = async (stream: ReadableStream<Uint8Array>) => text(concat(await collect(stream as unknown as AsyncIterable<Uint8Array>)));
      expect(await read(new OutputStream(bytes(), { multiplexed: true }).toWeb("stdout"))).toBe("ac");
      expect(await read(new OutputStream(bytes(), { multiplexed: true }).toWeb("stderr"))).toBe("B");
      expect(await read(new OutputStream(bytes(), { multiplexed: true }).toWeb("all"))).toBe("aBc");
    });

    it("closes the source when the web stream is cancelled", async () => {
      const { body, state } = source([frame(1, "a"), frame(1, "b")]);
      const reader = new OutputStream(body, { multiplexed: true }).toWeb().getReader();
      expect((await reader.read()).value?.stream).toBe("stdout");
      await reader.cancel();
      expect(state.returns).toBe(1);
    });

    it("errors the web stream with the decoding error", async () => {
      const web = new OutputStream(source([frame(7, "x")]).body, { multiplexed: true }).toWeb();
      await expect(web.getReader().read()).rejects.toThrow(/Unknown stream id 7/);
    });
  });

  describe("close()", () => {
    it("closes an iterated source", async () => {
      const { body, state } = source([frame(1, "a"), frame(1, "b")]);
      const output = new OutputStream(body, { multiplexed: true });
      const iterator = output[Symbol.asyncIterator]();
      await iterator.next();
      await output.close();
      expect(state.returns).toBe(1);
      expect(await iterator.next()).toEqual({ done: true, value: undefined });
    });

    it("destroys a Node Readable that was never read", async () => {
      const readable = Readable.from([Buffer.from(frame(1, "a"))]);
      await new OutputStream(readable, { multiplexed: true }).close();
      expect(readable.destroyed).toBe(true);
    });

    it("cancels a WHATWG ReadableStream that was never read", async () => {
      let cancelled = false;
      const web = new ReadableStream<Uint8Array>({
        cancel() {
          cancelled = true;
        },
      });
      await new OutputStream(web as unknown as AsyncIterable<Uint8Array>, { multiplexed: true }).close();
      expect(cancelled).toBe(true);
    });

    it("ends a for-await loop waiting on a source that closes on return()", async () => {
      const readable = new Readable({ read() {} });
      readable.push(Buffer.from(frame(1, "first")));
      const output = new OutputStream(readable, { multiplexed: true });
      const seen: string[] = [];
      const loop = (async () => {
        for await (const f of output) seen.push(text(f.data));
      })();
      await new Promise((r) => setTimeout(r, 10));
      readable.destroy();
      await output.close();
      await loop;
      expect(seen).toEqual(["first"]);
    });
  });

  it("reads a WHATWG ReadableStream source (Bun's fetch body)", async () => {
    const chunks = cutEvery(concat([frame(1, "web "), frame(2, "stream")]), 5);
    const web = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(c);
        controller.close();
      },
    });
    expect(await new OutputStream(web as unknown as AsyncIterable<Uint8Array>, { multiplexed: true }).text()).toEqual({
      stdout: "web ",
      stderr: "stream",
    });
  });
});
