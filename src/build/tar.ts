/**
 * The slice of tar-fs (v3) we use, typed here because `@types/tar-fs` predates the options we
 * rely on (`sort`, `umask`, `validateSymlinks`). Loaded on first use: packing and extracting are
 * rare next to plain API calls, so they stay out of the client's start-up time.
 */
import type { Readable, Writable } from "node:stream";
import type { PackStream } from "./source.js";

/** A tar header as tar-fs hands it to `map` hooks. */
export interface TarHeader {
  name: string;
  mode: number;
  mtime: Date;
  size: number;
  type: "file" | "directory" | "link" | "symlink" | string;
  linkname?: string | null;
  uid: number;
  gid: number;
  /** Device numbers of a `character-device` or `block-device` entry. */
  devmajor?: number;
  devminor?: number;
}

/** tar-stream's pack, as far as adding our own entries goes. */
export interface TarPack extends PackStream {
  entry(header: Partial<TarHeader> & { name: string }, content: string | Uint8Array, done: (err?: Error | null) => void): void;
  /** An entry whose content is written to the returned stream (exactly `header.size` bytes, then `end()`). */
  entry(header: Partial<TarHeader> & { name: string }, done: (err?: Error | null) => void): Writable;
  finalize(): void;
  on(event: "error", listener: (err: Error) => void): this;
}

interface PackOptions {
  entries?: string[];
  ignore?: (name: string) => boolean;
  map?: (header: TarHeader) => TarHeader;
  sort?: boolean;
  strict?: boolean;
  umask?: number;
  finalize?: boolean;
  finish?: (pack: TarPack) => void;
}

interface ExtractOptions {
  ignore?: (name: string, header?: TarHeader) => boolean;
  map?: (header: TarHeader) => TarHeader;
  umask?: number;
  validateSymlinks?: boolean;
  /** Apply the entries' owners (only ever done when running as root). */
  chown?: boolean;
  /** Fail on entry types tar-fs cannot create (fifos, devices) instead of skipping them. */
  strict?: boolean;
}

/** tar-stream's extract side: a writable that is also torn down on failure. */
type TarExtract = Writable & Readable;

interface TarFs {
  pack(cwd: string, options?: PackOptions): TarPack;
  extract(cwd: string, options?: ExtractOptions): TarExtract;
}

let loaded: Promise<TarFs> | undefined;

/** tar-fs, imported once. */
export function tarFs(): Promise<TarFs> {
  loaded ??= import("tar-fs").then((mod) => mod as unknown as TarFs);
  return loaded;
}
