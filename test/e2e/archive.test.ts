// Files in and out of containers, export/import, and save/load, against a real engine.
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ArchiveExtractError, Docker, NotFoundError } from "../../src/index.js";
import { TEST_IMAGE, describeEngine, engineHost } from "./engine.js";
import { diverges, taggedAs } from "./engines.js";

const LABEL = { "dockhand.test": "archive-e2e" };
const SUFFIX = `${process.pid}-${Date.now()}`;

/** Every file, directory and link under `root`: relative path → content, mode, or link target. */
async function snapshot(root: string, dir = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(join(root, dir))).sort()) {
    const rel = dir ? `${dir}/${name}` : name;
    const info = await lstat(join(root, rel));
    if (info.isSymbolicLink()) out[rel] = `link -> ${await readlink(join(root, rel))}`;
    else if (info.isDirectory()) {
      out[rel] = `dir ${(info.mode & 0o777).toString(8)}`;
      Object.assign(out, await snapshot(root, rel));
    } else out[rel] = `file ${(info.mode & 0o777).toString(8)} ${await readFile(join(root, rel), "utf8")}`;
  }
  return out;
}

describeEngine("files and archives on a real engine", () => {
  let docker: Docker;
  let work: string;
  let container: string;
  const images: string[] = [];

  /** Runs a shell command in the test container and returns its stdout. */
  async function sh(command: string): Promise<string> {
    const { Id } = await docker.exec.create(container, { Cmd: ["sh", "-c", command], AttachStdout: true, AttachStderr: true });
    const { stdout, stderr } = await (await docker.exec.start(Id)).text();
    expect(stderr).toBe("");
    return stdout;
  }

  /** Runs `image` with `cmd` to completion and returns its stdout. */
  async function run(image: string, cmd: string[]): Promise<string> {
    const { Id } = await docker.containers.create({ Image: image, Cmd: cmd, Labels: LABEL });
    await docker.containers.start(Id);
    expect((await docker.containers.wait(Id)).StatusCode).toBe(0);
    const { stdout } = await (await docker.containers.logs(Id, { stdout: true, stderr: true })).text();
    await docker.containers.remove(Id);
    return stdout;
  }

  beforeAll(async () => {
    docker = new Docker({ host: engineHost() });
    work = await mkdtemp(join(tmpdir(), "dockhand-e2e-archive-"));
    const { Id } = await docker.containers.create({ Image: TEST_IMAGE, Cmd: ["sleep", "600"], Labels: LABEL });
    container = Id;
    await docker.containers.start(container);
  });

  afterAll(async () => {
    const leftovers = await docker.containers.list({ all: true, filters: { label: ["dockhand.test=archive-e2e"] } });
    await Promise.all(leftovers.map((c) => docker.containers.remove(c.Id!, { force: true })));
    for (const image of images) {
      await docker.images.remove(image, { force: true }).catch((err: unknown) => {
        if (!(err instanceof NotFoundError)) throw err;
      });
    }
    await docker.close();
    await rm(work, { recursive: true, force: true });
  });

  it("copies a directory with nested files, modes and symlinks in and back out unchanged", async () => {
    const tree = join(work, "tree");
    await mkdir(join(tree, "nested/deeper"), { recursive: true });
    await writeFile(join(tree, "top.txt"), "top\n");
    await writeFile(join(tree, "nested/deeper/leaf.txt"), "leaf\n".repeat(1000));
    await writeFile(join(tree, "nested/run.sh"), "#!/bin/sh\necho run\n");
    await chmod(join(tree, "nested/run.sh"), 0o750);
    await symlink("../top.txt", join(tree, "nested/top-link"));
    await symlink("/etc/hostname", join(tree, "abs-link"));

    await docker.containers.copyToContainer(container, tree, "/tmp");
    expect(await sh("cat /tmp/tree/nested/top-link; ls -l /tmp/tree/nested/run.sh | cut -c1-10")).toBe("top\n-rwxr-x---\n");

    const dirStat = await docker.containers.statPath(container, "/tmp/tree");
    expect(dirStat).toMatchObject({ name: "tree", isDirectory: true, isSymbolicLink: false });
    const linkStat = await docker.containers.statPath(container, "/tmp/tree/abs-link");
    if (diverges("archiveStatFollowsLinks")) expect(linkStat).toMatchObject({ name: "hostname", isSymbolicLink: true });
    else expect(linkStat).toMatchObject({ name: "abs-link", isSymbolicLink: true, linkTarget: "/etc/hostname" });

    const out = join(work, "out");
    const { stat: copied, skipped } = await docker.containers.copyFromContainer(container, "/tmp/tree", out);
    expect(copied).toMatchObject({ name: "tree", isDirectory: true });
    expect(skipped).toEqual([]);
    expect(await snapshot(join(out, "tree"))).toEqual(await snapshot(tree));
  });

  it("copies out as docker cp does: the caller's owner, sticky kept, setuid dropped, fifos and devices skipped", async () => {
    await sh(
      "mkdir -p /tmp/special/shared && chmod 1777 /tmp/special/shared && echo tool > /tmp/special/tool && " +
        "chown 1234:5678 /tmp/special /tmp/special/tool && chmod 4755 /tmp/special/tool && chmod 2750 /tmp/special && " +
        "mkfifo /tmp/special/pipe && mknod /tmp/special/null c 1 3",
    );
    const out = join(work, "special-out");
    const { stat: copied, skipped } = await docker.containers.copyFromContainer(container, "/tmp/special", out);
    expect(copied).toMatchObject({ name: "special", isDirectory: true });
    expect(skipped.map((s) => [s.path, s.type]).sort()).toEqual([
      ["special/null", "character-device"],
      ["special/pipe", "fifo"],
    ]);
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    const modeAndOwner = async (path: string) => {
      const info = await lstat(join(out, path));
      return [(info.mode & 0o7777).toString(8), info.uid, info.gid];
    };
    expect(await modeAndOwner("special")).toEqual(["750", uid, gid]);
    expect(await modeAndOwner("special/shared")).toEqual(["1777", uid, gid]);
    expect(await modeAndOwner("special/tool")).toEqual(["755", uid, gid]);
    expect(await readFile(join(out, "special/tool"), "utf8")).toBe("tool\n");
    expect((await readdir(join(out, "special"))).sort()).toEqual(["shared", "tool"]);

    // Asked for, as root: the archive's owners and setuid bits, and the fifo and device themselves.
    if (process.getuid?.() !== 0) return;
    const kept = join(work, "special-kept");
    const all = await docker.containers.copyFromContainer(container, "/tmp/special", kept, {
      copyUIDGID: true,
      keepSetuid: true,
      specialFiles: "create",
    });
    expect(all.skipped).toEqual([]);
    const keptModeAndOwner = async (path: string) => {
      const info = await lstat(join(kept, path));
      return [(info.mode & 0o7777).toString(8), info.uid, info.gid];
    };
    const [owner, group] = diverges("archiveOwners") ? [0, 0] : [1234, 5678];
    expect(await keptModeAndOwner("special")).toEqual(["2750", owner, group]);
    expect(await keptModeAndOwner("special/tool")).toEqual(["4755", owner, group]);
    expect(await keptModeAndOwner("special/shared")).toEqual(["1777", 0, 0]);
    expect((await lstat(join(kept, "special/pipe"))).isFIFO()).toBe(true);
    const device = await lstat(join(kept, "special/null"));
    expect(device.isCharacterDevice()).toBe(true);
    expect(device.rdev).toBe((1 << 8) | 3);
  });

  it("copies a directory's contents (`/.`) and refuses to replace a host file with a directory", async () => {
    await sh("mkdir -p /tmp/contents/sub && echo in > /tmp/contents/sub/f");
    const out = join(work, "contents-out");
    await mkdir(out);
    const { stat: copied } = await docker.containers.copyFromContainer(container, "/tmp/contents/.", out);
    expect(copied.isDirectory).toBe(true);
    expect(await readFile(join(out, "sub/f"), "utf8")).toBe("in\n");

    const clash = join(work, "clash-out");
    await mkdir(clash);
    await writeFile(join(clash, "sub"), "a host file\n");
    const error = await docker.containers.copyFromContainer(container, "/tmp/contents/.", clash).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ArchiveExtractError);
    expect(error).toMatchObject({ reason: "conflict", entry: "sub", written: [] });
    expect(await readFile(join(clash, "sub"), "utf8")).toBe("a host file\n");
  });

  it("puts a host directory's contents, and a tar stream, into a container directory", async () => {
    const dir = join(work, "contents");
    await mkdir(join(dir, "sub"), { recursive: true });
    await writeFile(join(dir, "a.txt"), "a\n");
    await writeFile(join(dir, "sub/b.txt"), "b\n");
    await sh("mkdir -p /tmp/put");
    await docker.containers.putArchive(container, { path: "/tmp/put" }, dir);
    expect(await sh("cat /tmp/put/a.txt /tmp/put/sub/b.txt")).toBe("a\nb\n");

    // Round trip a path's archive from one place to another, streaming both ways.
    const { stat: hostsStat, archive } = await docker.containers.getArchive(container, "/etc/hostname");
    expect(hostsStat).toMatchObject({ name: "hostname", isDirectory: false });
    await docker.containers.putArchive(container, { path: "/tmp/put" }, archive);
    expect(await sh("cat /tmp/put/hostname")).toBe(await sh("cat /etc/hostname"));
  });

  it("reports missing paths with NotFoundError", async () => {
    await expect(docker.containers.statPath(container, "/no/such/path")).rejects.toBeInstanceOf(NotFoundError);
    await expect(docker.containers.getArchive(container, "/no/such/path")).rejects.toBeInstanceOf(NotFoundError);
    const putting = docker.containers.putArchive(container, { path: "/no/such/dir" }, join(work, "tree"));
    if (diverges("archivePutCreatesDir")) {
      await putting;
      expect(await sh("ls /no/such/dir")).toBe("abs-link\nnested\ntop.txt\n");
    } else await expect(putting).rejects.toBeInstanceOf(NotFoundError);
    await expect(docker.containers.copyFromContainer(container, "/no/such/path", join(work, "none"))).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it("saves an image to a file, removes it, loads it back and runs it", async () => {
    const tag = `dockhand-e2e-save:${SUFFIX}`;
    images.push(tag);
    // An image with a layer of its own, so removing it really deletes data that load must bring back.
    const id = await (
      await docker.images.build({ dockerfileContent: `FROM ${TEST_IMAGE}\nRUN echo saved-${SUFFIX} > /marker\n`, tags: [tag] })
    ).imageId();
    const file = join(work, "image.tar");
    await pipeline(await docker.images.get(tag), createWriteStream(file));
    expect((await stat(file)).size).toBeGreaterThan(1_000_000);

    await docker.images.remove(tag);
    await expect(docker.images.inspect(id)).rejects.toBeInstanceOf(NotFoundError);

    const messages = await (await docker.images.load({}, createReadStream(file))).collect();
    expect(messages.map((m) => m.stream ?? "").join("")).toContain(`Loaded image: ${taggedAs(tag)}`);
    expect((await docker.images.inspect(tag)).Id).toBe(id);
    expect(await run(tag, ["cat", "/marker"])).toBe(`saved-${SUFFIX}\n`);
  });

  it("exports a container's filesystem straight into an imported image", async () => {
    const repo = `dockhand-e2e-import`;
    const tag = SUFFIX;
    images.push(`${repo}:${tag}`);
    await sh(`echo exported-${SUFFIX} > /exported`);
    const progress = await docker.images.import(
      { repo, tag, changes: ['CMD ["cat", "/exported"]'] },
      await docker.containers.export(container),
    );
    const last = await progress.done();
    expect(last?.status).toMatch(/^sha256:[0-9a-f]{64}$/);
    if (diverges("importTag")) images.push(last!.status!);
    const image = diverges("importTag") ? last!.status! : `${repo}:${tag}`;
    expect(await run(image, ["cat", "/exported"])).toBe(`exported-${SUFFIX}\n`);
  });
});
