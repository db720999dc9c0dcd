/**
 * A BuildKit build's `outputs`, like `docker buildx build --output`: the result is exported to
 * the client (a directory, or a tar archive) instead of becoming an image. The daemon takes the
 * exporter as JSON in the query (`outputs`, API 1.40+, one entry) and sends the files through the
 * session's FileSend service, which session/filesend.ts serves.
 */
import type { Writable } from "node:stream";
import { type ArchiveExtractError, type BuildError, DockerArgumentError } from "../core/errors.js";
import { FILE_SEND, receiveDirectory, receiveTar } from "../session/filesend.js";
import { GrpcError } from "../session/grpc.js";
import type { GrpcHandler } from "../session/server.js";

/** Writes the build's result into a directory, like `--output type=local,dest=DIR`. */
export interface LocalBuildExport {
  /** The exporter. */
  type: "local";
  /**
   * The directory (created if missing; what is there already stays, unless the export replaces
   * it). Files are written as `copyFromContainer` writes them: owned by the caller, modes as
   * built (setuid/setgid included), nothing outside it or through a symlink. A refused entry or a
   * failed write fails the build with a `BuildError` whose `cause` is the `ArchiveExtractError`.
   */
  dest: string;
}

/** Writes the build's result as one tar archive, like `--output type=tar,dest=FILE`. */
export interface TarBuildExport {
  /** The exporter. */
  type: "tar";
  /**
   * A file (created or truncated), or a writable stream: ended once the archive is complete,
   * destroyed if the export fails. A failed write fails the build with a `BuildError` whose
   * `cause` is the write's error (the file's system error, or the one the stream failed with).
   */
  dest: string | Writable;
}

/** Where a BuildKit build exports its result instead of creating an image. */
export type BuildExport = LocalBuildExport | TarBuildExport;

/** The checked output of a build, as the query states it and with the session method that receives it. */
export interface ExportTarget {
  /** The `outputs` query value. */
  query: string;
  /** The session method and its handler. */
  method: string;
  handler: GrpcHandler;
  /**
   * What failed on the client while receiving the result, once something did: the local
   * export's {@link ArchiveExtractError}, or the error writing a tar output's `dest`. The daemon
   * then fails the build; its {@link BuildError} carries this as its `cause`.
   */
  failure(): Error | undefined;
}

/** Checks `outputs` (from untyped callers too) and returns what the build needs, or `undefined` for none. */
export function exportTarget(outputs: readonly BuildExport[] | undefined): ExportTarget | undefined {
  if (outputs === undefined) return undefined;
  if (!Array.isArray(outputs)) throw new DockerArgumentError("outputs must be an array of { type, dest }");
  if (outputs.length === 0) return undefined;
  if (outputs.length > 1) throw new DockerArgumentError(`The daemon exports a build to one output, got ${outputs.length}`);
  const output = outputs[0] as { type?: unknown; dest?: unknown };
  const { type, dest } = output;
  if (type !== "local" && type !== "tar") {
    throw new DockerArgumentError(`outputs: type must be "local" or "tar", got ${JSON.stringify(type)}`);
  }
  const isStream = type === "tar" && typeof dest === "object" && dest !== null && typeof (dest as Writable).write === "function";
  if (!isStream && (typeof dest !== "string" || dest === "")) {
    throw new DockerArgumentError(`outputs: a ${type} output needs dest, ${type === "tar" ? "a file path or a writable stream" : "a directory path"}`);
  }
  // `dest` stays here: the daemon sends the files to the session, never to a path of its own.
  const query = JSON.stringify([{ Type: type, Attrs: {} }]);
  const receive = type === "local" ? receiveDirectory(dest as string) : receiveTar(dest as string | Writable);
  let failure: Error | undefined;
  const handler: GrpcHandler = async (call) => {
    try {
      await receive(call);
    } catch (err) {
      // The client's own failure, not the daemon ending the call or breaking the protocol (its
      // build error says so itself).
      if (!call.signal.aborted && !(err instanceof GrpcError) && err instanceof Error) failure ??= err;
      throw err;
    }
  };
  return { query, method: FILE_SEND, handler, failure: () => failure };
}
