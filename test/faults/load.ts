// The load and leak drivers behind test/faults/load.test.ts (small counts, part of `npm test`) and
// test/soak/*.soak.ts (the long runs): many requests, sequential and concurrent; many streams
// stopped at random points; and the measurements that show nothing was left behind.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { http } from "msw";
import { afterAll, beforeAll, expect } from "vitest";
import { Docker, DockerAbortError } from "../../src/index.js";
import { frame, MULTIPLEXED_STREAM, route, type EventBus, type MockDaemon } from "../../src/testing/index.js";
import { useMockDaemon } from "../support/mock-daemon.js";
import { abortListeners, handles, serverConnections, settlesTo } from "./support.js";

/** Runs a full garbage collection (`--expose-gc` when given, V8's flag otherwise). */
export const collectGarbage: () => void = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

/** Heap in use after a full collection, in bytes. */
export async function settledHeap(): Promise<number> {
  // Let closing sockets and timers finish first, then collect twice (weak references, finalisers).
  await new Promise((resolve) => setTimeout(resolve, 50));
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** Runs `call` `count` times, one after the other. */
export async function sequential(count: number, call: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < count; i++) await call(i);
}

/** Runs `call` `count` times with at most `width` in flight; returns the most seen in flight. */
export async function concurrent(count: number, width: number, call: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  let inFlight = 0;
  let most = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      most = Math.max(most, ++inFlight);
      try {
        await call(i);
      } finally {
        inFlight--;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
  return most;
}

/** A small deterministic generator (mulberry32), so a failing run can be replayed from its seed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

/** Streams the mock daemon serves without end, counting those still being served. */
export class EndlessStreams {
  /** Streams the daemon is serving right now; each leaves when the client hangs up. */
  serving = 0;

  /** Handlers for follow logs, exec output and pull progress that never end by themselves. */
  handlers() {
    const encoder = new TextEncoder();
    const tick = frame(1, encoder.encode("tick\n"));
    const progress = encoder.encode('{"status":"Downloading","progressDetail":{"current":1,"total":2},"id":"abc"}\r\n');
    return [
      http.get(route("/containers/:id/logs"), () => this.#drip(tick, MULTIPLEXED_STREAM)),
      http.post(route("/exec/:id/start"), () => this.#drip(tick, MULTIPLEXED_STREAM)),
      http.post(route("/images/create"), () => this.#drip(progress, "application/json")),
    ];
  }

  /**
   * Keeps the daemon's own event stream busy: an event every millisecond while anyone listens.
   * Returns the function that stops it.
   */
  feedEvents(events: EventBus): () => void {
    const timer = setInterval(() => {
      if (events.subscriberCount > 0) events.emit("container", "exec_start", "0".repeat(64));
    }, 1);
    return () => clearInterval(timer);
  }

  #drip(chunk: Uint8Array, contentType: string): Response {
    let timer: ReturnType<typeof setInterval> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.serving++;
        controller.enqueue(chunk);
        timer = setInterval(() => controller.enqueue(chunk), 1);
      },
      cancel: () => {
        this.serving--;
        clearInterval(timer);
      },
    });
    // A plain Response: msw's HttpResponse does not pass the client's hang-up on to the stream.
    return new Response(body, { headers: { "Content-Type": contentType } });
  }
}

/** The mock daemon of a load run: endless streams, a running container `web`, events while anyone listens. */
export interface LoadDaemon {
  /** The running daemon. */
  readonly daemon: MockDaemon;
  /** Id of the running container. */
  readonly containerId: string;
  /** The streams the daemon serves without end. */
  readonly endless: EndlessStreams;
}

/** Registers the hooks that run the {@link LoadDaemon} of a load or soak file. */
export function useLoadDaemon(): LoadDaemon {
  const endless = new EndlessStreams();
  const mock = useMockDaemon({ apiVersion: "1.47", handlers: endless.handlers() });
  let containerId: string | undefined;
  let stopEvents = () => {};
  beforeAll(() => {
    containerId = mock.daemon.state.addContainer({ Image: "busybox:latest", Cmd: ["sleep", "600"] }, { name: "web", start: true }).id;
    stopEvents = endless.feedEvents(mock.daemon.state.events);
  });
  afterAll(() => stopEvents());
  return {
    get daemon() {
      return mock.daemon;
    },
    get containerId() {
      if (containerId === undefined) throw new Error("useLoadDaemon: the container is made in beforeAll");
      return containerId;
    },
    endless,
  };
}

