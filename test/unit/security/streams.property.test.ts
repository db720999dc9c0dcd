// Adversarial input to the stream decoders, beyond what test/property covers (random framing of
// valid output, huge declared sizes, unknown ids): arbitrary bytes, zero-size frames, error frames
// of invalid UTF-8, hostile JSON lines, and lines of 100 MB. Whatever a daemon (or something
// posing as one) sends, the decoders deliver data or fail with a dockhand error — never a raw
// RangeError/TypeError/SyntaxError, never a hang, never memory out of proportion to the input.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DockerError, DockerProtocolError, DockerStreamError } from "../../../src/core/errors.js";
import { demux } from "../../../src/streams/demux.js";
import { JsonStream } from "../../../src/streams/jsonlines.js";
import { OutputStream } from "../../../src/streams/output-stream.js";
import { collect, concat, cutAt, cutEvery, frame, source } from "../streams/helpers.js";

const cuts = fc.array(fc.nat(), { maxLength: 30 });

/** Drains `items`, returning how many arrived and the error it ended with, if any. */
async function drain(items: AsyncIterable<unknown>): Promise<{ count: number; error: unknown }> {
  let count = 0;
  try {
    for await (const _ of items) count++;
  } catch (error) {
    return { count, error };
  }
  return { count, error: undefined };
}

describe("demux under adversarial input", () => {
  it("arbitrary bytes either decode or fail with a dockhand error, closing the source", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), cuts, async (bytes, offsets) => {
        const chunks = cutAt(bytes, offsets);
        const { body, state } = source(chunks);
        const { error } = await drain(demux(body, { multiplexed: true }));
        if (error !== undefined) {
          expect(error).toBeInstanceOf(DockerError);
          expect([DockerProtocolError, DockerStreamError].some((Class) => error instanceof Class)).toBe(true);
        }
        // Whatever happened, the source was read to its end or closed.
        const readToEnd = state.pulls > chunks.length;
        expect(readToEnd || state.returns === 1).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("zero-size frames anywhere change nothing about the data", async () => {
    const payloads = fc.array(fc.record({ id: fc.constantFrom(1, 2), data: fc.uint8Array({ maxLength: 50 }) }), { maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(payloads, cuts, async (frames, offsets) => {
        const body = concat(frames.map((f) => frame(f.id, f.data)));
        const read = await collect(demux(source(cutAt(body, offsets)).body, { multiplexed: true }));
        expect(read).toHaveLength(frames.length);
        expect(read.map((f) => [...f.data])).toEqual(frames.map((f) => [...f.data]));
        const text = await new OutputStream(source(cutAt(body, offsets)).body, { multiplexed: true }).text();
        const decode = (id: number) => new TextDecoder().decode(concat(frames.filter((f) => f.id === id).map((f) => f.data)));
        expect(text).toEqual({ stdout: decode(1), stderr: decode(2) });
      }),
      { numRuns: 300 },
    );
    // An endless run of empty frames in one chunk: decoded in a loop, not by recursion.
    const empties = concat(Array.from({ length: 200_000 }, () => frame(1, new Uint8Array(0))));
    expect(await collect(demux(source([empties]).body, { multiplexed: true }))).toHaveLength(200_000);
  });

  it("an error frame of invalid UTF-8 is a DockerStreamError with replacement characters", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }), cuts, async (payload, offsets) => {
        const body = concat([frame(1, "before"), frame(3, payload), frame(1, "never read")]);
        const { count, error } = await drain(demux(source(cutAt(body, offsets)).body, { multiplexed: true }));
        expect(count).toBe(1);
        expect(error).toBeInstanceOf(DockerStreamError);
        expect(typeof (error as Error).message).toBe("string");
      }),
      { numRuns: 200 },
    );
  });

  it("a frame claiming 4 GiB that is followed by 64 MiB of data holds only what arrived", async () => {
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    async function* body() {
      yield frame(1, new Uint8Array(0), 0xffff_ffff);
      for (let i = 0; i < 64; i++) {
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
        yield new Uint8Array(1 << 20);
      }
    }
    const { error } = await drain(demux(body(), { multiplexed: true }));
    expect(error).toBeInstanceOf(DockerProtocolError);
    expect((error as Error).message).toContain(`truncated: ${64 << 20} of ${0xffff_ffff} payload bytes`);
    // The pieces that arrived are kept as they are (no copy, no buffer of the declared size).
    expect(peak).toBeLessThan(96 << 20);
  });
});

describe("JSON lines under adversarial input", () => {
  const hostileLine = fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.string({ unit: "binary", maxLength: 100 }).map((s) => new TextEncoder().encode(s)),
    fc.constantFrom(
      "null", "[]", "1e999", "-0", '"just a string"', "{}", '{"__proto__":{"polluted":true}}', '{"a":1}garbage', "\u0000{}",
      "{".repeat(10_000), "[".repeat(100_000) + "]".repeat(100_000), '{"id":"' + "\\ud800".repeat(50) + '"}',
    ).map((s) => new TextEncoder().encode(s)),
  );

  it("any sequence of hostile lines yields objects or a DockerProtocolError, never a raw error", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileLine, { maxLength: 10 }), fc.constantFrom("\n", "\r\n"), cuts, async (lines, ending, offsets) => {
        const body = concat(lines.flatMap((l) => [l, new TextEncoder().encode(ending)]));
        const { body: chunks, state } = source(cutAt(body, offsets));
        const got: unknown[] = [];
        let error: unknown;
        try {
          for await (const message of new JsonStream(chunks)) got.push(message);
        } catch (e) {
          error = e;
        }
        for (const message of got) expect(typeof message === "object" && message !== null && !Array.isArray(message)).toBe(true);
        if (error !== undefined) {
          expect(error).toBeInstanceOf(DockerProtocolError);
          // Quoted, but bounded: a hostile line cannot blow up the error message.
          expect((error as Error).message.length).toBeLessThan(400);
          expect(state.returns).toBeLessThanOrEqual(1);
        }
        // Parsing never pollutes prototypes.
        expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });

  it("a 100 MB line in one chunk parses; a 100 MB line cut short fails with a short message", async () => {
    const big = `{"blob":"${"x".repeat(100 * 2 ** 20)}"}`;
    const bytes = new TextEncoder().encode(`${big}\n`);
    const [message] = await collect(new JsonStream<{ blob: string }>(source([bytes]).body));
    expect(message?.blob.length).toBe(100 * 2 ** 20);

    const truncated = bytes.subarray(0, bytes.length - 10);
    const { error } = await drain(new JsonStream(source(cutEvery(truncated, 1 << 20)).body));
    expect(error).toBeInstanceOf(DockerProtocolError);
    expect((error as Error).message.length).toBeLessThan(400);
    expect((error as Error).message).toContain(`${truncated.length} characters`);
  });
});
