// gRPC framing: length-prefixed messages split and joined across chunks, refusals of what the
// session cannot read, grpc-message escaping, and metadata that keeps repeated keys apart.
import { describe, expect, it } from "vitest";
import { encodeStatusMessage, frame, GrpcError, GrpcStatus, messages, metadataOf } from "../../../src/session/grpc.js";

async function collect(chunks: Uint8Array[], limit?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const message of messages((async function* () { yield* chunks; })(), limit)) out.push(Buffer.from(message).toString());
  return out;
}

describe("gRPC framing", () => {
  it("prefixes a message with a zero flag and its big-endian length", () => {
    expect([...frame(Buffer.from("abc"))]).toEqual([0, 0, 0, 0, 3, 0x61, 0x62, 0x63]);
    expect([...frame(new Uint8Array(0))]).toEqual([0, 0, 0, 0, 0]);
  });

  it("frames several messages in one buffer, one after the other", () => {
    const one = [frame(Buffer.from("one")), frame(new Uint8Array(0)), frame(Buffer.from("three"))];
    expect(frame(Buffer.from("one"), new Uint8Array(0), Buffer.from("three"))).toEqual(new Uint8Array(Buffer.concat(one)));
  });

  it("splits messages however the chunks cut them", async () => {
    const wire = frame(Buffer.from("one"), new Uint8Array(0), Buffer.from("three"));
    expect(await collect([wire])).toEqual(["one", "", "three"]);
    // Byte by byte: every cut, in the prefix and in the payload.
    expect(await collect([...wire].map((b) => Uint8Array.of(b)))).toEqual(["one", "", "three"]);
  });

  it("refuses compressed, oversized and truncated messages with a gRPC status", async () => {
    const compressed = Uint8Array.of(1, 0, 0, 0, 1, 0x61);
    await expect(collect([compressed])).rejects.toMatchObject({ code: GrpcStatus.UNIMPLEMENTED });
    await expect(collect([frame(new Uint8Array(11))], 10)).rejects.toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED });
    await expect(collect([frame(Buffer.from("abc")).subarray(0, 6)])).rejects.toBeInstanceOf(GrpcError);
  });

  it("percent-encodes grpc-message outside printable ASCII, and % itself", () => {
    expect(encodeStatusMessage("plain text: ok")).toBe("plain text: ok");
    expect(encodeStatusMessage("100% déjà\n")).toBe("100%25 d%C3%A9j%C3%A0%0A");
  });

  it("reads metadata from raw headers, keeping repeated keys apart and leaving out protocol headers", () => {
    const raw = [":path", "/x", "content-type", "application/grpc", "te", "trailers", "grpc-timeout", "1S",
      "Dir-Name", "context", "exclude-patterns", "a,b", "exclude-patterns", "c"];
    expect([...metadataOf(raw)]).toEqual([["dir-name", ["context"]], ["exclude-patterns", ["a,b", "c"]]]);
  });
});
