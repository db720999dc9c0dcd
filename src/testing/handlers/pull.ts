import type { HttpHandler } from "msw";
import { endpoint } from "../endpoint.js";
import { shortId } from "../ids.js";
import { liveStream } from "../live.js";
import type { MockImage } from "../image.js";
import { familiar, parseRef, type ImageRef } from "../refs.js";
import { DaemonError } from "../reply.js";
import type { MockState } from "../state.js";
import type { Schema } from "../wire.js";
import type { DaemonSettings } from "./settings.js";

/** A pull progress line. The spec dropped `progress` and `error`, but daemons still send both. */
export type ProgressLine = Schema<"CreateImageInfo"> & { progress?: string; error?: string };

/**
 * `POST /images/create?fromImage=...`: pulls from the mock registry with the daemon's progress
 * messages. Without a tag or digest the daemon pulls every tag of the repository (what
 * `docker pull --all-tags` sends); the CLI adds `:latest` itself for a plain pull.
 */
export function pullHandler(state: MockState, settings: DaemonSettings): HttpHandler {
  return endpoint.post("/images/create", ({ query }) => {
    const from = query.get("fromImage");
    if (!from) throw new DaemonError(400, "the mock daemon only supports pulling (fromImage), not importing (fromSrc)");
    const tag = query.get("tag");
    const text = tag ? `${from}${tag.includes(":") ? "@" : ":"}${tag}` : from;
    const ref = parseRef(text);
    if (!ref) throw new DaemonError(400, `invalid reference format: repository name (${text}) must be lowercase`);
    const explicit = Boolean(tag) || text.includes("@") || /:[^/]+$/.test(text);
    const names = explicit
      ? [familiar(ref)]
      : [...state.registry.keys()].filter((name) => name.slice(0, name.lastIndexOf(":")) === ref.repository);
    const body = liveStream(settings.closing, (sink) => {
      // The daemon separates progress messages with CRLF.
      const send = (message: ProgressLine) => sink.push(`${JSON.stringify(message)}\r\n`);
      if (names.length === 0) {
        send(errorLine(missingMessage(ref, familiar(ref), false)));
        return sink.close();
      }
      let fresh = false;
      for (const name of names) {
        const outcome = pullWithProgress(state, send, ref, name);
        if ("error" in outcome) {
          send(errorLine(outcome.error));
          return sink.close();
        }
        fresh ||= outcome.fresh;
      }
      send(pullStatus(fresh, explicit ? names[0]! : ref.repository));
      sink.close();
    });
    return new Response(body, { headers: { "Content-Type": "application/json" } });
  });
}

/** The last line of a successful pull. */
export function pullStatus(fresh: boolean, name: string): ProgressLine {
  return { status: `Status: ${fresh ? "Downloaded newer image" : "Image is up to date"} for ${name}` };
}

/**
 * Pulls one tag (`name`, familiar form) with its progress lines; says whether it was new, or
 * gives the daemon's error message for the caller to report (a pull answers it as the last line,
 * a build as the build's error).
 */
export function pullWithProgress(
  state: MockState,
  send: (message: ProgressLine) => void,
  ref: ImageRef,
  name: string,
): { image: MockImage; fresh: boolean } | { error: string } {
  const pulled = state.pull(name);
  if (!pulled) return { error: missingMessage(ref, name, [...state.registry.keys()].some((known) => known.startsWith(`${ref.repository}:`))) };
  send({ status: `Pulling from ${remotePath(ref.repository)}`, id: name.slice(name.lastIndexOf(":") + 1) });
  if (!pulled.upToDate) {
    const layerSize = Math.max(1, Math.round(pulled.image.size / pulled.image.layers.length));
    const half = Math.round(layerSize / 2);
    for (const layer of pulled.image.layers) send({ status: "Pulling fs layer", progressDetail: {}, id: shortId(layer) });
    for (const layer of pulled.image.layers) {
      const id = shortId(layer);
      send({ status: "Downloading", progressDetail: { current: half, total: layerSize }, progress: progressBar(half, layerSize), id });
      send({ status: "Verifying Checksum", progressDetail: {}, id });
      send({ status: "Download complete", progressDetail: {}, id });
      send({ status: "Extracting", progressDetail: { current: layerSize, total: layerSize }, progress: progressBar(layerSize, layerSize), id });
      send({ status: "Pull complete", progressDetail: {}, id });
    }
  }
  send({ status: `Digest: ${pulled.digest}` });
  return { image: pulled.image, fresh: !pulled.upToDate };
}

/** The daemon's error line in a JSON progress stream. */
export function errorLine(message: string): ProgressLine {
  return { errorDetail: { message }, error: message };
}

/** Why a pull failed: an unknown tag of a known repository, or a repository the registry does not have. */
function missingMessage(ref: ImageRef, name: string, knownRepository: boolean): string {
  return knownRepository
    ? `manifest for ${name} not found: manifest unknown: manifest unknown`
    : `pull access denied for ${ref.repository}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`;
}

/** The repository path as the registry names it in progress messages (`library/busybox`). */
function remotePath(repository: string): string {
  const first = repository.split("/")[0] ?? "";
  const hasRegistry = repository.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  if (hasRegistry) return repository.slice(first.length + 1);
  return repository.includes("/") ? repository : `library/${repository}`;
}

/** The daemon's text progress bar: 50 columns, then `current/total` in decimal units. */
function progressBar(current: number, total: number): string {
  const filled = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
  return `[${"=".repeat(filled)}>${" ".repeat(50 - filled)}] ${humanSize(current).padStart(8)}/${humanSize(total)}`;
}

/** Go's `units.HumanSize`: four significant digits, decimal units. */
function humanSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(4))}${units[unit]}`;
}
