import type { Nanos } from "./time.js";

/** An image in the mock's store. */
export interface MockImage {
  /** `sha256:` plus 64 hex digits. */
  id: string;
  /** Familiar `repository:tag` names (`busybox:latest`). */
  repoTags: string[];
  /** `repository@sha256:...` for images that came from a registry. */
  repoDigests: string[];
  /** When it was created, in nanoseconds since the epoch. */
  created: Nanos;
  /** Size in bytes. */
  size: number;
  /** Labels from the image's config. */
  labels: Record<string, string>;
  /** Defaults a container inherits. */
  config: {
    /** Default command. */
    Cmd: string[] | null;
    /** Default entrypoint. */
    Entrypoint: string[] | null;
    /** Default environment, `NAME=value`. */
    Env: string[];
    /** Default working directory. */
    WorkingDir: string;
    /** Default user. */
    User: string;
    /** Ports the image exposes (`EXPOSE`), as `80/tcp` keys. */
    ExposedPorts?: Record<string, Record<string, never>>;
    /** Paths that get a volume (`VOLUME`). */
    Volumes?: Record<string, Record<string, never>>;
    /** The signal that stops its containers (`STOPSIGNAL`). */
    StopSignal?: string;
    /** The shell of shell-form instructions, when `SHELL` set one. */
    Shell?: string[];
  };
  /** Layer digests, for RootFS, history and pull progress. */
  layers: string[];
  /** The image a build step made this one from; absent for pulled and seeded images. */
  parent?: string;
  /** That build step, as history shows it (`/bin/sh -c #(nop)  ENV A=b`, `/bin/sh -c make`). */
  createdBy?: string;
}
