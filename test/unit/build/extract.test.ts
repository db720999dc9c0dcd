// Extracting archives on the host with docker cp's semantics, from crafted tars. These tests run as
// root in CI (ownership and device nodes are checked); the root-only cases skip elsewhere.
import { chmod, link, lstat, mkdir, readFile, readdir, readlink, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { afterEach, describe, expect, it, vi } from "vitest";
import { packHostPath } from "../../../src/build/archive.js";
import { extractTo, relativeEntryPath } from "../../../src/build/extract.js";
import { ArchiveExtractError, DockerArgumentError, DockerConnectionError } from "../../../src/core/errors.js";
import { cleanup, type CraftedEntry, craftTar, streamOf, tempDir } from "./tar-helpers.js";

afterEach(async () => {
  vi.restoreAllMocks();
  await cleanup();
});

const isRoot = process.getuid?.() === 0;
const dir = (name: string, mode = 0o755, more: Partial<CraftedEntry["header"]> = {}): CraftedEntry => ({
  header: { name, type: "directory", mode, ...more },
});
const file = (name: string, content: string, mode = 0o644, more: Partial<CraftedEntry["header"]> = {}): CraftedEntry => ({
  header: { name, type: "file", mode, size: Buffer.byteLength(content), ...more },
  content,
});
const link_ = (name: string, type: "symlink" | "link", linkname: string): CraftedEntry => ({ header: { name, type, linkname } });

/** Extracts `entries` into a fresh directory; resolves with the target and the result, or the error. */
async function extract(entries: CraftedEntry[], options: Parameters<typeof extractTo>[2] = {}, target?: string) {
  const into = target ?? join(await tempDir(), "out");
  const archive = await craftTar(entries);
  try {
    return { target: into, result: await extractTo(streamOf(archive), into, options), error: undefined };
  } catch (error) {
    return { target: into, result: undefined, error: error as ArchiveExtractError };
  }
}

const modeOf = async (path: string) => (await lstat(path)).mode & 0o7777;

describe("relativeEntryPath", () => {
  it.each([
    ["a", "a"],
    ["./a/b", "a/b"],
    ["a/../b", "b"],
    ["tree/", "tree"],
    [".", "."],
    ["./", "."],
    ["/", "."],
    ["/etc/passwd", "etc/passwd"],
    ["//a//b/", "a/b"],
  ])("%j is %j", (name, expected) => {
    expect(relativeEntryPath(name)).toBe(expected);
  });

  it.each(["..", "../evil", "a/../../evil", "/../evil", "..\\evil"])("%j escapes", (name) => {
    expect(relativeEntryPath(name)).toBeUndefined();
  });
});

describe("extractTo: owners and modes, as docker cp", () => {
  const tree = [
    dir("tree", 0o755, { uid: 1234, gid: 5678 }),
    dir("tree/shared", 0o1777, { uid: 1234, gid: 5678 }),
    file("tree/suid", "#!/bin/sh\n", 0o4755, { uid: 1234, gid: 5678 }),
    file("tree/sgid", "x", 0o2755, { uid: 1234, gid: 5678 }),
    // Docker's archives carry the file type in the mode's high bits.
    file("tree/typed", "y", 0o100640, { uid: 1234, gid: 5678 }),
    link_("tree/link", "symlink", "suid"),
  ];

  it("gives everything to the caller, keeps the sticky bit and drops setuid/setgid", async () => {
    const { target, result, error } = await extract(tree);
    expect(error).toBeUndefined();
    expect(result).toEqual({ skipped: [] });
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    for (const name of ["tree", "tree/shared", "tree/suid", "tree/sgid", "tree/typed", "tree/link"]) {
      const info = await lstat(join(target, name));
      expect([name, info.uid, info.gid]).toEqual([name, uid, gid]);
    }
    expect(await modeOf(join(target, "tree/shared"))).toBe(0o1777);
    expect(await modeOf(join(target, "tree/suid"))).toBe(0o755);
    expect(await modeOf(join(target, "tree/sgid"))).toBe(0o755);
    expect(await modeOf(join(target, "tree/typed"))).toBe(0o640);
    expect(await readFile(join(target, "tree/link"), "utf8")).toBe("#!/bin/sh\n");
  });

  it("keeps setuid and setgid when asked", async () => {
    const { target, error } = await extract(tree, { keepSetuid: true });
    expect(error).toBeUndefined();
    expect(await modeOf(join(target, "tree/suid"))).toBe(0o4755);
    expect(await modeOf(join(target, "tree/sgid"))).toBe(0o2755);
    expect(await modeOf(join(target, "tree/shared"))).toBe(0o1777);
  });

  it.skipIf(!isRoot)("keeps the archive's owners when asked (as root), setuid surviving the chown", async () => {
    const { target, error } = await extract(tree, { copyUIDGID: true, keepSetuid: true });
    expect(error).toBeUndefined();
    for (const name of ["tree", "tree/shared", "tree/suid", "tree/typed"]) {
      const info = await lstat(join(target, name));
      expect([name, info.uid, info.gid]).toEqual([name, 1234, 5678]);
    }
    expect(await modeOf(join(target, "tree/suid"))).toBe(0o4755);
  });

  it("refuses copyUIDGID without root before reading anything", async () => {
    vi.spyOn(process, "getuid").mockReturnValue(1000);
    const { error } = await extract(tree, { copyUIDGID: true });
    expect(error).toBeInstanceOf(DockerArgumentError);
    expect(error?.message).toMatch(/copyUIDGID.*needs root/);
  });

  it("replaces an existing file with a new one of the caller's, never writing through a hard link", async () => {
    const parent = await tempDir();
    const outside = join(parent, "outside.txt");
    await writeFile(outside, "keep me\n");
    const target = join(parent, "out");
    await mkdir(target);
    await link(outside, join(target, "f"));
    const { error } = await extract([file("f", "new\n", 0o600)], {}, target);
    expect(error).toBeUndefined();
    expect(await readFile(outside, "utf8")).toBe("keep me\n");
    expect(await readFile(join(target, "f"), "utf8")).toBe("new\n");
    expect(await modeOf(join(target, "f"))).toBe(0o600);
  });
});

describe("extractTo: fifos and devices", () => {
  const special = [
    dir("dev"),
    { header: { name: "dev/pipe", type: "fifo", mode: 0o620 } },
    { header: { name: "dev/null", type: "character-device", mode: 0o666, devmajor: 1, devminor: 3 } },
    { header: { name: "dev/loop9", type: "block-device", mode: 0o660, devmajor: 7, devminor: 9 } },
    file("dev/after", "still written\n"),
  ] satisfies CraftedEntry[];

  it("skips them by default, lists them, and writes the rest", async () => {
    const { target, result, error } = await extract(special);
    expect(error).toBeUndefined();
    expect(result?.skipped).toEqual([
      { path: "dev/pipe", type: "fifo", reason: expect.stringMatching(/specialFiles: "create"/) },
      { path: "dev/null", type: "character-device", reason: expect.stringMatching(/specialFiles/) },
      { path: "dev/loop9", type: "block-device", reason: expect.stringMatching(/specialFiles/) },
    ]);
    expect((await readdir(join(target, "dev"))).sort()).toEqual(["after"]);
    expect(await readFile(join(target, "dev/after"), "utf8")).toBe("still written\n");
  });

  it.skipIf(!isRoot)("creates them when asked, as root", async () => {
    const { target, result, error } = await extract(special, { specialFiles: "create" });
    expect(error).toBeUndefined();
    expect(result?.skipped).toEqual([]);
    const pipe = await lstat(join(target, "dev/pipe"));
    expect(pipe.isFIFO()).toBe(true);
    expect(pipe.mode & 0o7777).toBe(0o620);
    const nul = await lstat(join(target, "dev/null"));
    expect(nul.isCharacterDevice()).toBe(true);
    expect([Math.floor(nul.rdev / 256), nul.rdev % 256]).toEqual([1, 3]);
    const loop = await lstat(join(target, "dev/loop9"));
    expect(loop.isBlockDevice()).toBe(true);
    expect(loop.mode & 0o7777).toBe(0o660);
  });

  it("creates fifos but skips devices when asked without root", async () => {
    vi.spyOn(process, "getuid").mockReturnValue(1000);
    const { target, result, error } = await extract(special, { specialFiles: "create" });
    expect(error).toBeUndefined();
    expect(result?.skipped.map((s) => [s.path, s.reason])).toEqual([
      ["dev/null", "creating device nodes needs root"],
      ["dev/loop9", "creating device nodes needs root"],
    ]);
    expect((await lstat(join(target, "dev/pipe"))).isFIFO()).toBe(true);
  });

  it("fails with a typed error naming mknod when it is missing, listing what was written", async () => {
    vi.stubEnv("PATH", "/nonexistent");
    try {
      const { error } = await extract([dir("d"), { header: { name: "d/pipe", type: "fifo", mode: 0o600 } }], { specialFiles: "create" });
      expect(error).toBeInstanceOf(ArchiveExtractError);
      expect(error).toMatchObject({ reason: "filesystem", entry: "d/pipe", written: ["d"] });
      expect(error?.message).toMatch(/could not create fifo "d\/pipe": the mknod program is not on PATH/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("extractTo: names", () => {
  it("takes podman's `/` entry as the target itself and leading slashes as relative", async () => {
    const { target, error } = await extract([dir("/"), dir("/tree"), file("/tree/a", "a\n"), dir("./"), file("./b", "b\n")]);
    expect(error).toBeUndefined();
    expect((await readdir(target)).sort()).toEqual(["b", "tree"]);
    expect(await readFile(join(target, "tree/a"), "utf8")).toBe("a\n");
  });

  it("leaves the target directory's own mode alone", async () => {
    const target = await tempDir();
    await chmod(target, 0o700);
    const { error } = await extract([dir("/", 0o777), dir(".", 0o777), file("x", "x")], {}, target);
    expect(error).toBeUndefined();
    expect(await modeOf(target)).toBe(0o700);
  });

  it("keeps symlinks as they are, wherever they point (docker cp does too)", async () => {
    const { target, error } = await extract([link_("abs", "symlink", "/bin/busybox"), link_("up", "symlink", "../../etc/passwd")]);
    expect(error).toBeUndefined();
    expect(await readlink(join(target, "abs"))).toBe("/bin/busybox");
    expect(await readlink(join(target, "up"))).toBe("../../etc/passwd");
  });

  it("takes an absolute hard-link target inside the target, as moby does", async () => {
    const { target, error } = await extract([file("a", "same\n"), link_("b", "link", "/a")]);
    expect(error).toBeUndefined();
    expect((await stat(join(target, "a"))).ino).toBe((await stat(join(target, "b"))).ino);
  });

  it("takes a contiguous file as a file", async () => {
    const { target, error } = await extract([{ header: { name: "c", type: "contiguous-file", size: 2, mode: 0o644 }, content: "c\n" }]);
    expect(error).toBeUndefined();
    expect(await readFile(join(target, "c"), "utf8")).toBe("c\n");
  });
});

describe("extractTo: refusals", () => {
  /** Extracts with an escaping entry in the middle; the entries before it must be listed, none after written. */
  async function refused(bad: CraftedEntry, prepare?: (target: string) => Promise<void>) {
    const parent = await tempDir();
    const target = join(parent, "out");
    await mkdir(target);
    await prepare?.(target);
    const { error } = await extract([dir("a"), file("a/first", "1"), bad, file("last", "never")], {}, target);
    expect(error).toBeInstanceOf(ArchiveExtractError);
    expect(error?.directory).toBe(target);
    await expect(lstat(join(target, "last"))).rejects.toThrow(/ENOENT/);
    return { error: error!, parent, target };
  }

  it.each([
    [file("../evil", "x"), /entry "\.\.\/evil" escapes the target directory/],
    [file("a/../../evil", "x"), /escapes/],
    [dir(".."), /escapes/],
    [link_("hard", "link", "../outside"), /hard link "hard" points outside/],
    [link_("hard", "link", "/../outside"), /hard link "hard" points outside/],
  ])("refuses %j before writing it", async (bad, message) => {
    const { error, parent } = await refused(bad);
    expect(error.reason).toBe("unsafe-entry");
    expect(error.message).toMatch(message);
    expect(error.written).toEqual(["a", "a/first"]);
    expect(error.message).toMatch(/2 entries were written before it/);
    expect(await readdir(parent)).toEqual(["out"]);
  });

  it("refuses writing through a symlink, leaving its target alone", async () => {
    const outside = await tempDir();
    const { error } = await refused(file("sneaky/passwd", "x"), (target) => symlink(outside, join(target, "sneaky")));
    expect(error).toMatchObject({ reason: "unsafe-entry", entry: "sneaky/passwd" });
    expect(error.message).toMatch(/would be written through the symlink "sneaky"/);
    expect(await readdir(outside)).toEqual([]);
  });

  it("refuses a hard link reaching out through a symlink", async () => {
    const outside = await tempDir();
    await writeFile(join(outside, "secret"), "s");
    const { error } = await refused(link_("hard", "link", "out-link/secret"), (target) => symlink(outside, join(target, "out-link")));
    expect(error).toMatchObject({ reason: "unsafe-entry", entry: "hard" });
  });

  it("calls a hard link to nothing malformed", async () => {
    const { error } = await refused(link_("hard", "link", "missing"));
    expect(error).toMatchObject({ reason: "malformed", entry: "hard" });
    expect(error.message).toMatch(/points to "missing", which is not there/);
  });

  it.each([
    ["a file onto a directory", file("a", "x"), undefined, /cannot replace the directory "a" with a non-directory/],
    ["a directory onto a file", dir("a/first"), undefined, /directory "a\/first" would replace a non-directory/],
    ["a directory onto a symlink", dir("lnk"), (t: string) => symlink("/tmp", join(t, "lnk")), /directory "lnk" would replace a symlink/],
  ])("refuses %s, as docker cp does", async (_what, bad, prepare, message) => {
    const { error } = await refused(bad, prepare);
    expect(error.reason).toBe("conflict");
    expect(error.message).toMatch(message);
  });

  it("stops reading the archive at a refusal", async () => {
    const head = await craftTar([file("../evil", "x")]);
    let closed = false;
    let chunks = 0;
    const endless = (async function* () {
      try {
        yield head.subarray(0, 1024);
        for (;;) {
          chunks++;
          yield new Uint8Array(512);
        }
      } finally {
        closed = true;
      }
    })();
    const error = await extractTo(endless, await tempDir()).catch((err: unknown) => err);
    expect(error).toMatchObject({ reason: "unsafe-entry" });
    expect(closed).toBe(true);
    expect(chunks).toBeLessThan(100);
  });
});

describe("extractTo: broken archives", () => {
  it("calls bytes that are not tar malformed", async () => {
    const target = await tempDir();
    const error = await extractTo(streamOf(Buffer.from("<html>not a tar</html>".padEnd(1024, " "))), target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveExtractError);
    expect(error).toMatchObject({ reason: "malformed", written: [] });
    expect((error as Error).message).toMatch(/not readable tar.*nothing was written/);
  });

  it("says what was written when the archive is cut short inside a file", async () => {
    const whole = await craftTar([file("a", "aaa"), file("big", "b".repeat(100_000))]);
    const target = await tempDir();
    const error = (await extractTo(streamOf(whole.subarray(0, 5000)), target).catch((e: unknown) => e)) as ArchiveExtractError;
    expect(error).toBeInstanceOf(ArchiveExtractError);
    expect(error).toMatchObject({ reason: "malformed", entry: "big", written: ["a"] });
    expect(error.message).toMatch(/at "big".*1 entry was written before it.*"big" may be partly written/);
  });

  it("keeps the connection's error as the cause when the archive stops arriving", async () => {
    const whole = await craftTar([file("a", "aaa"), file("big", "b".repeat(100_000))]);
    const lost = new DockerConnectionError("the daemon closed the connection", { host: "unix:///x", reason: "closed" });
    const target = await tempDir();
    const broken = (async function* () {
      yield whole.subarray(0, 5000);
      // Break only once `big` is being written, so that `a` is known to be complete.
      await vi.waitFor(() => lstat(join(target, "big")), { timeout: 10_000, interval: 20 });
      throw lost;
    })();
    const error = (await extractTo(broken, target).catch((e: unknown) => e)) as ArchiveExtractError;
    expect(error).toBeInstanceOf(ArchiveExtractError);
    expect(error).toMatchObject({ reason: "interrupted", entry: "big", written: ["a"] });
    expect(error.cause).toBe(lost);
  });

  it("reports a target it cannot create as a filesystem failure", async () => {
    const parent = await tempDir();
    await writeFile(join(parent, "file"), "");
    const { error } = await extract([file("a", "a")], {}, join(parent, "file/sub"));
    expect(error).toBeInstanceOf(ArchiveExtractError);
    expect(error).toMatchObject({ reason: "filesystem", written: [] });
  });
});

describe("round trip with packHostPath", () => {
  it("restores a packed tree", async () => {
    const root = await tempDir();
    const tree = join(root, "tree");
    await mkdir(join(tree, "a/b"), { recursive: true });
    await writeFile(join(tree, "a/b/deep.txt"), "deep\n");
    await writeFile(join(tree, "run.sh"), "#!/bin/sh\n");
    await chmod(join(tree, "run.sh"), 0o750);
    await symlink("a/b/deep.txt", join(tree, "link"));
    const target = await tempDir();
    await extractTo(await packHostPath(tree, "item"), target);
    expect(await readFile(join(target, "tree/link"), "utf8")).toBe("deep\n");
    expect(await modeOf(join(target, "tree/run.sh"))).toBe(0o750);
  });
});
