/**
 * `moby.filesync.v1.FileSend/DiffCopy`, where a build's result comes back to the client
 * (`outputs`): here the daemon sends and we receive. For a `tar` output the daemon streams the
 * archive as BytesMessages, written out as they come. For a `local` output it speaks fsutil's
 * protocol: STAT packets in walk order (an empty one ends the listing), we REQuest each regular
 * file's content and it answers with DATA packets (an empty one ends the file), then our FIN is
 * answered with FIN. The packets become a tar stream unpacked by build/extract.ts, so a local
 * export gets `copyFromContainer`'s guarantees: nothing lands outside `dest` or is written
 * through a symlink, a directory and a file never replace each other, hard links stay inside.
 */
import type { Writable } from "node:stream";
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { BytesMessageSchema } from "../../generated/buildkit/github.com/moby/buildkit/session/filesync/filesync_pb.js";
import type { Stat } from "../../generated/buildkit/github.com/tonistiigi/fsutil/types/stat_pb.js";
import { Packet_PacketType, PacketSchema } from "../../generated/buildkit/github.com/tonistiigi/fsutil/types/wire_pb.js";
import { extractTo } from "../build/extract.js";
import { type TarHeader, type TarPack, tarFs } from "../build/tar.js";
import { GoMode, hasContent } from "./gomode.js";
import { GrpcError, GrpcStatus } from "./grpc.js";
import type { GrpcCall, GrpcHandler } from "./server.js";

/** The method path. */
export const FILE_SEND = "/moby.filesync.v1.FileSend/DiffCopy";

/** Serves a `tar` output: the archive's bytes go to `dest` (a file, created or truncated, or a stream ended at the end). */
export function receiveTar(dest: string | Writable): GrpcHandler {
  return async (call) => {
    const sink = typeof dest === "string" ? createWriteStream(dest) : dest;
    async function* bytes() {
      for await (const message of call.requests) yield fromBinary(BytesMessageSchema, message).data;
    }
    await pipeline(bytes(), sink, { signal: call.signal });
  };
}

/** Serves a `local` output: the daemon's files are written into the directory `dest`. */
export function receiveDirectory(dest: string): GrpcHandler {
  return async (call) => {
    const { pack } = await tarFs();
    // An empty pack left open: the entries are added as the packets arrive.
    const tar = pack(".", { entries: [], finalize: false, finish: () => {} });
    // The extraction reports the pack's failures.
    tar.on("error", () => {});
    const stop = new AbortController();
    // As buildx writes them: setuid/setgid and fifos kept; owners are the caller's.
    const extraction = extractTo(tar, dest, { keepSetuid: true, specialFiles: "create" }, stop.signal);
    let extractionFailed = false;
    const failed = new Promise<never>((_, reject) => {
      extraction.catch((err: unknown) => {
        extractionFailed = true;
        reject(err);
      });
    });
    failed.catch(() => {});
    try {
      await new Receiver(call, tar).run(failed, async () => {
        tar.finalize();
        const { skipped } = await extraction;
        if (skipped.length > 0) {
          const list = skipped.map((entry) => `${entry.path} (${entry.type}: ${entry.reason})`).join(", ");
          throw new GrpcError(GrpcStatus.FAILED_PRECONDITION, `could not write every exported file into ${dest}: ${list}`);
        }
      });
    } catch (err) {
      // A failure of the extraction says what was written; any other stops the extraction.
      if (!extractionFailed) {
        stop.abort(err);
        await extraction.catch(() => {});
      }
      throw err;
    }
  };
}

function encode(packet: Parameters<typeof create<typeof PacketSchema>>[1]): Uint8Array {
  return toBinary(PacketSchema, create(PacketSchema, packet));
}

/** The tar header for an fsutil stat, or `undefined` for what tar cannot hold (Go's irregular files). */
function tarHeader(stat: Stat): Partial<TarHeader> & { name: string } | undefined {
  const mode = stat.mode;
  const bits = (mode & 0o777) | (mode & GoMode.setuid ? 0o4000 : 0) | (mode & GoMode.setgid ? 0o2000 : 0) | (mode & GoMode.sticky ? 0o1000 : 0);
  const header = { name: stat.path, mode: bits, mtime: new Date(Number(stat.modTime / 1_000_000n)), uid: 0, gid: 0 };
  if (hasContent(mode)) {
    // fsutil marks a hard link as a regular file naming the path it links to.
    if (stat.linkname !== "") return { ...header, type: "link", linkname: stat.linkname, size: 0 };
    return { ...header, type: "file", size: Number(stat.size) };
  }
  if (mode & GoMode.dir) return { ...header, type: "directory" };
  if (mode & GoMode.symlink) return { ...header, type: "symlink", linkname: stat.linkname };
  if (mode & GoMode.namedPipe) return { ...header, type: "fifo" };
  if (mode & GoMode.device) {
    const type = mode & GoMode.charDevice ? "character-device" : "block-device";
    return { ...header, type, devmajor: Number(stat.devmajor), devminor: Number(stat.devminor) };
  }
  return undefined;
}