type Kind = "logs" | "events" | "pull" | "exec";
type Stop = "aborted-before" | "abort-while-opening" | "close-unread" | "break" | "abort-while-reading" | "throw-in-consumer";
const KINDS: readonly Kind[] = ["logs", "events", "pull", "exec"];
const STOPS: readonly Stop[] = ["aborted-before", "abort-while-opening", "close-unread", "break", "abort-while-reading", "throw-in-consumer"];

/** What {@link abortStreams} did, per way of stopping, and anything that went wrong. */
export interface StreamRun {
  byStop: Record<string, number>;
  problems: string[];
}

/**
 * Opens `count` streams of every kind (follow logs, events, pull progress, exec output) and stops
 * each at a random point in a random way. Checks after each that the caller's signal carries no
 * listener of ours, and that only abort errors (or none) came out.
 */
export async function abortStreams(docker: Docker, containerId: string, count: number, seed: number): Promise<StreamRun> {
  const next = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const run: StreamRun = { byStop: {}, problems: [] };
  for (let i = 0; i < count; i++) {
    const kind = pick(KINDS);
    const stop = pick(STOPS);
    const items = Math.floor(next() * 20);
    const waitMs = Math.floor(next() * 3);
    run.byStop[stop] = (run.byStop[stop] ?? 0) + 1;
    const controller = new AbortController();
    if (stop === "aborted-before") controller.abort(new Error("before"));
    const outcome = await stopOne(docker, containerId, kind, stop, items, waitMs, controller).then(
      () => undefined,
      (e: unknown) => e,
    );
    const expected = outcome === undefined || outcome instanceof DockerAbortError || (stop === "throw-in-consumer" && outcome === CONSUMER_GAVE_UP);
    if (!expected) run.problems.push(`#${i} ${kind}/${stop}: ${outcome instanceof Error ? `${outcome.name}: ${outcome.message}` : String(outcome)}`);
    const left = abortListeners(controller.signal);
    if (left > 0) run.problems.push(`#${i} ${kind}/${stop}: ${left} abort listener(s) left on the caller's signal`);
  }
  return run;
}

const CONSUMER_GAVE_UP = new Error("consumer gave up");

async function stopOne(docker: Docker, id: string, kind: Kind, stop: Stop, items: number, waitMs: number, controller: AbortController): Promise<void> {
  const options = { signal: controller.signal, timeout: 5000 };
  if (stop === "abort-while-opening") setTimeout(() => controller.abort(new Error("while opening")), waitMs);
  const stream = await open(docker, id, kind, options);
  if (stop === "close-unread") return stream.close();
  let seen = 0;
  if (stop === "abort-while-reading") setTimeout(() => controller.abort(new Error("while reading")), waitMs);
  for await (const _ of stream) {
    if (++seen < items) continue;
    if (stop === "break") break;
    if (stop === "throw-in-consumer") throw CONSUMER_GAVE_UP;
  }
}

async function open(docker: Docker, id: string, kind: Kind, options: { signal: AbortSignal; timeout: number }): Promise<AsyncIterable<unknown> & { close(): Promise<void> }> {
  switch (kind) {
    case "logs":
      return docker.containers.logs(id, { stdout: true, follow: true }, { ...options, tty: false });
    case "events":
      return docker.system.events(undefined, options);
    case "pull":
      return docker.images.create({ fromImage: "busybox", tag: "latest" }, { ...options, auth: false });
    case "exec":
      return docker.exec.start("e1", { Tty: false }, options);
  }
}

/** How long teardown may take to show (generous: a 2-core CI machine under load is slow, never wrong). */
const SETTLE_MS = 15_000;

/** Live handles by kind, compared after a run: the client must give back everything it opened. */
export async function expectHandlesBackTo(baseline: Record<string, number>): Promise<void> {
  await settlesTo(() => sameOrFewer(handles(), baseline), true, SETTLE_MS);
}

function sameOrFewer(now: Record<string, number>, baseline: Record<string, number>): boolean {
  return Object.entries(now).every(([kind, n]) => n <= (baseline[kind] ?? 0));
}

/** After a run against the mock: no stream still served, no connection still open on its side. */
export async function expectDaemonIdle(daemon: MockDaemon, endless?: EndlessStreams): Promise<void> {
  if (endless) await settlesTo(() => endless.serving, 0, SETTLE_MS);
  await settlesTo(() => daemon.state.events.subscriberCount, 0, SETTLE_MS);
  await settlesTo(() => serverConnections(daemon.socketPath) ?? 0, 0, SETTLE_MS);
}

/** Fails with the first few problems of a stream run, if any. */
export function expectNoProblems(run: StreamRun): void {
  expect(run.problems.slice(0, 10), `${run.problems.length} problem(s)`).toEqual([]);
}
