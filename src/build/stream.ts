import { DockerProtocolError, type RequestFacts } from "../core/errors.js";
import { JsonStream } from "../streams/jsonlines.js";
import { buildErrorCheck } from "../streams/message-errors.js";
import type { ProgressMessage } from "../streams/progress.js";

/** The image id in a build's result message (`{"aux":{"ID":"sha256:…"}}`), if `message` is that message. */
export function builtImageId(message: ProgressMessage): string | undefined {
  const aux = message.aux as { ID?: unknown } | null | undefined;
  return typeof aux === "object" && aux !== null && typeof aux.ID === "string" ? aux.ID : undefined;
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

/**
 * The output of an image build, as JSON messages: `stream` holds the build's text output,
 * `aux.ID` the built image's id. Read it once — iterate it, or call {@link BuildStream.imageId}.
 * A failing step ends it with a `BuildError` whose `output` holds the build's output up to the
 * failure.
 *
 * @example
 * ```ts
 * const build = await docker.images.build({ context: "./app", tags: ["app:dev"] });
 * const id = await build.imageId((m) => process.stdout.write(m.stream ?? ""));
 * ```
 */
export class BuildStream extends JsonStream<ProgressMessage> {
  readonly #facts: RequestFacts | undefined;
  /**
   * BuildKit builds only: what the daemon fetched of the context and Dockerfile through the
   * session so far (a rebuild lists every entry but fetches only changed files).
   */
  readonly transfer: Readonly<BuildTransfer> | undefined;

  /** @internal */
  constructor(source: AsyncIterable<Uint8Array>, facts?: RequestFacts, transfer?: BuildTransfer) {
    super(source, { facts, check: buildErrorCheck(facts) });
    this.#facts = facts;
    this.transfer = transfer;
  }

  /**
   * Reads the build to the end and resolves with the built image's id (`sha256:…`).
   * `onMessage` sees every message on the way (e.g. to print `message.stream`).
   * Rejects with `BuildError` when a step fails.
   */
  async imageId(onMessage?: (message: ProgressMessage) => void): Promise<string> {
    let id: string | undefined;
    await this.done((message) => {
      onMessage?.(message);
      id = builtImageId(message) ?? id;
    });
    if (id === undefined) throw new DockerProtocolError("The build ended without reporting the image id", this.#facts);
    return id;
  }
}
