// The fsutil-order walk and the daemon's filters, on a real directory: byte order with the path
// separator first, Go file modes, symlink and hard-link targets, parents sent only with a kept
// child, exclude exceptions, include prefixes and follow paths through symlinks.
import { link, mkdir, mkdtemp, rm, symlink, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pathFilter, type FilterRequest } from "../../../src/session/filter.js";
import { GoMode, goFileMode, hasContent } from "../../../src/session/gomode.js";
import { walk, type WalkEntry } from "../../../src/session/walk.js";

let root: string;

async function entries(request: FilterRequest = {}): Promise<WalkEntry[]> {
  const out: WalkEntry[] = [];
  for await (const batch of walk(root, await pathFilter(root, request))) out.push(...batch);
  return out;
}
const paths = async (request?: FilterRequest) => (await entries(request)).map((e) => e.path);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "dockhand-walk-"));
  for (const file of ["a/x", "a.txt", "a-b", "cache/blob", "cache/keep", "debug.log", "node_modules/m/index.js", "real/Dockerfile", "sub/dir/file", "sub/other"]) {
    await mkdir(join(root, file, ".."), { recursive: true });
    await writeFile(join(root, file), file);
  }
  await chmod(join(root, "a-b"), 0o4755);
  await symlink("a.txt", join(root, "b-link"));
  await symlink("real", join(root, "linkdir"));
  await link(join(root, "a.txt"), join(root, "z-hard"));
});

afterAll(() => rm(root, { recursive: true, force: true }));

describe("walk", () => {
  it("lists depth first in byte order, a path separator sorting before any other byte", async () => {
    expect(await paths()).toEqual([
      "a", "a/x", "a-b", "a.txt", "b-link", "cache", "cache/blob", "cache/keep", "debug.log", "linkdir",
      "node_modules", "node_modules/m", "node_modules/m/index.js", "real", "real/Dockerfile",
      "sub", "sub/dir", "sub/dir/file", "sub/other", "z-hard",
    ]);
  });

  it("describes entries as fsutil does: Go modes, sizes, nanosecond times, link targets", async () => {
    const byPath = new Map((await entries()).map((e) => [e.path, e]));
    expect(byPath.get("a")!.mode >>> 0).toBe((GoMode.dir | 0o755) >>> 0);
    expect(byPath.get("a")!.size).toBe(0n);
    expect(byPath.get("a-b")!.mode).toBe((GoMode.setuid | 0o755) >>> 0);
    expect(byPath.get("a.txt")).toMatchObject({ size: 5n, linkname: "" });
    expect(byPath.get("a.txt")!.modTime).toBeGreaterThan(1_600_000_000_000_000_000n);
    expect(byPath.get("b-link")).toMatchObject({ mode: (GoMode.symlink | 0o777) >>> 0, linkname: "a.txt" });
    // The second name of a hard-linked file points to the first one sent, with no content of its own.
    expect(byPath.get("z-hard")).toMatchObject({ linkname: "a.txt", size: 0n });
    expect(hasContent(byPath.get("a.txt")!.mode)).toBe(true);
    expect(hasContent(byPath.get("a")!.mode)).toBe(false);
    expect(hasContent(byPath.get("b-link")!.mode)).toBe(false);
  });

  it("keeps the order in batches across a large directory with a subdirectory among its entries", async () => {
    const big = await mkdtemp(join(tmpdir(), "dockhand-walk-big-"));
    try {
      const names = Array.from({ length: 300 }, (_, i) => `f${String(i).padStart(3, "0")}`);
      for (const name of names) await writeFile(join(big, name), name);
      // `f150` is a directory: its entries come right after it, in the middle of a stat batch.
      await rm(join(big, "f150"));
      await mkdir(join(big, "f150"));
      for (const name of ["x", "y"]) await writeFile(join(big, "f150", name), name);
      const batches: WalkEntry[][] = [];
      for await (const batch of walk(big, await pathFilter(big, { excludePatterns: ["f01*"] }))) batches.push(batch);
      expect(batches.every((batch) => batch.length > 0 && batch.length <= 128)).toBe(true);
      const kept = names.filter((n) => !n.startsWith("f01"));
      expect(batches.flat().map((e) => e.path)).toEqual(kept.flatMap((n) => (n === "f150" ? [n, "f150/x", "f150/y"] : [n])));
    } finally {
      await rm(big, { recursive: true, force: true });
    }
  });

  it("maps unix file types onto Go's mode bits", () => {
    expect(goFileMode(0o100644)).toBe(0o644);
    expect(goFileMode(0o041777)).toBe((GoMode.dir | GoMode.sticky | 0o777) >>> 0);
    expect(goFileMode(0o020620)).toBe(GoMode.device | GoMode.charDevice | 0o620);
    expect(goFileMode(0o060660)).toBe(GoMode.device | 0o660);
    expect(goFileMode(0o010644)).toBe(GoMode.namedPipe | 0o644);
    expect(goFileMode(0o102755)).toBe(GoMode.setgid | 0o755);
  });
});

describe("the daemon's filters", () => {
  it("excludes like .dockerignore; an excluded directory is sent only for a kept exception inside it", async () => {
    expect(await paths({ excludePatterns: ["*.log", "cache", "!cache/keep", "node_modules", "sub", "a*"] })).toEqual([
      "b-link", "cache", "cache/keep", "linkdir", "real", "real/Dockerfile", "z-hard",
    ]);
  });

  it("includes by pattern, sending the parents of what matched", async () => {
    expect(await paths({ includePatterns: ["sub/dir/file", "a"] })).toEqual(["a", "a/x", "sub", "sub/dir", "sub/dir/file"]);
    expect(await paths({ includePatterns: ["**/index.js"] })).toEqual(["node_modules", "node_modules/m", "node_modules/m/index.js"]);
  });

  it("follows symlinks on the follow paths, sending the links and their targets", async () => {
    expect(await paths({ followPaths: ["linkdir/Dockerfile", "missing"] })).toEqual(["linkdir", "real", "real/Dockerfile"]);
    expect(await paths({ followPaths: ["b-link"] })).toEqual(["a.txt", "b-link"]);
    // `..` cannot climb out of the directory.
    expect(await paths({ followPaths: ["../../etc/passwd"] })).toEqual([]);
  });

  it("combines follow paths with exclusions, as for the Dockerfile and its ignore file", async () => {
    expect(await paths({ followPaths: ["real/Dockerfile", "real/Dockerfile.dockerignore"], excludePatterns: ["*.log"] })).toEqual([
      "real",
      "real/Dockerfile",
    ]);
  });
});
