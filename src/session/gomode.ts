/**
 * File modes as fsutil sends them: Go's `os.FileMode` bits (type flags in the high bits, the
 * permission bits low), not the unix `st_mode` that `fs.Stats.mode` holds.
 */

/** Go's `fs.ModeDir` and friends (io/fs). */
export const GoMode = {
  dir: 0x8000_0000,
  symlink: 1 << 27,
  device: 1 << 26,
  namedPipe: 1 << 25,
  socket: 1 << 24,
  setuid: 1 << 23,
  setgid: 1 << 22,
  charDevice: 1 << 21,
  sticky: 1 << 20,
  irregular: 1 << 19,
} as const;

/** Every type bit: a mode without any of them is a regular file. */
const TYPE = GoMode.dir | GoMode.symlink | GoMode.namedPipe | GoMode.socket | GoMode.device | GoMode.charDevice | GoMode.irregular;

const S_IFMT = 0o170000;
const TYPES: ReadonlyMap<number, number> = new Map([
  [0o040000, GoMode.dir],
  [0o120000, GoMode.symlink],
  [0o060000, GoMode.device],
  [0o020000, GoMode.device | GoMode.charDevice],
  [0o010000, GoMode.namedPipe],
  // fsutil clears the socket bit (tar cannot carry it), so a socket goes out as a plain mode.
  [0o140000, 0],
  [0o100000, 0],
]);

/** Converts a unix `st_mode` into Go's `os.FileMode`, as fsutil's stat does (an unsigned 32-bit value). */
export function goFileMode(unixMode: number): number {
  let mode = (unixMode & 0o777) | (TYPES.get(unixMode & S_IFMT) ?? GoMode.irregular);
  if (unixMode & 0o4000) mode |= GoMode.setuid;
  if (unixMode & 0o2000) mode |= GoMode.setgid;
  if (unixMode & 0o1000) mode |= GoMode.sticky;
  return mode >>> 0;
}

/** Whether the receiver may ask for the entry's content: regular files only (fsutil's rule). */
export function hasContent(goMode: number): boolean {
  return (goMode & TYPE) === 0;
}

/** Whether a Go mode is a directory. */
export function isGoDir(goMode: number): boolean {
  return (goMode & GoMode.dir) !== 0;
}
