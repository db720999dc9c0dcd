/**
 * Walks a directory the way fsutil's sender does, since the daemon's receiver checks the order:
 * depth first, each directory's entries sorted by their bytes, so `a/x` comes before `a.txt`
 * (a path separator sorts first). Entries come with fsutil's stat facts: Go file modes, owner
 * reset to root (as `docker build` sends a context), nanosecond mtimes, symlink targets, and
 * hard links after their first path pointing to it. A directory left out by the filter is sent
 * only when something inside it is kept.
 */
import type { BigIntStats } from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import { goFileMode } from "./gomode.js";

/** What fsutil's `Stat` message carries for one entry. */
export interface WalkEntry {
  /** Relative, `/`-separated. */
  path: string;
  /** Go `os.FileMode` bits. */
  mode: number;
  size: bigint;
  /** Nanoseconds since the epoch. */
  modTime: bigint;
  /** A symlink's target, or the first path of a hard-linked file. */
  linkname: string;
  devmajor: bigint;
  devminor: bigint;
  /** Where the file is on disk. */
  source: string;
}

/**
 * What the filter says about one path: `keep` sends it (and its parents), `skip` leaves it out
 * but still walks a directory for entries that are kept, `prune` leaves a directory out unwalked.
 */
export type Verdict = "keep" | "skip" | "prune";

/** Decides, path by path, what a walk yields. */
export type WalkFilter = (path: string, isDir: boolean) => Verdict;

/** Entries of one directory whose stats are asked for at once. */
const LOOKAHEAD = 32;

interface Pending {
  entry: WalkEntry;
  sent: boolean;
}

/** Byte order of UTF-8 names, which is Go's string order. */
function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function gone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** Linux's device number split (glibc major/minor). */
function device(rdev: bigint): { major: bigint; minor: bigint } {
  return { major: (rdev >> 8n) & 0xfffn, minor: (rdev & 0xffn) | ((rdev >> 12n) & 0xfff00n) };
}

/** Yields the entries of `root` in fsutil's order, filtered, with stats. */
export async function* walk(root: string, filter: WalkFilter, signal?: AbortSignal): AsyncGenerator<WalkEntry> {
  /** First sent path of each inode with several links: later ones go as hard links to it. */
  const links = new Map<string, string>();
  const ancestors: Pending[] = [];

  async function entryOf(path: string, source: string, stats: BigIntStats): Promise<WalkEntry> {
    const mode = goFileMode(Number(stats.mode));
    const isDir = stats.isDirectory();
    const { major, minor } = stats.isBlockDevice() || stats.isCharacterDevice() ? device(stats.rdev) : { major: 0n, minor: 0n };
    return {
      path,
      mode,
      size: isDir ? 0n : stats.size,
      modTime: stats.mtimeNs,
      linkname: stats.isSymbolicLink() ? await readlink(source) : "",
      devmajor: major,
      devminor: minor,
      source,
    };
  }

  /** The entry with its hard-link target resolved, once it is certain to be sent. */
  function linked(entry: WalkEntry, stats: BigIntStats): WalkEntry {
    if (stats.isDirectory() || stats.nlink < 2n) return entry;
    const key = `${stats.dev}:${stats.ino}`;
    const first = links.get(key);
    if (first === undefined) {
      links.set(key, entry.path);
      return entry;
    }
    return { ...entry, linkname: first, size: 0n };
  }

  async function* visit(dir: string, relative: string): AsyncGenerator<WalkEntry> {
    let names: string[];
    try {
      names = (await readdir(dir)).sort(byBytes);
    } catch (err) {
      // Removed (or replaced by a file) during the walk: fsutil skips it too.
      if (gone(err)) return;
      throw err;
    }
    // The stats of the next entries are asked for ahead of the one being yielded: one by one,
    // each waits a full round trip through the thread pool, which is most of a large walk.
    const ahead: Array<Promise<BigIntStats | undefined>> = [];
    const statAt = (i: number) =>
      lstat(join(dir, names[i]!), { bigint: true }).catch((err: unknown) => {
        // Gone since the directory was read: as fsutil does, it is simply not there.
        if (gone(err)) return undefined;
        throw err;
      });
    for (let i = 0; i < names.length; i++) {
      for (let next = i + ahead.length; ahead.length < LOOKAHEAD && next < names.length; next++) {
        const stats = statAt(next);
        // Awaited in turn below; a walk that stops first must not leave a rejection unhandled.
        stats.catch(() => {});
        ahead.push(stats);
      }
      const pending = ahead.shift()!;
      signal?.throwIfAborted();
      const name = names[i]!;
      const path = relative === "" ? name : `${relative}/${name}`;
      const source = join(dir, name);
      const stats = await pending;
      if (stats === undefined) continue;
      const isDir = stats.isDirectory();
      const verdict = filter(path, isDir);
      if (verdict === "prune") continue;
      const entry = await entryOf(path, source, stats);
      if (verdict === "keep") {
        for (const parent of ancestors) {
          if (parent.sent) continue;
          parent.sent = true;
          yield parent.entry;
        }
        yield linked(entry, stats);
      }
      if (isDir) {
        ancestors.push({ entry, sent: verdict === "keep" });
        yield* visit(source, path);
        ancestors.pop();
      }
    }
  }

  yield* visit(root, "");
}
