// The typed progress of a build (types only, so the public API names them without loading the
// BuildKit decoder, which build/trace.ts holds and BuildKit builds import on demand).

/** What every event about one BuildKit step (a "vertex" of the build graph) carries. */
export interface BuildVertexRef {
  /** The vertex's digest (`sha256:…`): the same step in every event about it. */
  vertex: string;
  /** The step as BuildKit names it, e.g. `[2/4] RUN make` or `[internal] load build definition`. */
  name: string;
  /**
   * The step's number in this build, counted from 1 in the order steps first showed up —
   * the `#N` of `docker build --progress=plain`.
   */
  index: number;
}

/** A step began running (sent again when BuildKit runs the step once more). */
export interface BuildVertexStarted extends BuildVertexRef {
  /** Tells the events apart. */
  type: "vertex-started";
  /** When it started, as the daemon's clock says. */
  started: Date;
}

/** A step finished successfully. */
export interface BuildVertexCompleted extends BuildVertexRef {
  /** Tells the events apart. */
  type: "vertex-completed";
  /** When it started, if the daemon said. */
  started: Date | undefined;
  /** When it finished. */
  completed: Date;
}

/** A step's result came from the build cache; it did not run. */
export interface BuildVertexCached extends BuildVertexRef {
  /** Tells the events apart. */
  type: "vertex-cached";
}

/**
 * A step failed; `error` is BuildKit's text (e.g. `process "/bin/sh -c make" did not complete
 * successfully: exit code: 2`). Steps cancelled because another one failed report that too.
 */
export interface BuildVertexError extends BuildVertexRef {
  /** Tells the events apart. */
  type: "vertex-error";
  /** BuildKit's text for the failure. */
  error: string;
  /** When it ended, if the daemon said. */
  completed: Date | undefined;
}

/** Output a step's process wrote (a `RUN`'s stdout or stderr), in the chunks the daemon sent. */
export interface BuildLog extends BuildVertexRef {
  /** Tells the events apart. */
  type: "log";
  /** Which of the process's outputs it wrote to. */
  stream: "stdout" | "stderr";
  /** The text, UTF-8 decoded; a character split across chunks is kept whole for the next one. */
  text: string;
  /** When the daemon received it. */
  time: Date;
}

/**
 * Progress of one task inside a step: a context transfer, a layer download, an export phase
 * (`exporting layers`, `writing image sha256:…`). Sent repeatedly as `current` grows.
 */
export interface BuildStatus extends BuildVertexRef {
  /** Tells the events apart. */
  type: "status";
  /** The task, e.g. `transferring context`, `exporting layers`, a layer digest. */
  id: string;
  /** Work done (bytes, for transfers); 0 when the task reports none. */
  current: number;
  /** Work in all, when known. */
  total: number | undefined;
  /** When the task started, if it did. */
  started: Date | undefined;
  /** When the task finished; `undefined` while it runs. */
  completed: Date | undefined;
}

/** A build check's warning (e.g. a Dockerfile lint rule such as `FromAsCasing`). */
export interface BuildWarning extends BuildVertexRef {
  /** Tells the events apart. */
  type: "warning";
  /** BuildKit's level (1 is a plain warning). */
  level: number;
  /** The one-line warning. */
  message: string;
  /** Further lines explaining it. */
  detail: string[];
  /** Where to read more, if given. */
  url: string | undefined;
}

/** Text of a classic (non-BuildKit) build: the `stream` messages, e.g. `Step 2/4 : RUN make`. */
export interface BuildOutput {
  /** Tells the events apart. */
  type: "output";
  /** The text as the daemon sent it (lines end with `\n`). */
  text: string;
}

/**
 * One typed progress event of a build (`BuildStream.events()`). BuildKit builds report steps
 * (`vertex-*`), their logs, task status and warnings, decoded from the daemon's
 * `moby.buildkit.trace` messages; classic builds report their text as `output`.
 */
export type BuildEvent =
  | BuildVertexStarted
  | BuildVertexCompleted
  | BuildVertexCached
  | BuildVertexError
  | BuildLog
  | BuildStatus
  | BuildWarning
  | BuildOutput;