/** One file being received: its packet id and the tar entry its bytes go to. */
interface Incoming {
  id: number;
  name: string;
  entry: Writable;
  size: number;
  written: number;
}

/** One local export: entries are added in the daemon's order, one file's content requested at a time. */
class Receiver {
  readonly #call: GrpcCall;
  readonly #tar: TarPack;
  readonly #queue: Array<{ id: number; stat: Stat }> = [];
  #current: Incoming | undefined;
  #listed = false;
  #nextId = 0;

  constructor(call: GrpcCall, tar: TarPack) {
    this.#call = call;
    this.#tar = tar;
  }

  /**
   * Reads packets until every entry is in the tar, then runs `written` (which waits for the
   * files to be on disk), sends FIN and reads on until the daemon's FIN and the end of its
   * side: ending the call sooner fails the daemon's FIN with EOF. Rejects with `failed`'s error
   * as soon as it fails.
   */
  async run(failed: Promise<never>, written: () => Promise<void>): Promise<void> {
    const packets = this.#call.requests[Symbol.asyncIterator]();
    while (!(this.#listed && this.#queue.length === 0 && this.#current === undefined)) {
      const next = await Promise.race([packets.next(), failed]);
      if (next.done) throw new GrpcError(GrpcStatus.CANCELLED, "the daemon ended the export before sending every file");
      const packet = fromBinary(PacketSchema, next.value);
      switch (packet.type) {
        case Packet_PacketType.PACKET_STAT:
          if (this.#listed) throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, "a stat packet came after the end of the listing");
          if (packet.stat === undefined) this.#listed = true;
          else this.#queue.push({ id: this.#nextId++, stat: packet.stat });
          break;
        case Packet_PacketType.PACKET_DATA:
          await Promise.race([this.#data(packet.ID, packet.data), failed]);
          break;
        case Packet_PacketType.PACKET_ERR:
          throw new GrpcError(GrpcStatus.UNKNOWN, `error from sender: ${new TextDecoder().decode(packet.data)}`);
        default:
          throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, `unexpected packet type ${packet.type} from the sender`);
      }
      await this.#advance();
    }
    await written();
    await this.#call.send(encode({ type: Packet_PacketType.PACKET_FIN }));
    for (;;) {
      const next = await packets.next();
      if (next.done) return;
      const packet = fromBinary(PacketSchema, next.value);
      if (packet.type === Packet_PacketType.PACKET_ERR) throw new GrpcError(GrpcStatus.UNKNOWN, `error from sender: ${new TextDecoder().decode(packet.data)}`);
    }
  }

  /** Adds queued entries to the tar until one needs content, which is then requested. */
  async #advance(): Promise<void> {
    while (this.#current === undefined && this.#queue.length > 0) {
      const { id, stat } = this.#queue.shift()!;
      const header = tarHeader(stat);
      if (header === undefined) continue;
      // The pack reports a failed entry by failing itself, which the extraction sees.
      const entry = this.#tar.entry(header, () => {});
      entry.on("error", () => {});
      if (header.type !== "file") continue;
      this.#current = { id, name: header.name, entry, size: header.size ?? 0, written: 0 };
      await this.#call.send(encode({ type: Packet_PacketType.PACKET_REQ, ID: id }));
    }
  }

  async #data(id: number, data: Uint8Array): Promise<void> {
    const current = this.#current;
    if (current === undefined || current.id !== id) throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, `data for file id ${id}, which was not requested`);
    if (data.length === 0) {
      if (current.written !== current.size) {
        throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, `${current.name}: ${current.written} bytes sent, its stat said ${current.size}`);
      }
      current.entry.end();
      this.#current = undefined;
      return;
    }
    current.written += data.length;
    if (current.written > current.size) {
      throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, `${current.name}: more bytes sent than its stat said (${current.size})`);
    }
    if (current.entry.write(data)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        current.entry.off("drain", done);
        current.entry.off("close", done);
        resolve();
      };
      current.entry.on("drain", done);
      current.entry.on("close", done);
    });
  }
}
