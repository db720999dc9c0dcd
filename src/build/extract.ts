/**
 * Unpacking a container's archive into a host directory the way `docker cp` does (moby's
 * `archive.CopyTo`): entry names are taken relative to the directory (a leading `/` included, so
 * podman's `/` entry for the directory itself is the directory), the caller owns what is written,
 * modes are applied as the archive gives them, an existing directory is never replaced by a
 * non-directory or the reverse, and links are created as they are but never written through.
 * Where we differ by default, for safety: setuid/setgid bits are dropped and fifos/devices are
 * skipped and reported, unless asked for.
 *
 * tar-fs writes files, directories and links; this module decides, before tar-fs touches an
 * entry, whether it may be written, and afterwards applies what tar-fs leaves out (the sticky
 * bit, setuid/setgid when asked) and creates fifos and devices when asked.
 */
import { chmodSync, lstatSync, realpathSync, type Stats, unlinkSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { posix, resolve, sep } from "node:path";
import process from "node:process";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  ArchiveExtractError,
  type ArchiveExtractFailure,
  DockerArgumentError,
  DockerError,
  type SkippedArchiveEntry,
} from "../core/errors.js";
import { createSpecialFile, type SpecialEntry, specialFileObstacle } from "./special-files.js";
import { tarFs, type TarHeader } from "./tar.js";

/** How `containers.copyFromContainer` writes a container's archive on the host. */
export interface ArchiveExtractOptions {
  /**
   * Give what is written the user and group ids the archive names (needs root), like
   * `docker cp -a`. Default: the caller owns everything written, as with `docker cp`.
   */
  copyUIDGID?: boolean;
  /** Keep setuid and setgid bits. Default: dropped (the sticky bit is always kept). */
  keepSetuid?: boolean;
  /**
   * What to do with fifos and device nodes: `"skip"` (default) leaves them out and lists them in
   * the result's `skipped`; `"create"` creates them (with the system's `mknod`), fifos for anyone,
   * device nodes only when running as root (otherwise they are skipped and listed).
   */
  specialFiles?: "skip" | "create";
}

/** What extracting an archive on the host passed over. */
export interface ArchiveExtractResult {
  /** Entries not written (fifos and devices unless created, entry types no filesystem call makes). */
  skipped: SkippedArchiveEntry[];
}

const SPECIAL_TYPES = new Set(["fifo", "character-device", "block-device"]);
const WRITTEN_TYPES = new Set(["file", "directory", "link", "symlink"]);

/**
 * An archive name as a path relative to the target (`/`-separated, no trailing slash; `.` for
 * the target itself), or `undefined` when it climbs out. A leading `/` is dropped, as moby does.
 */
export function relativeEntryPath(name: string): string | undefined {
  const cleaned = posix.normalize(name.replaceAll("\\", "/").replace(/^\/+/, "") || ".").replace(/\/+$/, "") || ".";
  return cleaned === ".." || cleaned.startsWith("../") ? undefined : cleaned;
}

interface Refusal {
  reason: ArchiveExtractFailure;
  entry?: string;
  message: string;
}

interface Pending {
  path: string;
  abs: string;
  /** Bits tar-fs leaves out (it applies `mode & 0o777`) that we restore once it is done. */
  extraBits: number;
  mode: number;
}

/** One extraction's bookkeeping: the decisions per entry and what has been written so far. */
class Extraction {
  readonly written: string[] = [];
  readonly skipped: SkippedArchiveEntry[] = [];
  readonly special: SpecialEntry[] = [];
  refusal: Refusal | undefined;
  /** Whether tar-fs should pass over the entry `admit` just saw (it asks right after). */
  skipCurrent = false;
  #pending: Pending | undefined;
  /** Relative paths known to be real directories (never replaced: that is refused). */
  readonly #dirs = new Set<string>(["."]);
  readonly #keepBits: number;

  constructor(
    readonly root: string,
    readonly options: ArchiveExtractOptions,
    readonly onRefusal: () => void,
  ) {
    this.#keepBits = options.keepSetuid ? 0o7000 : 0o1000;
  }

  /** The entry tar-fs is writing, which may be partly written if extraction stops now. */
  get pending(): string | undefined {
    return this.#pending?.path;
  }

