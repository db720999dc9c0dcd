// Container archive methods (statPath, getArchive, putArchive, copyToContainer, copyFromContainer)
// against the mock daemon, with archive routes defined here.
import { lstat, mkdir, readFile, readdir, symlink, writeFile } from "node:fs/promises";
import process from "node:process";
import { join } from "node:path";
import { http, HttpResponse } from "msw";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ArchiveExtractError, Docker, DockerArgumentError, DockerProtocolError, NotFoundError } from "../../../src/index.js";
import { route } from "../../../src/testing/index.js";
import { useMockDaemon } from "../../support/mock-daemon.js";
import { bytesOf, cleanup, craftTar, packWith, tempDir, unpack } from "./tar-helpers.js";

const mock = useMockDaemon({ apiVersion: "1.47" });
let docker: Docker;
beforeAll(() => {
  docker = mock.client();
});
afterEach(() => cleanup());

const DIR_MODE = 2147484141; // os.ModeDir | 0755, as Go encodes it
const statHeader = (stat: object) => Buffer.from(JSON.stringify(stat)).toString("base64");
const missing = () => HttpResponse.json({ message: "Could not find the file /nope in container c1" }, { status: 404 });

/** A directory `tree` holding a file and a symlink. */
async function hostTree(): Promise<string> {
  const root = await tempDir();
  await mkdir(join(root, "tree/sub"), { recursive: true });
  await writeFile(join(root, "tree/sub/file.txt"), "content\n");
  await symlink("sub/file.txt", join(root, "tree/link"));
  return join(root, "tree");
}

/** Records what `PUT /containers/:id/archive` receives. */
function onPut(): Array<{ query: URLSearchParams; body: Uint8Array }> {
  const calls: Array<{ query: URLSearchParams; body: Uint8Array }> = [];
  mock.daemon.use(
    http.put(route("/containers/:id/archive"), async ({ request }) => {
      calls.push({ query: new URL(request.url).searchParams, body: new Uint8Array(await request.arrayBuffer()) });
      return new HttpResponse(null, { status: 200 });
    }),
  );
  return calls;
}

const namesIn = async (body: Uint8Array) =>
  (await unpack((async function* () {
    yield body;
  })())).headers.map((h) => h.name);

