/**
 * Packs a directory into a build context the way `docker build DIR` does: `.dockerignore`
 * applied, files owned by root, modes kept as they are on disk, symlinks sent as links — and
 * streamed, one file at a time, never held in memory.
 */
import { randomBytes } from "node:crypto";
import { lstatSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { posix, relative, resolve, sep } from "node:path";
import { DockerArgumentError } from "../core/errors.js";
import { ContextFilter, DOCKERIGNORE, parseDockerignore } from "./dockerignore.js";
import type { PackStream } from "./source.js";
import { tarFs, type TarHeader, type TarPack } from "./tar.js";

/** What to pack: a context directory, a Dockerfile given as text, or both. */
export interface ContextSpec {
  /** The context directory; left out, the context holds only the Dockerfile from `dockerfileContent`. */
  directory?: string | undefined;
  /** Path of the Dockerfile inside the context, `/`-separated. Default `Dockerfile`. */
  dockerfile?: string | undefined;
  /** A Dockerfile given as text, added to the context under a name of its own. */
  dockerfileContent?: string | undefined;
}

/** A build context ready to stream, and the Dockerfile name to send with it. */
export interface PackedContext {
  /** Starts packing; the archive is produced as it is read. */
  open(): Promise<PackStream>;
  /** The `dockerfile` query value. */
  dockerfile: string;
}

/**
 * Checks a Dockerfile path given relative to the context: `/`-separated, inside the context.
 * (The daemon resolves it there too; a file elsewhere goes in `dockerfileContent`.)
 */
export function contextDockerfile(path: string): string {
  const clean = posix.normalize(path.replaceAll("\\", "/"));
  if (clean === "." || clean.startsWith("/") || clean === ".." || clean.startsWith("../")) {
    throw new DockerArgumentError(
      `dockerfile must be a path inside the build context, got ${JSON.stringify(path)}; pass a Dockerfile from elsewhere as dockerfileContent`,
    );
  }
  return clean;
}

async function readIgnoreFile(root: string): Promise<string[]> {
  try {
    return parseDockerignore(await readFile(resolve(root, DOCKERIGNORE), "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new DockerArgumentError(`Cannot read ${resolve(root, DOCKERIGNORE)}: ${(err as Error).message}`, { cause: err });
  }
}

/** The context directory, resolved; refused unless it is a readable directory. */
export async function contextRoot(directory: string): Promise<string> {
  const root = resolve(directory);
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(root)).isDirectory();
  } catch (err) {
    throw new DockerArgumentError(`Build context ${directory} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  if (!isDirectory) throw new DockerArgumentError(`Build context ${directory} is not a directory`);
  return root;
}

/** Whether the entry at `path` (relative, `/`-separated) is packed. */
function keeper(filter: ContextFilter, root: string): (path: string) => boolean {
  return (path) => {
    if (!filter.excludes(path)) return true;
    if (!filter.walksExcludedDir(path)) return false;
    // Only for an excluded path that an exception reaches into: a directory is walked (its kept
    // files come out), a file stays out. Rare enough for a synchronous look.
    try {
      return lstatSync(resolve(root, path)).isDirectory();
    } catch {
      return false;
    }
  };
}

/** Root-owned entries, as the CLI sends them: the host's user ids mean nothing to the daemon. */
function asRoot(header: TarHeader): TarHeader {
  header.uid = 0;
  header.gid = 0;
  return header;
}

/**
 * Prepares a build context. Reads `.dockerignore` and checks the directory now (so a bad path
 * fails before anything is sent); the files are read only when the archive is.
 */
export async function packBuildContext(spec: ContextSpec): Promise<PackedContext> {
  const inline = spec.dockerfileContent;
  const dockerfile =
    inline === undefined ? contextDockerfile(spec.dockerfile ?? "Dockerfile") : `.dockerfile.${randomBytes(10).toString("hex")}`;
  if (spec.directory === undefined) {
    if (inline === undefined) throw new DockerArgumentError("A build needs a context, a dockerfileContent, or a remote");
    return { dockerfile, open: async () => packOnly(dockerfile, inline) };
  }
  const root = await contextRoot(spec.directory);
  const keep = keeper(new ContextFilter(await readIgnoreFile(root), dockerfile), root);
  const open = async (): Promise<PackStream> => {
    const { pack } = await tarFs();
    const entries = (await readdir(root)).sort().filter((name) => keep(name));
    return pack(root, {
      entries,
      sort: true,
      // Sockets, FIFOs and devices cannot go in a context; skip them rather than fail.
      strict: false,
      // Modes as they are on disk, not narrowed by this process's umask.
      umask: 0,
      ignore: (name) => !keep(relative(root, name).split(sep).join("/")),
      map: asRoot,
      ...(inline === undefined ? {} : { finalize: false, finish: (p: TarPack) => addFile(p, dockerfile, inline) }),
    });
  };
  return { dockerfile, open };
}

function addFile(pack: TarPack, name: string, content: string): void {
  pack.entry({ name, mode: 0o600, mtime: new Date(), uid: 0, gid: 0 }, content, (err) => {
    if (err) pack.destroy(err);
    else pack.finalize();
  });
}

async function packOnly(name: string, content: string): Promise<PackStream> {
  const { pack } = await tarFs();
  // No entries to walk; `finish` runs at once and adds the Dockerfile.
  return pack(".", { entries: [], finalize: false, finish: (p) => addFile(p, name, content) });
}