  /** tar-fs's `map` hook: runs as each entry starts, once the previous one is fully written. */
  admit(header: TarHeader): TarHeader {
    this.settle();
    this.skipCurrent = true;
    if (this.refusal) return header;
    const path = relativeEntryPath(header.name);
    if (path === undefined) {
      this.#refuse("unsafe-entry", header.name, `entry ${JSON.stringify(header.name)} escapes the target directory`);
      return header;
    }
    // The target itself (`.`, `./`, podman's `/`): like moby, its own metadata is left alone.
    if (path === ".") return header;
    const type = header.type === "contiguous-file" ? "file" : (header.type ?? "unknown");
    if (!WRITTEN_TYPES.has(type) && !SPECIAL_TYPES.has(type)) {
      this.skipped.push({ path, type, reason: "no file of this type is created on extraction" });
      return header;
    }
    const abs = resolve(this.root, ...path.split("/"));
    const obstacle = this.#parentObstacle(path) ?? this.#targetObstacle(path, abs, type === "directory");
    if (obstacle) {
      this.#refuse(obstacle.reason, path, obstacle.message);
      return header;
    }
    if (type === "link") {
      const linkObstacle = this.#hardLinkObstacle(path, header.linkname ?? "");
      if (linkObstacle) {
        this.#refuse(linkObstacle.reason, path, linkObstacle.message);
        return header;
      }
      header.linkname = relativeEntryPath(header.linkname ?? "");
    }
    const mode = header.mode & 0o7777;
    if (SPECIAL_TYPES.has(type)) {
      this.#special(header, path, abs, type as SpecialEntry["type"], mode);
      return header;
    }
    if (type === "directory") this.#dirs.add(path);
    this.skipCurrent = false;
    this.#pending = { path, abs, mode, extraBits: type === "symlink" ? 0 : mode & this.#keepBits };
    return Object.assign(header, { name: path, type });
  }

  /** Marks the entry tar-fs finished as written, restoring the mode bits tar-fs does not apply. */
  settle(): void {
    const done = this.#pending;
    if (!done) return;
    this.#pending = undefined;
    if (done.extraBits) {
      try {
        chmodSync(done.abs, (done.mode & 0o777) | done.extraBits);
      } catch (err) {
        this.written.push(done.path);
        this.#refuse("filesystem", done.path, `could not set the mode of ${JSON.stringify(done.path)}: ${(err as Error).message}`);
        return;
      }
    }
    this.written.push(done.path);
  }

  /** Creates the fifos and devices held back until the archive's end (their parents exist by then). */
  async createSpecialFiles(): Promise<void> {
    for (const entry of this.special) {
      const obstacle = this.#parentObstacle(entry.path) ?? this.#targetObstacle(entry.path, entry.abs, false);
      if (obstacle) throw this.error(undefined, { ...obstacle, entry: entry.path });
      try {
        await mkdir(resolve(entry.abs, ".."), { recursive: true, mode: 0o755 });
        await createSpecialFile(entry, this.options.copyUIDGID === true);
      } catch (err) {
        throw this.error(err, { reason: "filesystem", entry: entry.path, message: `could not create ${entry.type} ${JSON.stringify(entry.path)}: ${(err as Error).message}` });
      }
      this.written.push(entry.path);
    }
  }

  /** The typed error for a failure, saying what was written before it. */
  error(cause: unknown, refusal = this.refusal): ArchiveExtractError {
    const reason = refusal?.reason ?? classify(cause);
    const entry = refusal ? refusal.entry : this.pending;
    const detail = refusal?.message ?? describe(reason, cause);
    const count = this.written.length;
    const summary = count === 0 ? "nothing was written" : `${count} ${count === 1 ? "entry was" : "entries were"} written before it (see \`written\`)`;
    const partial = !refusal && entry ? `; ${JSON.stringify(entry)} may be partly written` : "";
    return new ArchiveExtractError(
      `Stopped extracting the archive into ${this.root}${entry ? ` at ${JSON.stringify(entry)}` : ""}: ${detail}; ${summary}${partial}`,
      { reason, directory: this.root, entry, written: [...this.written], skipped: [...this.skipped], cause },
    );
  }

