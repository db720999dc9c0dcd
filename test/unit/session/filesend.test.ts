// FileSend/DiffCopy driven as the daemon drives it when a build exports to the client: for a
// local output, the listing (STAT packets, an empty one ending it), one REQ at a time answered with
// DATA, our FIN once everything is on disk, then the daemon's FIN and the end of its side; the
// extraction's refusals (escapes, writes through a symlink) and the sender's mistakes. For a tar
// output, the bytes written to a file and to a stream.
import { lstat, mkdtemp, readFile, readlink, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { create, toBinary } from "@bufbuild/protobuf";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BytesMessageSchema } from "../../../generated/buildkit/github.com/moby/buildkit/session/filesync/filesync_pb.js";
import { Packet_PacketType } from "../../../generated/buildkit/github.com/tonistiigi/fsutil/types/wire_pb.js";
import { exportTarget } from "../../../src/build/outputs.js";
import { ArchiveExtractError } from "../../../src/core/errors.js";
import { FILE_SEND, receiveDirectory, receiveTar } from "../../../src/session/filesend.js";
import { GoMode } from "../../../src/session/gomode.js";
import { GrpcStatus } from "../../../src/session/grpc.js";
import { fakeCall } from "../../support/grpc-call.js";

const { PACKET_STAT, PACKET_REQ, PACKET_DATA, PACKET_FIN, PACKET_ERR } = Packet_PacketType;
const text = (s: string) => new TextEncoder().encode(s);
const MTIME = 981_173_106_000_000_000n; // 2001-02-03T04:05:06Z in nanoseconds

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "dockhand-filesend-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A stat packet's fields. */
function st(path: string, mode: number, extra: { size?: number; linkname?: string } = {}) {
  return { type: PACKET_STAT, stat: { path, mode: mode >>> 0, size: BigInt(extra.size ?? 0), modTime: MTIME, linkname: extra.linkname ?? "" } };
}

describe("FileSend/DiffCopy, local output", () => {
  it("writes the listing as sent, asking for one file at a time, and ends with FIN both ways", async () => {
    const out = join(dir, "out");
    const daemon = fakeCall({}, FILE_SEND);
    let finished = false;
    const done = receiveDirectory(out)(daemon.call).then(() => (finished = true));
    daemon.push(st("d", GoMode.dir | 0o750));
    daemon.push(st("d/a.txt", GoMode.setuid | 0o755, { size: 5 }));
    daemon.push(st("d/h", GoMode.setuid | 0o755, { linkname: "d/a.txt" }));
    daemon.push(st("d/l", GoMode.symlink | 0o777, { linkname: "a.txt" }));
    daemon.push(st("e.bin", 0o600));
    daemon.push(st("p", GoMode.namedPipe | 0o644));
    daemon.push({ type: PACKET_STAT });
    await daemon.until((p) => p.length === 1);
    expect(daemon.sent).toMatchObject([{ type: PACKET_REQ, ID: 1 }]);
    daemon.push({ type: PACKET_DATA, ID: 1, data: text("he") });
    daemon.push({ type: PACKET_DATA, ID: 1, data: text("llo") });
    daemon.push({ type: PACKET_DATA, ID: 1 });
    await daemon.until((p) => p.length === 2);
    expect(daemon.sent[1]).toMatchObject({ type: PACKET_REQ, ID: 4 });
    daemon.push({ type: PACKET_DATA, ID: 4 });
    await daemon.until((p) => p.length === 3);
    expect(daemon.sent[2]).toMatchObject({ type: PACKET_FIN });
    // Everything is on disk before our FIN; the call stays open until the daemon's side ends.
    expect(await readFile(join(out, "d/a.txt"), "utf8")).toBe("hello");
    expect((await stat(join(out, "d/a.txt"))).mode & 0o7777).toBe(0o4755);
    expect((await stat(join(out, "d/a.txt"))).mtime.toISOString()).toBe("2001-02-03T04:05:06.000Z");
    expect((await stat(join(out, "d/h"))).ino).toBe((await stat(join(out, "d/a.txt"))).ino);
    expect(await readlink(join(out, "d/l"))).toBe("a.txt");
    expect((await stat(join(out, "d"))).mode & 0o777).toBe(0o750);
    expect((await readFile(join(out, "e.bin"))).length).toBe(0);
    expect((await lstat(join(out, "p"))).isFIFO()).toBe(true);
    expect(finished).toBe(false);
    daemon.push({ type: PACKET_FIN });
    daemon.end();
    await done;
  });

  it("refuses an entry escaping the directory, and a write through a symlink, writing nothing there", async () => {
    const escaping = fakeCall({}, FILE_SEND);
    const first = receiveDirectory(join(dir, "out"))(escaping.call);
    escaping.push(st("../evil", 0o644, { size: 1 }));
    escaping.push({ type: PACKET_STAT });
    const refused = await first.catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ArchiveExtractError);
    expect(refused).toMatchObject({ reason: "unsafe-entry" });
    await expect(lstat(join(dir, "evil"))).rejects.toThrow(/ENOENT/);

    const through = fakeCall({}, FILE_SEND);
    const second = receiveDirectory(join(dir, "out2"))(through.call);
    through.push(st("s", GoMode.symlink | 0o777, { linkname: dir }));
    through.push(st("s/x", 0o644, { size: 1 }));
    through.push({ type: PACKET_STAT });
    await expect(second).rejects.toMatchObject({ reason: "unsafe-entry", message: expect.stringMatching(/through the symlink "s"/) });
    await expect(lstat(join(dir, "x"))).rejects.toThrow(/ENOENT/);
  });

  it("fails on more bytes than the stat said, on data not asked for, on the sender's error, and on an early end", async () => {
    const long = fakeCall({}, FILE_SEND);
    const tooLong = receiveDirectory(join(dir, "a"))(long.call);
    long.push(st("f", 0o644, { size: 2 }));
    long.push({ type: PACKET_STAT });
    long.push({ type: PACKET_DATA, ID: 0, data: text("abc") });
    await expect(tooLong).rejects.toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, message: "f: more bytes sent than its stat said (2)" });

    const stray = fakeCall({}, FILE_SEND);
    const unasked = receiveDirectory(join(dir, "b"))(stray.call);
    stray.push({ type: PACKET_DATA, ID: 7, data: text("x") });
    await expect(unasked).rejects.toThrow(/data for file id 7, which was not requested/);

    const failing = fakeCall({}, FILE_SEND);
    const senderError = receiveDirectory(join(dir, "c"))(failing.call);
    failing.push({ type: PACKET_ERR, data: text("disk gone") });
    await expect(senderError).rejects.toThrow(/error from sender: disk gone/);

    const cut = fakeCall({}, FILE_SEND);
    const early = receiveDirectory(join(dir, "d"))(cut.call);
    cut.push(st("f", 0o644, { size: 2 }));
    cut.end();
    await expect(early).rejects.toMatchObject({ code: GrpcStatus.CANCELLED });
  });
});

