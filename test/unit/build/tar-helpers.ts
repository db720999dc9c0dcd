// Tar archives for the build and archive tests, made and read with tar-fs directly (not through
// the code under test).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { tarFs, type TarHeader } from "../../../src/build/tar.js";

/** A fresh temporary directory; `cleanup` removes every one made so far. */
const made: string[] = [];
export async function tempDir(prefix = "dockhand-build-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
export async function cleanup(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Unpacks `archive` into a new directory and reports every header, in archive order. */
export async function unpack(archive: AsyncIterable<Uint8Array>): Promise<{ dir: string; headers: TarHeader[] }> {
  const dir = await tempDir("dockhand-unpacked-");
  const headers: TarHeader[] = [];
  const { extract } = await tarFs();
  await pipeline(archive, extract(dir, { umask: 0, validateSymlinks: false, map: (h) => (headers.push({ ...h }), h) }));
  return { dir, headers };
}

/**
 * Packs `dir` with every header passed through `rename` (to craft hostile entries), as a plain
 * async iterable like a response body.
 */
export async function packWith(dir: string, rename: (header: TarHeader) => TarHeader): Promise<AsyncIterable<Uint8Array>> {
  const { pack } = await tarFs();
  const stream = pack(dir, { sort: true, map: rename });
  return (async function* () {
    yield* stream;
  })();
}

/** The bytes of a whole stream. */
export async function bytesOf(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** One entry of a crafted archive: a tar header (type, mode, owner, device numbers…) and its content. */
export interface CraftedEntry {
  header: Partial<TarHeader> & { name: string };
  content?: string;
}

/**
 * An archive made entry by entry with tar-fs's packer (no files behind it), for headers a real
 * directory cannot produce: other owners, setuid and sticky modes, fifos, devices, hostile names.
 */
export async function craftTar(entries: CraftedEntry[]): Promise<Buffer> {
  const { pack } = await tarFs();
  const empty = await tempDir("dockhand-craft-");
  const stream = pack(empty, {
    entries: [],
    finalize: false,
    finish: (tar) => {
      for (const { header, content = "" } of entries) {
        tar.entry({ mode: header.type === "directory" ? 0o755 : 0o644, mtime: new Date(1_700_000_000_000), uid: 0, gid: 0, ...header }, content, () => {});
      }
      tar.finalize();
    },
  });
  return bytesOf(stream);
}

/** `bytes` as a one-chunk stream, like a response body. */
export async function* streamOf(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
