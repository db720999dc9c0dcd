// FileSync/DiffCopy driven as the daemon drives it: the listing (STAT packets, then an empty
// one), requests answered with DATA chunks and an empty DATA, FIN answered with FIN; the
// directory chosen by dir-name (escaped metadata decoded), and the failures.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Packet_PacketType, PacketSchema } from "../../../generated/buildkit/github.com/tonistiigi/fsutil/types/wire_pb.js";
import { StatSchema } from "../../../generated/buildkit/github.com/tonistiigi/fsutil/types/stat_pb.js";
import { dataPacket, diffCopy, statPacket, type TransferCounter } from "../../../src/session/filesync.js";
import type { WalkEntry } from "../../../src/session/walk.js";
import { GrpcStatus } from "../../../src/session/grpc.js";
import { fakeCall } from "../../support/grpc-call.js";

const { PACKET_STAT, PACKET_REQ, PACKET_DATA, PACKET_FIN, PACKET_ERR } = Packet_PacketType;

let root: string;
const counter = (): TransferCounter => ({ entries: 0, files: 0, bytes: 0 });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "dockhand-filesync-"));
  await writeFile(join(root, "Dockerfile"), "FROM scratch\n");
  await writeFile(join(root, "big.bin"), new Uint8Array(300 * 1024).fill(9));
  await writeFile(join(root, "skip.log"), "no");
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("FileSync/DiffCopy", () => {
  it("lists, sends the requested files in chunks, and answers FIN with FIN", async () => {
    const count = counter();
    const daemon = fakeCall({ "dir-name": ["context"], "exclude-patterns": ["*.log"] });
    const done = diffCopy(new Map([["context", root]]), count)(daemon.call);
    await daemon.until((p) => p.length === 3);
    expect(daemon.sent.map((p) => [p.type, p.stat?.path])).toEqual([
      [PACKET_STAT, "Dockerfile"],
      [PACKET_STAT, "big.bin"],
      [PACKET_STAT, undefined],
    ]);
    // Ask for big.bin (id 1) only, as the daemon does for a changed file.
    daemon.push({ type: PACKET_REQ, ID: 1 });
    await daemon.until((p) => p.some((x) => x.type === PACKET_DATA && x.data.length === 0));
    const data = daemon.sent.filter((p) => p.type === PACKET_DATA);
    expect(data.every((p) => p.ID === 1)).toBe(true);
    expect(data.map((p) => p.data.length)).toEqual([128 * 1024, 128 * 1024, 44 * 1024, 0]);
    daemon.push({ type: PACKET_FIN });
    await daemon.until((p) => p.at(-1)?.type === PACKET_FIN);
    daemon.end();
    await done;
    expect(count).toEqual({ entries: 2, files: 1, bytes: 300 * 1024 });
  });

  it("decodes escaped metadata and refuses a directory it does not serve", async () => {
    const daemon = fakeCall({ "dir-name": ["ctx%C3%A9"], "dir-name-encoded": ["1"] });
    const failure = await diffCopy(new Map([["context", root]]), counter())(daemon.call).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: GrpcStatus.NOT_FOUND, message: 'no access allowed to dir "ctxé"' });
  });

  it("fails on a request for an id that is no file, and on the receiver's error", async () => {
    const first = fakeCall({ "dir-name": ["context"] });
    const bad = diffCopy(new Map([["context", root]]), counter())(first.call);
    first.push({ type: PACKET_REQ, ID: 99 });
    await expect(bad).rejects.toThrow(/invalid file id 99/);

    const second = fakeCall({ "dir-name": ["context"] });
    const refused = diffCopy(new Map([["context", root]]), counter())(second.call);
    second.push({ type: PACKET_ERR, data: new TextEncoder().encode("disk full") });
    await expect(refused).rejects.toThrow(/error from receiver: disk full/);
  });

  it("fails when the daemon ends the call before FIN", async () => {
    const daemon = fakeCall({ "dir-name": ["context"] });
    const cut = diffCopy(new Map([["context", root]]), counter())(daemon.call);
    daemon.end();
    await expect(cut).rejects.toMatchObject({ code: GrpcStatus.CANCELLED });
  });
});

describe("dataPacket", () => {
  it("encodes a DATA packet around bytes read in place exactly as the generated encoder does", () => {
    for (const id of [0, 1, 127, 128, 300_000, 2 ** 32 - 1]) {
      for (const length of [1, 127, 128, 16_383, 16_384, 128 * 1024]) {
        const data = new Uint8Array(length).map((_, i) => i & 0xff);
        const buffer = new Uint8Array(12 + length);
        buffer.set(data, 12);
        const expected = toBinary(PacketSchema, create(PacketSchema, { type: PACKET_DATA, ID: id, data }));
        // Compared as bytes: a deep equality over 128 KiB arrays takes seconds.
        expect(Buffer.compare(dataPacket(buffer, id, length), expected), `ID ${id}, ${length} bytes`).toBe(0);
      }
    }
  });
});

describe("statPacket", () => {
  it("encodes a STAT packet exactly as the generated encoder does, zero fields left out", () => {
    const file: WalkEntry = { path: "d25/f050.bin", mode: 0o644, size: 40_000n, modTime: 1_796_602_319_900_631_123n, linkname: "", devmajor: 0n, devminor: 0n, source: "/x" };
    const entries: WalkEntry[] = [
      file,
      { ...file, path: "dir/é ü", mode: (0x80000000 | 0o755) >>> 0, size: 0n },
      { ...file, path: "link", mode: 0x8000000 | 0o777, linkname: "../target/ü" },
      { ...file, path: "null", mode: 0x4000000 | 0x200000 | 0o666, size: 0n, devmajor: 1n, devminor: 3n },
      // Before the epoch, and the largest sizes an int64 holds.
      { ...file, modTime: -1_000_000_000n, size: 2n ** 63n - 1n },
      { ...file, path: "", mode: 0, size: 0n, modTime: 0n },
    ];
    for (const entry of entries) {
      const { source: _, ...fields } = entry;
      const expected = toBinary(PacketSchema, create(PacketSchema, { type: PACKET_STAT, stat: create(StatSchema, fields) }));
      expect([...statPacket(entry)], entry.path).toEqual([...expected]);
    }
  });
});
