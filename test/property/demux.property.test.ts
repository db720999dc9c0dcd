import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DockerProtocolError } from "../../src/core/errors.js";
import { demux, FrameDecoder } from "../../src/streams/demux.js";
import { OutputStream } from "../../src/streams/output-stream.js";
import { collect, concat, cutAt, frame, source } from "../unit/streams/helpers.js";

const streamOf = (id: number) => (id === 2 ? "stderr" : "stdout");

/** Frames with the ids the daemon uses for output (0 = stdin is read as stdout) and any bytes. */
const frames = fc.array(fc.record({ id: fc.constantFrom(0, 1, 2), payload: fc.uint8Array({ maxLength: 300 }) }), { maxLength: 40 });
/** Cut points as fractions of the body, so they land anywhere in it. */
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 });
const cutBody = (body: Uint8Array, fractions: number[]) => cutAt(body, fractions.map((f) => Math.floor(f * body.length)));

describe("demux properties", () => {
  it("random frame sequences cut at random boundaries demux to exactly the frames written", async () => {
    await fc.assert(
      fc.asyncProperty(frames, cuts, async (written, fractions) => {
        const body = concat(written.map((f) => frame(f.id, f.payload)));
        const read = await collect(demux(source(cutBody(body, fractions)).body, { multiplexed: true }));
        expect(read.map((f) => ({ stream: f.stream, data: [...f.data] }))).toEqual(
          written.map((f) => ({ stream: streamOf(f.id), data: [...f.payload] })),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("text() equals one decode of each stream's bytes, however the bytes (valid UTF-8 or not) are framed and cut", async () => {
    const utf8ish = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.string({ unit: "binary", maxLength: 20 }).map((s) => new TextEncoder().encode(s)));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ id: fc.constantFrom(1, 2), payload: utf8ish }), { maxLength: 300 }), cuts, async (written, fractions) => {
        const body = concat(written.map((f) => frame(f.id, f.payload)));
        const expected = (id: number) => new TextDecoder().decode(concat(written.filter((f) => f.id === id).map((f) => f.payload)));
        const output = new OutputStream(source(cutBody(body, fractions)).body, { multiplexed: true });
        expect(await output.text()).toEqual({ stdout: expected(1), stderr: expected(2) });
      }),
      { numRuns: 100 },
    );
  });

  it("demuxes 1,000,000 one-byte frames in a single chunk without overflowing the stack", async () => {
    const count = 1_000_000;
    const body = new Uint8Array(count * 9);
    for (let i = 0, at = 0; i < count; i++, at += 9) {
      body[at] = 1 + (i % 2);
      body[at + 7] = 1;
      body[at + 8] = 0x30 + (i % 10);
    }
    let frameCount = 0;
    let checksum = 0;
    for await (const f of demux(source([body]).body, { multiplexed: true })) {
      frameCount++;
      checksum += f.data[0]! - 0x30;
    }
    expect(frameCount).toBe(count);
    expect(checksum).toBe(4.5 * count);
    const { stdout, stderr } = await new OutputStream(source([body]).body, { multiplexed: true }).text();
    expect(stdout.length + stderr.length).toBe(count);
  });

  it("never holds a huge declared frame: its pieces pass on as they arrive", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1 << 24, max: 0xffff_ffff }), fc.array(fc.integer({ min: 1, max: 64 << 10 }), { maxLength: 8 }), (size, pieces) => {
        const decoder = new FrameDecoder({ multiplexed: true });
        const before = process.memoryUsage().arrayBuffers;
        decoder.write(frame(1, new Uint8Array(0), size));
        expect(decoder.read()).toBeUndefined();
        let received = 0;
        for (const length of pieces) {
          decoder.write(new Uint8Array(length));
          received += length;
          expect(decoder.read()?.data.length).toBe(length);
          expect(decoder.read()).toBeUndefined();
        }
        // Nothing is held beyond the chunk at hand, whatever the declared size.
        expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 << 20);
        expect(() => decoder.end()).toThrow(received > 0 ? `truncated: ${received} of ${size} payload bytes` : /truncated/);
      }),
      { numRuns: 50 },
    );
  });

  it("unknown stream ids fail with a DockerProtocolError after the frames before them, closing the source", async () => {
    await fc.assert(
      fc.asyncProperty(frames, fc.integer({ min: 4, max: 255 }), frames, cuts, async (before, badId, after, fractions) => {
        const body = concat([...before.map((f) => frame(f.id, f.payload)), frame(badId, "?"), ...after.map((f) => frame(f.id, f.payload))]);
        const { body: chunks, state } = source(cutBody(body, fractions));
        let delivered = 0;
        const err = await (async () => {
          for await (const _ of demux(chunks, { multiplexed: true })) delivered++;
        })().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DockerProtocolError);
        expect((err as Error).message).toContain(`Unknown stream id ${badId}`);
        expect(delivered).toBe(before.length);
        expect(state.returns).toBe(1);
      }),
      { numRuns: 200 },
    );
  });
});