describe("FileSend/DiffCopy, tar output", () => {
  const chunks = ["first ", "second ", "third"];
  const send = (daemon: ReturnType<typeof fakeCall>) => {
    for (const chunk of chunks) daemon.pushRaw(toBinary(BytesMessageSchema, create(BytesMessageSchema, { data: text(chunk) })));
    daemon.end();
  };

  it("writes the bytes to a file, and to a stream it then ends", async () => {
    const daemon = fakeCall({}, FILE_SEND);
    const toFile = receiveTar(join(dir, "out.tar"))(daemon.call);
    send(daemon);
    await toFile;
    expect(await readFile(join(dir, "out.tar"), "utf8")).toBe("first second third");

    const received: string[] = [];
    let ended = false;
    const sink = new Writable({ write: (chunk: Buffer, _enc, cb) => (received.push(chunk.toString()), cb()), final: (cb) => ((ended = true), cb()) });
    const other = fakeCall({}, FILE_SEND);
    const toStream = receiveTar(sink)(other.call);
    send(other);
    await toStream;
    expect(received.join("")).toBe("first second third");
    expect(ended).toBe(true);
  });
});

describe("FileSend/DiffCopy, failures kept for the build's error", () => {
  const local = (dest: string) => exportTarget([{ type: "local", dest }])!;

  it("keeps the local export's ArchiveExtractError: a dest that cannot be created, an entry refused", async () => {
    await writeFile(join(dir, "file"), "not a directory");
    const blocked = local(join(dir, "file", "out"));
    const daemon = fakeCall({}, FILE_SEND);
    const refused = await blocked.handler(daemon.call).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ArchiveExtractError);
    expect(refused).toMatchObject({ reason: "filesystem", written: [], cause: expect.objectContaining({ code: "ENOTDIR" }) });
    expect(blocked.failure()).toBe(refused);

    const escaping = local(join(dir, "out"));
    const other = fakeCall({}, FILE_SEND);
    const done = escaping.handler(other.call);
    other.push(st("ok", GoMode.dir | 0o755));
    other.push(st("../evil", 0o644, { size: 1 }));
    other.push({ type: PACKET_STAT });
    await expect(done).rejects.toBeInstanceOf(ArchiveExtractError);
    expect(escaping.failure()).toMatchObject({ reason: "unsafe-entry", entry: "../evil", written: ["ok"] });
  });

  it("keeps the error writing a tar output: a file that cannot be created, a stream that fails", async () => {
    const tar = (dest: string | Writable) => exportTarget([{ type: "tar", dest }])!;
    const missing = tar(join(dir, "no", "such", "out.tar"));
    const daemon = fakeCall({}, FILE_SEND);
    const done = missing.handler(daemon.call);
    daemon.pushRaw(toBinary(BytesMessageSchema, create(BytesMessageSchema, { data: text("bytes") })));
    await expect(done).rejects.toMatchObject({ code: "ENOENT" });
    expect(missing.failure()).toMatchObject({ code: "ENOENT", path: join(dir, "no", "such", "out.tar") });

    // As a full disk fails a write.
    const full = Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
    const sink = new Writable({ write: (_chunk, _enc, cb) => cb(full) });
    const toStream = tar(sink);
    const other = fakeCall({}, FILE_SEND);
    const failed = toStream.handler(other.call);
    other.pushRaw(toBinary(BytesMessageSchema, create(BytesMessageSchema, { data: text("bytes") })));
    await expect(failed).rejects.toBe(full);
    expect(toStream.failure()).toBe(full);
    expect(sink.destroyed).toBe(true);
  });

  it("keeps nothing when the daemon broke the protocol or cancelled the call: its own error says so", async () => {
    const broken = local(join(dir, "a"));
    const daemon = fakeCall({}, FILE_SEND);
    const done = broken.handler(daemon.call);
    daemon.push({ type: PACKET_ERR, data: text("disk gone") });
    await expect(done).rejects.toThrow(/error from sender: disk gone/);
    expect(broken.failure()).toBeUndefined();

    const sink = new Writable({ write: (_chunk, _enc, cb) => cb() });
    const cancelled = exportTarget([{ type: "tar", dest: sink }])!;
    const other = fakeCall({}, FILE_SEND);
    const receiving = cancelled.handler(other.call);
    // As the server does when the daemon resets the stream: the signal fires and the messages end.
    other.cancel();
    other.end();
    await expect(receiving).rejects.toThrow();
    expect(cancelled.failure()).toBeUndefined();
  });
});
