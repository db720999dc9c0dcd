/** How long `docker.closeGracefully()` waits for open calls. */
export interface GracefulCloseOptions {
  /**
   * Milliseconds to wait for open calls (streams included) to finish; then the client closes as
   * `close()` does, ending what is still open. Without it, the wait has no limit.
   */
  timeout?: number;
  /** Stops waiting when it fires: the client then closes as `close()` does. */
  signal?: AbortSignal;
}

/** A call under way, as closing sees it: something to end now. */
export interface OpenCall {
  /** Ends the call at once; its reader gets a `DockerClientClosedError`. */
  close(): void;
}

type State = "open" | "draining" | "closed";

/**
 * Whether a client still takes calls, the calls under way (from sending until their answer is
 * read, their stream ends or their hijacked connection closes), and the two ways of closing:
 * at once, ending every open call, or gracefully, refusing new calls and waiting for open ones.
 * `shut` releases the transport: `graceful` lets exchanges finish, otherwise they are cut.
 */
export class Lifecycle {
  readonly #shut: (graceful: boolean) => Promise<void>;
  readonly #calls = new Set<OpenCall>();
  #state: State = "open";
  #drain: Promise<void> | undefined;
  #drained: (() => void) | undefined;
  #ended: Promise<void> | undefined;

  constructor(shut: (graceful: boolean) => Promise<void>) {
    this.#shut = shut;
  }

  /** New calls are accepted (no close has begun). */
  get open(): boolean {
    return this.#state === "open";
  }

  /** Closed for good: the transport is released and every call was ended. */
  get closed(): boolean {
    return this.#state === "closed";
  }

  /**
   * Counts `call` as open until the returned function is called. A call that starts after the
   * client closed (an internal version ping a call was waiting for) is ended at once.
   */
  track(call: OpenCall): () => void {
    if (this.#state === "closed") {
      call.close();
      return () => {};
    }
    this.#calls.add(call);
    return () => {
      this.#calls.delete(call);
      if (this.#calls.size === 0) this.#drained?.();
    };
  }

  /** Ends every open call and releases the transport at once. Idempotent. */
  close(): Promise<void> {
    if (this.#state !== "closed") {
      this.#state = "closed";
      const calls = [...this.#calls];
      this.#calls.clear();
      for (const call of calls) call.close();
      this.#drained?.();
      this.#ended = this.#shut(false);
    }
    return this.#ended as Promise<void>;
  }

  /** Refuses new calls, waits for open ones (within `options`), then releases the transport. */
  async closeGracefully(options: GracefulCloseOptions = {}): Promise<void> {
    if (this.#state === "open") {
      this.#state = "draining";
      this.#drain = new Promise<void>((resolve) => {
        this.#drained = resolve;
        if (this.#calls.size === 0) resolve();
      });
    }
    if (this.#state === "draining") {
      const finished = await within(this.#drain as Promise<void>, options);
      if (!finished) return this.close();
      if (this.#state === "draining") {
        this.#state = "closed";
        this.#ended = this.#shut(true);
      }
    }
    return this.#ended;
  }
}

/** Whether `work` settled before the timeout elapsed or the signal fired. */
function within(work: Promise<void>, { timeout, signal }: GracefulCloseOptions): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (timeout === undefined && !signal) return work.then(() => true);
  return new Promise<boolean>((resolve) => {
    const timer = timeout === undefined ? undefined : setTimeout(() => settle(false), timeout);
    const onAbort = () => settle(false);
    const settle = (finished: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(finished);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    void work.then(() => settle(true));
  });
}