  /** Records the first refusal; tar-fs passes over this entry and the extraction is stopped. */
  #refuse(reason: ArchiveExtractFailure, entry: string, message: string): void {
    this.refusal ??= { reason, entry, message };
    this.skipCurrent = true;
    this.onRefusal();
  }

  #special(header: TarHeader, path: string, abs: string, type: SpecialEntry["type"], mode: number): void {
    const obstacle = this.options.specialFiles === "create" ? specialFileObstacle(type) : 'not created unless `specialFiles: "create"`';
    if (obstacle) {
      this.skipped.push({ path, type, reason: obstacle });
      return;
    }
    const { devmajor = 0, devminor = 0, uid, gid } = header;
    this.special.push({ path, abs, type, mode: mode & (0o777 | this.#keepBits), devmajor, devminor, uid, gid });
  }

  /** Every directory on the way to `path` must be a real directory: never a symlink, never a file. */
  #parentObstacle(path: string): Omit<Refusal, "entry"> | undefined {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      if (this.#dirs.has(parent)) continue;
      const info = lstatOrUndefined(resolve(this.root, ...parts.slice(0, i)));
      if (!info) return undefined;
      if (info.isSymbolicLink()) {
        return { reason: "unsafe-entry", message: `${JSON.stringify(path)} would be written through the symlink ${JSON.stringify(parent)}` };
      }
      if (!info.isDirectory()) {
        return { reason: "conflict", message: `${JSON.stringify(path)} needs ${JSON.stringify(parent)} to be a directory, but it is a file` };
      }
      this.#dirs.add(parent);
    }
    return undefined;
  }

  /**
   * What is already at the entry's place: a directory merges with a directory (as moby does); a
   * directory and a non-directory never replace each other (`docker cp` refuses too); any other
   * file is removed first, so the new one is the caller's and no hard link is written through.
   */
  #targetObstacle(path: string, abs: string, isDirectory: boolean): Omit<Refusal, "entry"> | undefined {
    const existing = lstatOrUndefined(abs);
    if (!existing) return undefined;
    const name = JSON.stringify(path);
    if (existing.isDirectory()) {
      return isDirectory ? undefined : { reason: "conflict", message: `cannot replace the directory ${name} with a non-directory` };
    }
    if (isDirectory) {
      const what = existing.isSymbolicLink() ? "a symlink" : "a non-directory";
      return { reason: "conflict", message: `directory ${name} would replace ${what}` };
    }
    try {
      unlinkSync(abs);
    } catch (err) {
      return { reason: "filesystem", message: `could not replace ${name}: ${(err as Error).message}` };
    }
    return undefined;
  }

  /** A hard link must name something already extracted, reached without leaving the target. */
  #hardLinkObstacle(path: string, linkname: string): Omit<Refusal, "entry"> | undefined {
    const target = relativeEntryPath(linkname);
    if (target === undefined || target === ".") {
      return { reason: "unsafe-entry", message: `hard link ${JSON.stringify(path)} points outside the target directory` };
    }
    let real: string;
    try {
      real = realpathSync(resolve(this.root, ...target.split("/")));
    } catch {
      return { reason: "malformed", message: `hard link ${JSON.stringify(path)} points to ${JSON.stringify(target)}, which is not there` };
    }
    const rootReal = realpathSync(this.root);
    if (real !== rootReal && !real.startsWith(rootReal + sep)) {
      return { reason: "unsafe-entry", message: `hard link ${JSON.stringify(path)} points outside the target directory` };
    }
    return undefined;
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** A failure tar-fs or the archive's source raised, sorted by where it came from. */
function classify(err: unknown): ArchiveExtractFailure {
  if (err instanceof DockerError) return "interrupted";
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && /^E[A-Z]+$/.test(code) ? "filesystem" : "malformed";
}

function describe(reason: ArchiveExtractFailure, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return reason === "malformed" ? `the archive is not readable tar (${message})` : message;
}

/**
 * Unpacks a tar stream into `directory` (created if missing) with `docker cp`'s semantics (see
 * the module comment and {@link ArchiveExtractOptions}). Refuses, before writing it, an entry
 * that would land outside or be written through a symlink, and stops there; every failure is an
 * {@link ArchiveExtractError} listing what was written. Resolves with the entries passed over.
 * `signal` stops it (reason `interrupted`), e.g. when whoever feeds the archive failed.
 */
export async function extractTo(
  archive: AsyncIterable<Uint8Array>,
  directory: string,
  options: ArchiveExtractOptions = {},
  signal?: AbortSignal,
): Promise<ArchiveExtractResult> {
  if (options.copyUIDGID && !(process.platform !== "win32" && process.getuid?.() === 0)) {
    throw new DockerArgumentError("copyUIDGID: giving files the archive's owners needs root");
  }
  const root = resolve(directory);
  const stop = new AbortController();
  // Stopping from inside tar-fs's entry callback would surface its error twice; just after it is
  // soon enough (a microtask: a source that never waits on I/O would starve a timer).
  const extraction = new Extraction(root, options, () => queueMicrotask(() => stop.abort()));
  try {
    await mkdir(root, { recursive: true });
  } catch (err) {
    throw extraction.error(err, { reason: "filesystem", message: `could not create the directory: ${(err as Error).message}` });
  }
  const { extract } = await tarFs();
  const unpack = extract(root, {
    umask: 0,
    chown: options.copyUIDGID === true,
    // Fifos and devices never reach tar-fs (`ignore`), so nothing else should be unknown to it.
    strict: true,
    // Link targets are checked in `admit`: tar-fs would refuse absolute symlinks, which docker cp keeps.
    validateSymlinks: false,
    map: (header) => extraction.admit(header),
    ignore: () => extraction.skipCurrent,
  });
  // A cut-off archive also fails the entry being read, possibly before tar-fs listens to it; the
  // pipeline reports that failure already, so this second report must not crash the process.
  unpack.on("entry", (_header: unknown, entry: Readable) => entry.on("error", () => {}));
  try {
    await pipeline(archive, unpack, { signal: signal ? AbortSignal.any([stop.signal, signal]) : stop.signal });
  } catch (err) {
    // After a refusal the pipeline fails with our own abort, which is no cause worth keeping.
    throw extraction.error(extraction.refusal ? undefined : err);
  }
  extraction.settle();
  if (extraction.refusal) throw extraction.error(undefined);
  await extraction.createSpecialFiles();
  return { skipped: extraction.skipped };
}
