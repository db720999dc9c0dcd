import { DockerProtocolError, type RequestFacts } from "../core/errors.js";
import { JsonStream } from "../streams/jsonlines.js";
import { buildErrorCheck } from "../streams/message-errors.js";
import type { ProgressMessage } from "../streams/progress.js";
import type { BuildEvent } from "./events.js";
import type { BuildTrace } from "./trace.js";

/** The `id` of a BuildKit build's progress messages; `aux` is a base64 protobuf StatusResponse. */
const TRACE_ID = "moby.buildkit.trace";

/**
 * A quiet classic build's only output: the image id as a line of text, with no `aux` message —
 * `sha256:…` from dockerd, the bare 64 hex digits from podman.
 */
const QUIET_ID = /^(?:sha256:)?([0-9a-f]{64})\n?$/;

/**
 * The image id in a build's result message (`{"aux":{"ID":"sha256:…"}}`, or a quiet build's
 * `{"stream":"sha256:…\n"}`), if `message` is one, always in the `sha256:…` form. A step printing such a line in a verbose build
 * is overridden by the `aux` message the daemon sends last.
 */
export function builtImageId(message: ProgressMessage): string | undefined {
  const aux = message.aux as { ID?: unknown } | null | undefined;
  if (typeof aux === "object" && aux !== null && typeof aux.ID === "string") return aux.ID;
  const hex = typeof message.stream === "string" ? QUIET_ID.exec(message.stream)?.[1] : undefined;
  return hex === undefined ? undefined : `sha256:${hex}`;
}

/** Counts of a BuildKit build's local file transfer. */
export interface BuildTransfer {
  /** Files and directories listed to the daemon. */
  entries: number;
  /** Files whose content the daemon asked for. */
  files: number;
  /** Bytes of file content sent. */
  bytes: number;
}

/** What a BuildKit build adds to its stream, and the call's line limit. */
interface BuildKitParts {
  /** Decodes the `moby.buildkit.trace` messages (build/trace.ts, loaded only by BuildKit builds). */
  trace?: BuildTrace | undefined;
  /** Counts of the session's file transfer, updated while the build runs. */
  transfer?: BuildTransfer | undefined;
  /** The call's `jsonLine` limit. */
  maxLine?: number | undefined;
  /** The `buildid` the build was started with. */
  buildId?: string | undefined;
  /** What failed on the client while receiving the build's `outputs`, for the BuildError's `cause`. */
  exportFailure?: (() => Error | undefined) | undefined;
}

/**
 * The output of an image build, as JSON messages: `stream` holds a classic build's text,
 * `moby.buildkit.trace` messages a BuildKit build's progress, `aux.ID` the built image's id.
 * Read it once — iterate the raw messages, iterate {@link BuildStream.events} for typed progress,
 * or call {@link BuildStream.imageId}. A failing step ends it with a `BuildError` whose `output`
 * holds the output up to the failure (and, for BuildKit, whose `step` names the failed step).
 *
 * @example
 * ```ts
 * const build = await docker.images.build({ context: "./app", tags: ["app:dev"] });
 * for await (const event of build.events()) {
 *   if (event.type === "vertex-started") console.log(`#${event.index} ${event.name}`);
 *   if (event.type === "log" || event.type === "output") process.stdout.write(event.text);
 * }
 * const id = await build.imageId(); // the id seen while iterating
 * ```
 */
export class BuildStream extends JsonStream<ProgressMessage> {
  readonly #facts: RequestFacts | undefined;
  /** Filled by the message check, which runs before the stream exists (it is a constructor argument). */
  readonly #seen: Seen;
  /** Set once {@link BuildStream.events} read the stream to its end without error. */
  #finished = false;
  /**
   * BuildKit builds only: what the daemon fetched of the context and Dockerfile through the
   * session so far (a rebuild lists every entry but fetches only changed files).
   */
  readonly transfer: Readonly<BuildTransfer> | undefined;
  /**
   * BuildKit builds only: the id the build was started with, which `images.cancelBuild` takes to
   * stop it from elsewhere (an abort, a timeout or leaving the stream early stops it already).
   */
  readonly buildId: string | undefined;

  /** @internal */
  constructor(source: AsyncIterable<Uint8Array>, facts?: RequestFacts, { trace, transfer, maxLine, buildId, exportFailure }: BuildKitParts = {}) {
    const seen: Seen = { id: undefined, pending: undefined };
    const failed = buildErrorCheck(facts, trace && (() => trace.failure()), exportFailure);
    super(source, {
      facts,
      maxLine,
      // Runs on every message before it is handed out, whoever reads: decoding here keeps the
      // failed step's name and output for the BuildError, whatever way the stream is read.
      check: (message) => {
        seen.id = builtImageId(message) ?? seen.id;
        const events = eventsOf(message, trace, facts);
        if (seen.pending && events.length > 0) seen.pending.push(...events);
        failed(message);
      },
    });
    this.#facts = facts;
    this.#seen = seen;
    this.transfer = transfer;
    this.buildId = buildId;
  }

  /**
   * Reads the build as typed progress events (see {@link BuildEvent}): BuildKit steps starting,
   * finishing, cached or failed, their output, task status and warnings; a classic build's text
   * as `output` events. Ends with the build; a failure rejects the iteration with `BuildError`.
   * Afterwards, {@link BuildStream.imageId} resolves with the image id seen on the way.
   * Breaking out of the loop closes the connection (and so stops the build).
   */
  events(): AsyncIterableIterator<BuildEvent, undefined> {
    const messages = this.claim("events()");
    const pending: BuildEvent[] = [];
    this.#seen.pending = pending;
    const next = async (): Promise<IteratorResult<BuildEvent, undefined>> => {
      while (pending.length === 0) {
        const result = await messages.next();
        if (result.done) {
          this.#finished = true;
          return result;
        }
      }
      return { value: pending.shift()!, done: false };
    };
    return {
      next,
      async return() {
        pending.length = 0;
        return messages.return();
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /**
   * Reads the build to the end and resolves with the built image's id (`sha256:…`).
   * `onMessage` sees every raw message on the way (e.g. to print `message.stream`).
   * Rejects with `BuildError` when a step fails. After {@link BuildStream.events} read the
   * build to its end, resolves with the id seen there.
   */
  async imageId(onMessage?: (message: ProgressMessage) => void): Promise<string> {
    if (!this.#finished) {
      await this.done((message) => {
        onMessage?.(message);
      });
    }
    const { id } = this.#seen;
    if (id === undefined) throw new DockerProtocolError("The build ended without reporting the image id", this.#facts);
    return id;
  }

}

/** What the message check of a {@link BuildStream} keeps. */
interface Seen {
  /** The built image's id, once reported. */
  id: string | undefined;
  /** Events waiting to be handed out, while `events()` reads. */
  pending: BuildEvent[] | undefined;
}

/** The typed events in one message: a decoded trace, or a classic build's text. */
function eventsOf(message: ProgressMessage, trace: BuildTrace | undefined, facts: RequestFacts | undefined): BuildEvent[] {
  if (message.id === TRACE_ID && trace) {
    if (typeof message.aux !== "string") throw new DockerProtocolError(`A ${TRACE_ID} message has no base64 payload`, facts);
    try {
      return trace.decode(message.aux);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new DockerProtocolError(`A ${TRACE_ID} message could not be decoded: ${reason}`, { ...facts, cause: error });
    }
  }
  return typeof message.stream === "string" && message.stream !== "" ? [{ type: "output", text: message.stream }] : [];
}
