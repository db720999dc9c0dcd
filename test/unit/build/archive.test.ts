import { chmod, lstat, mkdir, readFile, readlink, readdir, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hostUpload, packHostPath } from "../../../src/build/archive.js";
import { extractTo } from "../../../src/build/extract.js";
import { decodePathStat } from "../../../src/build/path-stat.js";
import { DockerArgumentError, DockerProtocolError } from "../../../src/core/errors.js";
import { cleanup, tempDir, unpack } from "./tar-helpers.js";

afterEach(cleanup);

/** `tree/` with nested files, an executable, and relative and absolute symlinks. */
async function sampleTree(): Promise<string> {
  const root = await tempDir();
  const tree = join(root, "tree");
  await mkdir(join(tree, "a/b"), { recursive: true });
  await writeFile(join(tree, "top.txt"), "top\n");
  await writeFile(join(tree, "a/b/deep.txt"), "deep\n");
  await writeFile(join(tree, "a/run.sh"), "#!/bin/sh\n");
  await chmod(join(tree, "a/run.sh"), 0o750);
  await symlink("../top.txt", join(tree, "a/up.txt"));
  await symlink("/bin/busybox", join(tree, "sh"));
  return tree;
}

describe("packHostPath and extractTo", () => {
  it("round-trips a tree with nested files, modes and symlinks under its own name", async () => {
    const tree = await sampleTree();
    const target = await tempDir();
    await extractTo(await packHostPath(tree, "item"), target);
    const copy = join(target, "tree");
    expect(await readFile(join(copy, "a/b/deep.txt"), "utf8")).toBe("deep\n");
    expect((await stat(join(copy, "a/run.sh"))).mode & 0o777).toBe(0o750);
    expect(await readlink(join(copy, "a/up.txt"))).toBe("../top.txt");
    expect(await readFile(join(copy, "a/up.txt"), "utf8")).toBe("top\n");
    // Absolute targets are container paths: kept verbatim, as docker cp does.
    expect(await readlink(join(copy, "sh"))).toBe("/bin/busybox");
  });

  it("packs a directory's contents without its name", async () => {
    const tree = await sampleTree();
    const { headers } = await unpack(await packHostPath(tree, "contents"));
    const names = headers.map((h) => h.name);
    expect(names).toContain("top.txt");
    expect(names).toContain("a/b/deep.txt");
    expect(names.some((n) => n.startsWith("tree"))).toBe(false);
  });

  it("packs a single file under its name", async () => {
    const tree = await sampleTree();
    const { headers } = await unpack(await packHostPath(join(tree, "top.txt"), "item"));
    expect(headers.map((h) => h.name)).toEqual(["top.txt"]);
  });

  it("checks a host path before any upload starts", async () => {
    const tree = await sampleTree();
    await expect(hostUpload(join(tree, "missing"), "item")).rejects.toThrow(DockerArgumentError);
    await expect(hostUpload(join(tree, "missing"), "item")).rejects.toThrow(/Cannot copy .*missing: ENOENT/);
    await expect(hostUpload(join(tree, "top.txt"), "contents")).rejects.toThrow(/top\.txt is not a directory/);
    const upload = await hostUpload(join(tree, "top.txt"), "item");
    const names = await upload.send(async (body) => (await unpack(body)).headers.map((h) => h.name));
    expect(names).toEqual(["top.txt"]);
  });

  it("creates the target directory", async () => {
    const tree = await sampleTree();
    const target = join(await tempDir(), "new/dir");
    await extractTo(await packHostPath(join(tree, "top.txt"), "item"), target);
    expect(await readFile(join(target, "top.txt"), "utf8")).toBe("top\n");
  });
});

describe("decodePathStat", () => {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");

  it("decodes the header and the Go file-mode type bits", () => {
    const dir = decodePathStat(encode({ name: "etc", size: 4096, mode: 2147484141, mtime: "2024-01-01T00:00:00Z", linkTarget: "" }));
    expect(dir).toEqual({
      name: "etc",
      size: 4096,
      mode: 2147484141,
      mtime: "2024-01-01T00:00:00Z",
      linkTarget: "",
      isDirectory: true,
      isSymbolicLink: false,
    });
    expect(dir.mode & 0o777).toBe(0o755);
    const link = decodePathStat(encode({ name: "sh", size: 12, mode: 134218239, mtime: "", linkTarget: "/bin/busybox" }));
    expect(link).toMatchObject({ isDirectory: false, isSymbolicLink: true, linkTarget: "/bin/busybox" });
    expect(decodePathStat(encode({ name: "hosts", size: 10, mode: 0o644, mtime: "", linkTarget: "" }))).toMatchObject({
      isDirectory: false,
      isSymbolicLink: false,
    });
  });

  it.each([undefined, "", "not base64!", Buffer.from("not json").toString("base64"), encode({ size: 1 })])(
    "fails with DockerProtocolError for %j",
    (header) => {
      expect(() => decodePathStat(header)).toThrow(DockerProtocolError);
    },
  );
});
