// Container archive methods (statPath, getArchive, putArchive, copyToContainer, copyFromContainer)
// against the mock daemon, with archive routes defined here.
import { mkdir, readFile, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { http, HttpResponse } from "msw";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Docker, DockerArgumentError, DockerProtocolError, NotFoundError } from "../../../src/index.js";
import { route } from "../../../src/testing/index.js";
import { useMockDaemon } from "../../support/mock-daemon.js";
import { bytesOf, cleanup, packWith, tempDir, unpack } from "./tar-helpers.js";

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
    expect(await docker.containers.copyFromContainer("c1", "/tree", out)).toMatchObject({ name: "tree", isDirectory: true });
    expect(await readFile(join(out, "tree/link"), "utf8")).toBe("content\n");
  });

  it("copyFromContainer refuses an archive reaching outside the host directory", async () => {
    const tree = await hostTree();
    const tar = await bytesOf(await packWith(tree, (h) => (h.name === "sub/file.txt" ? { ...h, name: "../../escaped.txt" } : h)));
    const header = statHeader({ name: "tree", size: 4096, mode: DIR_MODE, mtime: "", linkTarget: "" });
    mock.daemon.use(http.get(route("/containers/:id/archive"), () => new HttpResponse(tar, { headers: { "X-Docker-Container-Path-Stat": header } })));
    const parent = await tempDir();
    const out = join(parent, "deep/out");
    await expect(docker.containers.copyFromContainer("c1", "/tree", out)).rejects.toThrow(/escapes the target directory/);
    expect(await readdir(parent)).toEqual(["deep"]);
    expect(await readdir(join(parent, "deep"))).toEqual(["out"]);
  });
});
