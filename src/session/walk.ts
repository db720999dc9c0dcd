/**
 * Walks a directory the way fsutil's sender does, since the daemon's receiver checks the order:
 * depth first, each directory's entries sorted by their bytes, so `a/x` comes before `a.txt`
 * (a path separator sorts first). Entries come with fsutil's stat facts: Go file modes, owner
 * reset to root (as `docker build` sends a context), nanosecond mtimes, symlink targets, and
 * hard links after their first path pointing to it. A directory left out by the filter is sent
 * only when something inside it is kept.
 */
import type { BigIntStats, Dirent } from "node:fs";
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

/**
 * Entries handed out at once, and the most of one directory stat-ed in one go. A listing of
 * thousands of entries is paced by per-entry turns of the event loop (a thread-pool round trip
 * and a generator step each), not by the system calls: batches make them per hundred entries.
 */
const BATCH = 128;

/** An entry of a directory that the filter may keep, with its verdict by the type the directory listed. */
interface Listed {
  name: string;
  path: string;
  isDir: boolean;
  verdict: Verdict;
}

/** A directory being listed: its entries in order, the next one to look at, and its own entry. */
interface Frame {
  dir: string;
  entries: Listed[];
  next: number;
  /** Stats of `entries[next…]` asked for ahead, in order. */
  stats: Array<BigIntStats | undefined>;
  /** The directory's entry (none for the root), and whether it went out already. */
  entry: WalkEntry | undefined;
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

/**
 * A directory's entries in byte order, without those the filter drops by the type the directory
 * lists (a pruned directory, a file left out): they need no stat. Undefined when the directory
 * is gone (removed or replaced by a file during the walk, which fsutil skips too).
 */
async function listed(dir: string, relative: string, filter: WalkFilter): Promise<Listed[] | undefined> {
  let dirents: Dirent[];
  try {
    dirents = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (gone(err)) return undefined;
    throw err;
  }
  const out: Listed[] = [];
  for (const dirent of dirents.sort((a, b) => byBytes(a.name, b.name))) {
    const path = relative === "" ? dirent.name : `${relative}/${dirent.name}`;
    const isDir = dirent.isDirectory();
    const verdict = filter(path, isDir);
    if (verdict === "keep" || (verdict === "skip" && isDir)) out.push({ name: dirent.name, path, isDir, verdict });
  }
  return out;
}

/** The stats of `paths`, undefined for one gone since its directory was read (as fsutil does, it is simply not there). */
function statsOf(paths: readonly string[]): Promise<Array<BigIntStats | undefined>> {
  return Promise.all(
    paths.map((path) =>
      lstat(path, { bigint: true }).catch((err: unknown) => {
        if (gone(err)) return undefined;
        throw err;
      }),
    ),
  );
}

/**
 * Yields the entries of `root` in fsutil's order, filtered, with stats, in batches of up to
 * {@link BATCH} (so a caller can send each batch at once).
 */
export async function* walk(root: string, filter: WalkFilter, signal?: AbortSignal): AsyncGenerator<WalkEntry[]> {
  /** First sent path of each inode with several links: later ones go as hard links to it. */
  const links = new Map<string, string>();

  function entryOf(path: string, source: string, stats: BigIntStats, linkname: string): WalkEntry {
    const mode = goFileMode(Number(stats.mode));
    const isDir = stats.isDirectory();
    const { major, minor } = stats.isBlockDevice() || stats.isCharacterDevice() ? device(stats.rdev) : { major: 0n, minor: 0n };
    return {
      path,
      mode,
      size: isDir ? 0n : stats.size,
      modTime: stats.mtimeNs,
      linkname,
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

  const rootEntries = await listed(root, "", filter);
  if (rootEntries === undefined) return;
  const frames: Frame[] = [{ dir: root, entries: rootEntries, next: 0, stats: [], entry: undefined, sent: true }];
  let batch: WalkEntry[] = [];
  while (frames.length > 0) {
    const frame = frames.at(-1)!;
    if (frame.next === frame.entries.length) {
      frames.pop();
      continue;
    }
    signal?.throwIfAborted();
    if (frame.stats.length === 0) {
      frame.stats = await statsOf(frame.entries.slice(frame.next, frame.next + BATCH).map(({ name }) => join(frame.dir, name)));
    }
    const listing = frame.entries[frame.next++]!;
    const stats = frame.stats.shift();
    if (stats === undefined) continue;
    const { path } = listing;
    const source = join(frame.dir, listing.name);
    const isDir = stats.isDirectory();
    // Replaced by another type since the directory was read: the filter decides again.
    const verdict = isDir === listing.isDir ? listing.verdict : filter(path, isDir);
    if (verdict === "prune" || (verdict === "skip" && !isDir)) continue;
    const entry = entryOf(path, source, stats, stats.isSymbolicLink() ? await readlink(source) : "");
    if (verdict === "keep") {
      // A directory walked for what it might hold goes out before the first entry kept in it.
      for (const parent of frames) {
        if (parent.sent) continue;
        parent.sent = true;
        batch.push(parent.entry!);
      }
      batch.push(linked(entry, stats));
    }
    if (isDir) {
      const entries = await listed(source, path, filter);
      if (entries !== undefined) frames.push({ dir: source, entries, next: 0, stats: [], entry, sent: verdict === "keep" });
    }
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
