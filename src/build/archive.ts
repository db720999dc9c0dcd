/**
 * Packing host files for a container (`putArchive`, `copyToContainer`) as tar archives. The way
 * back, unpacking a container's archive on the host, is extract.ts.
 */
import type { Stats } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { DockerArgumentError } from "../core/errors.js";
import { type PackStream, PackedUpload } from "./source.js";
import { tarFs } from "./tar.js";

/**
 * Packs host content for upload. `what: "item"` packs the file or directory itself under its own
 * name (`docker cp ./dir ctr:/dst` → `/dst/dir`); `"contents"` packs what is inside the directory
 * (like `docker cp ./dir/. ctr:/dst`, minus the directory's own entry). Symlinks are sent as
 * links; modes are kept.
 */
export async function packHostPath(hostPath: string, what: "item" | "contents"): Promise<PackStream> {
  const { pack } = await tarFs();
  const full = resolve(hostPath);
  const options = { sort: true, strict: false, umask: 0 } as const;
  if (what === "item") return pack(dirname(full), { ...options, entries: [basename(full)] });
  // The directory's children only: an entry for the directory itself would reset the mode and
  // owner of the container directory they land in.
  return pack(full, { ...options, entries: (await readdir(full)).sort() });
}

/**
 * An upload of host content (see {@link packHostPath}), after checking, with nothing sent yet,
 * that `hostPath` exists (and is a directory for `"contents"`): failing then beats a daemon error
 * about a truncated archive.
 */
export async function hostUpload(hostPath: string, what: "item" | "contents"): Promise<PackedUpload> {
  let info: Stats;
  try {
    info = await lstat(hostPath);
  } catch (err) {
    throw new DockerArgumentError(`Cannot copy ${hostPath}: ${(err as Error).message}`, { cause: err });
  }
  if (what === "contents" && !info.isDirectory()) throw new DockerArgumentError(`${hostPath} is not a directory`);
  return new PackedUpload(() => packHostPath(hostPath, what), hostPath);
}