describe("container archives", () => {
  it("statPath decodes the path-stat header of a HEAD request", async () => {
    mock.daemon.use(
      http.head(route("/containers/:id/archive"), () =>
        new HttpResponse(null, {
          headers: { "X-Docker-Container-Path-Stat": statHeader({ name: "etc", size: 4096, mode: DIR_MODE, mtime: "2024-05-01T10:00:00Z", linkTarget: "" }) },
        }),
      ),
    );
    const stat = await docker.containers.statPath("c1", "/etc");
    expect(stat).toMatchObject({ name: "etc", size: 4096, isDirectory: true, isSymbolicLink: false });
    const request = mock.daemon.requests.find((r) => r.method === "HEAD" && r.path.endsWith("/archive"))!;
    expect(request.query.get("path")).toBe("/etc");
    mock.daemon.use(http.head(route("/containers/:id/archive"), missing));
    await expect(docker.containers.statPath("c1", "/nope")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("getArchive gives the tar stream and the stat; a missing header is a protocol error", async () => {
    const tree = await hostTree();
    const tar = await bytesOf(await packWith(tree, (h) => h));
    const header = statHeader({ name: "tree", size: 4096, mode: DIR_MODE, mtime: "", linkTarget: "" });
    mock.daemon.use(http.get(route("/containers/:id/archive"), () => new HttpResponse(tar, { headers: { "X-Docker-Container-Path-Stat": header } })));
    const { stat, archive } = await docker.containers.getArchive("c1", "/tree");
    expect(stat.name).toBe("tree");
    expect((await bytesOf(archive)).equals(tar)).toBe(true);

    mock.daemon.use(http.get(route("/containers/:id/archive"), () => new HttpResponse(tar)));
    await expect(docker.containers.getArchive("c1", "/tree")).rejects.toBeInstanceOf(DockerProtocolError);
  });

  it("putArchive uploads a tar as given, or a host directory's contents, with its options", async () => {
    const calls = onPut();
    const tree = await hostTree();
    const tar = await bytesOf(await packWith(tree, (h) => h));
    await docker.containers.putArchive("c1", { path: "/srv", noOverwriteDirNonDir: true }, tar);
    await docker.containers.putArchive("c1", { path: "/srv", copyUIDGID: true }, tree);
    expect(Object.fromEntries(calls[0]!.query)).toEqual({ path: "/srv", noOverwriteDirNonDir: "true" });
    expect(Buffer.from(calls[0]!.body).equals(tar)).toBe(true);
    expect(Object.fromEntries(calls[1]!.query)).toEqual({ path: "/srv", copyUIDGID: "true" });
    expect((await namesIn(calls[1]!.body)).sort()).toEqual(["link", "sub", "sub/file.txt"]);
  });

  it("copyToContainer uploads the host item under its own name", async () => {
    const calls = onPut();
    const tree = await hostTree();
    await docker.containers.copyToContainer("c1", tree, "/srv");
    expect(calls[0]!.query.get("path")).toBe("/srv");
    expect((await namesIn(calls[0]!.body)).sort()).toEqual(["tree", "tree/link", "tree/sub", "tree/sub/file.txt"]);
  });

  it("refuses a missing host path, or a file where a directory belongs, before sending", async () => {
    const tree = await hostTree();
    await expect(docker.containers.copyToContainer("c1", join(tree, "missing"), "/srv")).rejects.toThrow(DockerArgumentError);
    await expect(docker.containers.putArchive("c1", { path: "/srv" }, join(tree, "sub/file.txt"))).rejects.toThrow(/is not a directory/);
    expect(mock.daemon.requests.filter((r) => r.path.endsWith("/archive"))).toEqual([]);
  });

  it("copyFromContainer extracts into the host directory and returns the stat", async () => {
    const tree = await hostTree();
    const tar = await bytesOf(await packWith(join(tree, ".."), (h) => h));
    const header = statHeader({ name: "tree", size: 4096, mode: DIR_MODE, mtime: "", linkTarget: "" });
    mock.daemon.use(http.get(route("/containers/:id/archive"), () => new HttpResponse(tar, { headers: { "X-Docker-Container-Path-Stat": header } })));
    const out = join(await tempDir(), "out");
    const copied = await docker.containers.copyFromContainer("c1", "/tree", out);
    expect(copied).toMatchObject({ stat: { name: "tree", isDirectory: true }, skipped: [] });
    expect(await readFile(join(out, "tree/link"), "utf8")).toBe("content\n");
  });

  it("copyFromContainer refuses an archive reaching outside the host directory", async () => {
    const tree = await hostTree();
    const tar = await bytesOf(await packWith(tree, (h) => (h.name === "sub/file.txt" ? { ...h, name: "../../escaped.txt" } : h)));
    const header = statHeader({ name: "tree", size: 4096, mode: DIR_MODE, mtime: "", linkTarget: "" });
    mock.daemon.use(http.get(route("/containers/:id/archive"), () => new HttpResponse(tar, { headers: { "X-Docker-Container-Path-Stat": header } })));
    const parent = await tempDir();
    const out = join(parent, "deep/out");
    const error = await docker.containers.copyFromContainer("c1", "/tree", out).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ArchiveExtractError);
    expect(error).toMatchObject({ reason: "unsafe-entry", entry: "../../escaped.txt" });
    expect((error as Error).message).toMatch(/escapes the target directory/);
    expect(await readdir(parent)).toEqual(["deep"]);
    expect(await readdir(join(parent, "deep"))).toEqual(["out"]);
  });

  it("copyFromContainer writes with docker cp's semantics and lists what it skipped", async () => {
    const tar = await craftTar([
      { header: { name: "tree", type: "directory", mode: 0o1777, uid: 1234, gid: 5678 } },
      { header: { name: "tree/tool", type: "file", mode: 0o4755, size: 2, uid: 1234, gid: 5678 }, content: "#!" },
      { header: { name: "tree/pipe", type: "fifo", mode: 0o644 } },
    ]);
    const header = statHeader({ name: "tree", size: 4096, mode: DIR_MODE, mtime: "", linkTarget: "" });
    mock.daemon.use(http.get(route("/containers/:id/archive"), () => new HttpResponse(tar, { headers: { "X-Docker-Container-Path-Stat": header } })));
    const out = await tempDir();
    const { skipped } = await docker.containers.copyFromContainer("c1", "/tree", out, { timeout: 30_000 });
    expect(skipped).toEqual([{ path: "tree/pipe", type: "fifo", reason: expect.any(String) }]);
    const tool = await lstat(join(out, "tree/tool"));
    expect([tool.uid, tool.mode & 0o7777]).toEqual([process.getuid?.() ?? 0, 0o755]);
    expect((await lstat(join(out, "tree"))).mode & 0o7777).toBe(0o1777);
    const kept = await tempDir();
    await docker.containers.copyFromContainer("c1", "/tree", kept, { keepSetuid: true, specialFiles: "create" });
    expect((await lstat(join(kept, "tree/tool"))).mode & 0o7777).toBe(0o4755);
    expect((await lstat(join(kept, "tree/pipe"))).isFIFO()).toBe(true);
    const sent = mock.daemon.requests.filter((r) => r.path.endsWith("/archive")).map((r) => r.url);
    for (const url of sent) expect(url).not.toMatch(/keepSetuid|specialFiles|timeout/);
  });
});
