// Decodes the `moby.buildkit.trace` messages of a BuildKit build (`POST /build?version=2`): each
// one's `aux` is a base64 protobuf StatusResponse, a batch of updates about the build's steps
// (vertices). BuildKit resends a vertex whole whenever something about it changes, so events come
// from comparing each update with what was seen before. Loaded only by BuildKit builds (dynamic
// import), so plain `import "dockhand"` never loads protobuf.
import { fromBinary } from "@bufbuild/protobuf";
import { base64Decode } from "@bufbuild/protobuf/wire";
import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import {
  StatusResponseSchema,
  type Vertex,
  type VertexLog,
  type VertexStatus,
  type VertexWarning,
} from "../../generated/buildkit/github.com/moby/buildkit/api/services/control/control_pb.js";
import type { BuildEvent, BuildVertexRef } from "./events.js";

/** How much of a running step's output is kept, for the BuildError of a step that fails. */
const LOG_TAIL = 64 * 1024;
const STDERR = 2n;

/** What is known about one vertex; `ref` is shared by its events. */
interface VertexState {
  ref: BuildVertexRef;
  started: string | undefined;
  completed: string | undefined;
  cached: boolean;
  error: string;
  /** Its recent output (stdout and stderr as they came), until it completes successfully. */
  log: string;
  /** One streaming decoder per output stream, so a character split across chunks stays whole. */
  decoders: Map<bigint, InstanceType<typeof TextDecoder>>;
}

/** The step that failed a build and its last output. */
export interface BuildFailure {
  step: string;
  output: string;
}

/** One build's trace decoder: feed it every trace message's `aux`, in order. */
export class BuildTrace {
  readonly #vertices = new Map<string, VertexState>();
  #indexed = 0;
  #failed: VertexState | undefined;
  #cancelled: VertexState | undefined;
  readonly #utf8 = new TextDecoder();

  /** The events in one trace message: step changes first, then task status, logs and warnings (as `docker build` prints them). */
  decode(aux: string): BuildEvent[] {
    const status = fromBinary(StatusResponseSchema, base64Decode(aux));
    const events: BuildEvent[] = [];
    for (const vertex of status.vertexes) this.#vertex(vertex, events);
    for (const task of status.statuses) events.push(this.#status(task));
    for (const log of status.logs) events.push(this.#log(log));
    for (const warning of status.warnings) events.push(this.#warning(warning));
    return events;
  }

  /**
   * The step whose error failed the build, with its last output; a step cancelled because of
   * another's failure only when no step reported a real error.
   */
  failure(): BuildFailure | undefined {
    const failed = this.#failed ?? this.#cancelled;
    return failed && { step: failed.ref.name, output: failed.log.slice(-LOG_TAIL) };
  }

  #state(digest: string, name = ""): VertexState {
    let state = this.#vertices.get(digest);
    if (!state) {
      state = { ref: { vertex: digest, name, index: 0 }, started: undefined, completed: undefined, cached: false, error: "", log: "", decoders: new Map() };
      this.#vertices.set(digest, state);
    } else if (name !== "" && state.ref.name !== name) {
      state.ref = { ...state.ref, name };
    }
    return state;
  }

  /** The vertex's fields for an event, numbering it when it first appears in one. */
  #ref(state: VertexState): BuildVertexRef {
    if (state.ref.index === 0) state.ref = { ...state.ref, index: ++this.#indexed };
    return state.ref;
  }

  #vertex(vertex: Vertex, events: BuildEvent[]): void {
    const state = this.#state(vertex.digest, vertex.name);
    const started = stamp(vertex.started);
    const completed = stamp(vertex.completed);
    const isNewStart = started !== undefined && started !== state.started;
    const isNewEnd = completed !== undefined && completed !== state.completed;
    state.started = started ?? state.started;
    state.completed = completed ?? state.completed;
    if (vertex.cached) {
      if (!state.cached) events.push({ type: "vertex-cached", ...this.#ref(state) });
      state.cached = true;
      return;
    }
    if (isNewStart) events.push({ type: "vertex-started", ...this.#ref(state), started: timestampDate(vertex.started!) });
    if (vertex.error !== "" && vertex.error !== state.error) {
      state.error = vertex.error;
      events.push({ type: "vertex-error", ...this.#ref(state), error: vertex.error, completed: vertex.completed && timestampDate(vertex.completed) });
      if (isCancellation(vertex.error)) this.#cancelled = state;
      else this.#failed ??= state;
    } else if (isNewEnd && vertex.error === "") {
      events.push({
        type: "vertex-completed",
        ...this.#ref(state),
        started: vertex.started && timestampDate(vertex.started),
        completed: timestampDate(vertex.completed!),
      });
      state.log = "";
    }
  }

  #status(task: VertexStatus): BuildEvent {
    return {
      type: "status",
      ...this.#ref(this.#state(task.vertex)),
      id: task.ID,
      current: Number(task.current),
      total: task.total > 0n ? Number(task.total) : undefined,
      started: task.started && timestampDate(task.started),
      completed: task.completed && timestampDate(task.completed),
    };
  }

  #log(log: VertexLog): BuildEvent {
    const state = this.#state(log.vertex);
    let decoder = state.decoders.get(log.stream);
    if (!decoder) state.decoders.set(log.stream, (decoder = new TextDecoder()));
    const text = decoder.decode(log.msg, { stream: true });
    state.log += text;
    // Trimming only when twice over the limit keeps the work linear.
    if (state.log.length > 2 * LOG_TAIL) state.log = state.log.slice(-LOG_TAIL);
    return {
      type: "log",
      ...this.#ref(state),
      stream: log.stream === STDERR ? "stderr" : "stdout",
      text,
      time: log.timestamp ? timestampDate(log.timestamp) : new Date(),
    };
  }

  #warning(warning: VertexWarning): BuildEvent {
    return {
      type: "warning",
      ...this.#ref(this.#state(warning.vertex)),
      level: Number(warning.level),
      message: this.#utf8.decode(warning.short),
      detail: warning.detail.map((line) => this.#utf8.decode(line)),
      url: warning.url || undefined,
    };
  }
}

/** A timestamp as a comparable key (`undefined` when unset). */
function stamp(time: Timestamp | undefined): string | undefined {
  return time && `${time.seconds}.${time.nanos}`;
}

/** BuildKit's words for a step stopped because another one failed (or the build was cancelled). */
function isCancellation(error: string): boolean {
  return error === "canceled" || error.endsWith("context canceled");
}
