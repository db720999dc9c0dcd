/**
 * What a FileSync call sends of a directory, from the patterns the daemon puts in the call's
 * metadata — decided like fsutil's filter: `include-patterns` (a path is sent when it or a
 * parent matches), `exclude-patterns` (the frontend's `.dockerignore`, with `!` exceptions), and
 * `followpaths` (paths whose symlinks are resolved, each link and target then included). Patterns
 * match with Docker's rules (`@balena/dockerignore`, a port of moby's matcher). Directories that
 * no pattern can reach into are not walked at all.
 */
import { lstat, readdir, readlink } from "node:fs/promises";
import { posix } from "node:path";
import dockerignore from "@balena/dockerignore";
import type { Verdict, WalkFilter } from "./walk.js";

/** The daemon's filter request. */
export interface FilterRequest {
  includePatterns?: readonly string[] | undefined;
  excludePatterns?: readonly string[] | undefined;
  followPaths?: readonly string[] | undefined;
}

/** Characters that make a pattern more than a path prefix. */
const WILDCARDS = /[*[\]?^\\]/;

type Matcher = ReturnType<typeof dockerignore.default>;

function matcher(patterns: readonly string[]): Matcher {
  return dockerignore.default({ ignorecase: false }).add([...patterns]);
}

/** A pattern with a trailing `/**` or `/*` dropped, as fsutil compares prefixes. */
function withoutTrailingGlob(pattern: string): string {
  return pattern.replace(/\/\*\*$/, "").replace(/\/\*$/, "");
}

/** A pattern's text after cleaning, and whether it is an exception (`!…`). */
function parts(pattern: string): { text: string; exception: boolean } {
  const trimmed = pattern.trim();
  const exception = trimmed.startsWith("!");
  const text = posix.normalize(exception ? trimmed.slice(1).trim() : trimmed).replace(/(?<=.)\/$/, "");
  return { text, exception };
}

/**
 * Whether some pattern of the given kind could match inside `dir` — only answerable when those
 * patterns are plain prefixes; `undefined` when a wildcard makes it unknowable.
 */
function reachesInto(patterns: readonly string[], exception: boolean): ((dir: string) => boolean) | undefined {
  const prefixes = patterns
    .map(parts)
    .filter((p) => p.exception === exception)
    .map((p) => withoutTrailingGlob(p.text));
  if (prefixes.some((p) => WILDCARDS.test(p))) return undefined;
  return (dir) => prefixes.some((p) => `${p}/`.startsWith(`${dir}/`));
}

/** Builds the walk filter for `root` (follow paths are resolved now, on disk). */
export async function pathFilter(root: string, request: FilterRequest): Promise<WalkFilter> {
  let includes = request.includePatterns?.length ? [...request.includePatterns] : undefined;
  if (request.followPaths?.length) {
    const targets = await followLinks(root, request.followPaths);
    // fsutil appends and then drops covered paths without sorting; "." anywhere lifts the filter.
    if (targets !== undefined) includes = dedupePaths([...(includes ?? []), ...targets]);
  }
  const excludes = request.excludePatterns?.length ? request.excludePatterns : undefined;
  const include = includes?.length ? matcher(includes) : undefined;
  const includeReach = includes && reachesInto(includes, false);
  const exclude = excludes ? matcher(excludes) : undefined;
  const hasExceptions = excludes?.some((p) => parts(p).exception) ?? false;
  const exceptionReach = excludes && reachesInto(excludes, true);
  return (path, isDir): Verdict => {
    let verdict: Verdict = "keep";
    if (include && include.ignores(path) === false) {
      // The matcher "ignores" what a pattern matches: here that means included. Not matched:
      if (isDir && includeReach && !includeReach(path)) return "prune";
      verdict = "skip";
    }
    if (exclude?.ignores(path)) {
      if (isDir && exceptionReach && (!hasExceptions || !exceptionReach(path))) return "prune";
      verdict = "skip";
    }
    return verdict;
  };
}

/** fsutil's dedupePaths: drops paths under the previous one; `undefined` when "." is among them. */
function dedupePaths(paths: readonly string[]): string[] | undefined {
  const out: string[] = [];
  let last: string | undefined;
  for (const path of paths) {
    if (path === ".") return undefined;
    if (last !== undefined && path.startsWith(`${last}/`)) continue;
    out.push(path);
    last = path;
  }
  return out;
}

/** A path inside the root, clean and relative; `..` cannot climb out. */
function inside(path: string): string {
  return posix.normalize(`/${path}`).slice(1) || ".";
}

/**
 * fsutil's FollowLinks: every symlink met along each path is resolved (targets are followed in
 * turn), and the links and final paths are returned sorted, or `undefined` when one is the root.
 */
async function followLinks(root: string, paths: readonly string[]): Promise<string[] | undefined> {
  const resolved = new Set<string>();
  const append = async (path: string): Promise<void> => {
    let rest = inside(path);
    let current = ".";
    for (;;) {
      const slash = rest.indexOf("/");
      current = posix.join(current, slash < 0 ? rest : rest.slice(0, slash));
      rest = slash < 0 ? "" : rest.slice(slash + 1);
      const targets = await readSymlink(root, current, true);
      if ((rest === "" || targets !== undefined) && resolved.has(current)) return;
      if (targets !== undefined) {
        resolved.add(current);
        for (const target of targets) await append(posix.join(target, rest));
        return;
      }
      if (rest === "") {
        resolved.add(current);
        return;
      }
    }
  };
  for (const path of paths) await append(path);
  return dedupePaths([...resolved].sort());
}

/** Where the symlink(s) at `path` point, as root-relative paths; `undefined` when it is no link. */
async function readSymlink(root: string, path: string, wildcard: boolean): Promise<string[] | undefined> {
  const base = posix.basename(path);
  if (wildcard && /[*?[]/.test(base.replace(/\\./g, ""))) {
    let names: string[];
    try {
      names = await readdir(posix.join(root, posix.dirname(path)));
    } catch {
      return undefined;
    }
    const glob = matcher([base]);
    const out: string[] = [];
    for (const name of names) {
      if (!glob.ignores(name)) continue;
      out.push(...((await readSymlink(root, posix.join(posix.dirname(path), name), false)) ?? []));
    }
    return out.length > 0 ? out : undefined;
  }
  try {
    if (!(await lstat(posix.join(root, path))).isSymbolicLink()) return undefined;
    const link = posix.normalize(await readlink(posix.join(root, path)));
    return [link.startsWith("/") ? link : posix.join("/", posix.dirname(path), link)];
  } catch {
    return undefined;
  }
}
