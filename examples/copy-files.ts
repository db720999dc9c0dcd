/**
 * Copy files into and out of a container, like `docker cp`.
 *
 *   npx tsx examples/copy-files.ts            # IMAGE=alpine to use another image (default busybox)
 *
 * Directories are packed and unpacked as tar streams on the fly (nothing is buffered whole), and
 * entries that would land outside the target directory are refused.
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Docker, NotFoundError } from "../src/index.js";

const image = process.env["IMAGE"] ?? "busybox:latest";
const docker = Docker.fromEnv();
const work = await mkdtemp(join(tmpdir(), "dockhand-copy-"));
await docker.images.pullIfMissing(image);
const { Id } = await docker.containers.create({ Image: image, Cmd: ["sleep", "300"], Labels: { "dockhand.example": "copy-files" } });
try {
  await docker.containers.start(Id);

  // A small project on the host…
  const site = join(work, "site");
  await mkdir(join(site, "css"), { recursive: true });
  await writeFile(join(site, "index.html"), "<h1>hello from the host</h1>\n");
  await writeFile(join(site, "css", "main.css"), "h1 { color: teal }\n");

  // …copied in, keeping its name: /srv/site/index.html, /srv/site/css/main.css.
  await docker.exec.run(Id, ["mkdir", "-p", "/srv"]);
  await docker.containers.copyToContainer(Id, site, "/srv");
  const listing = await docker.exec.run(Id, ["ls", "-R", "/srv/site"]);
  console.log(`in the container:\n${listing.stdout.trim()}`);

  // Change something inside, then copy the directory back out.
  await docker.exec.run(Id, ["sh", "-c", "echo 'built inside' > /srv/site/build.txt"]);
  const out = join(work, "out");
  const { stat, skipped } = await docker.containers.copyFromContainer(Id, "/srv/site", out);
  console.log(`copied out ${stat.name} (a directory: ${stat.isDirectory}; ${skipped.length} fifos or devices skipped)`);
  console.log(`build.txt says: ${(await readFile(join(out, "site", "build.txt"), "utf8")).trim()}`);

  // Asking about a path that is not there is a typed error, not an empty answer.
  try {
    await docker.containers.statPath(Id, "/srv/missing");
  } catch (err) {
    if (err instanceof NotFoundError) console.log(`statPath("/srv/missing") rejects with ${err.name} (status ${err.statusCode})`);
    else throw err;
  }
} finally {
  await docker.containers.remove(Id, { force: true });
  await docker.close();
  await rm(work, { recursive: true, force: true });
}
