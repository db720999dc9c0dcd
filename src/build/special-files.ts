/**
 * Creating fifos and device nodes from archive entries. Node has no mknod(2) binding, so this
 * runs the system's `mknod` program (coreutils / busybox), which takes the mode explicitly.
 */
import { execFile } from "node:child_process";
import { lchown } from "node:fs/promises";
import process from "node:process";

/** A fifo or device entry to create on the host. */
export interface SpecialEntry {
  /** Relative, `/`-separated path in the archive. */
  path: string;
  /** Absolute host path. */
  abs: string;
  type: "fifo" | "character-device" | "block-device";
  /** Permission bits to give it (already stripped of the bits the caller did not ask to keep). */
  mode: number;
  devmajor: number;
  devminor: number;
  uid: number;
  gid: number;
}

const MKNOD_TYPE = { fifo: "p", "character-device": "c", "block-device": "b" } as const;

/** Whether this process may create device nodes (root on a Unix). */
export function canCreateDevices(): boolean {
  return process.platform !== "win32" && process.getuid?.() === 0;
}

/** Why an entry of this type cannot be created here, or `undefined` when it can. */
export function specialFileObstacle(type: SpecialEntry["type"]): string | undefined {
  if (process.platform === "win32") return "fifos and device nodes cannot be created on Windows";
  if (type !== "fifo" && !canCreateDevices()) return "creating device nodes needs root";
  return undefined;
}

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { windowsHide: true, timeout: 30_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const code = (err as NodeJS.ErrnoException).code;
      // `mknod` missing is the one failure whose cure is outside the archive: say so.
      if (code === "ENOENT") reject(Object.assign(new Error("the mknod program is not on PATH"), { code }));
      else reject(Object.assign(new Error(stderr.trim() || err.message), { code: typeof code === "string" ? code : "EIO" }));
    });
  });
}

/** Creates one fifo or device node (its parent exists), owned by its archive ids when `chown`. */
export async function createSpecialFile(entry: SpecialEntry, chown: boolean): Promise<void> {
  const args = ["-m", entry.mode.toString(8), "--", entry.abs, MKNOD_TYPE[entry.type]];
  if (entry.type !== "fifo") args.push(String(entry.devmajor), String(entry.devminor));
  await run("mknod", args);
  if (chown) await lchown(entry.abs, entry.uid, entry.gid);
}
