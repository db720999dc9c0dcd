import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RequestHandler } from "msw";
import { builtinHandlers } from "./handlers/index.js";
import { randomHex } from "./ids.js";
import { loadMsw } from "./msw.js";
import { MockServer, type RecordedRequest } from "./server.js";
import { MockState } from "./state.js";

/** Options of {@link startMockDaemon}. */
export interface MockDaemonOptions {
  /** Highest API version served, sent as `Api-Version`. Default `"1.55"`. */
  apiVersion?: string;
  /** Lowest API version accepted in a `/v1.xx` prefix. Default `"1.24"`. */
  minApiVersion?: string;
  /** Engine version in `/version`, `/info` and the `Server` header. Default `"29.0.0-mock"`. */
  engineVersion?: string;
  /** Where to listen. Default: `docker.sock` in a fresh temporary directory, removed on close. */
  socketPath?: string;
  /** Handlers consulted before the built-in ones (msw handlers; the first match wins). */
  handlers?: RequestHandler[];
  /** Delay before each `/_ping` answer, e.g. to keep version negotiation in flight. Default 0. */
  pingDelayMs?: number;
  /**
   * The builder `/_ping` announces as the daemon's default (`Builder-Version`). Default `"1"`, the
   * classic builder, which the mock runs (`POST /build`); `"2"` announces BuildKit, as recent
   * engines do, but the mock answers BuildKit builds (`POST /session`, `POST /build?version=2`)
   * with an error telling to pass `builder: "classic"`.
   */
  builderVersion?: "1" | "2";
  /** Images present at start, taken from the mock registry. Default `["busybox:latest"]`. */
  images?: string[];
}

/**
 * A running mock Docker daemon on a real unix socket. Clients reach it through their normal
 * transport at {@link MockDaemon.host}.
 *
 * Faults plug in as handlers (via `use()` or `options.handlers`) that return `fault.reset()`,
 * `fault.hang()`, `fault.truncate(response, n)` or `HttpResponse.error()`, send malformed JSON,
 * stream a body that stalls or errors, or `await delay()` from msw before answering.
 */
export interface MockDaemon {
  /** `unix://` address for clients, in `DOCKER_HOST` form. */
  readonly host: string;
  /** Path of the socket file. */
  readonly socketPath: string;
  /** Highest API version served. */
  readonly apiVersion: string;
  /** The daemon's objects: seed before calls, assert after. */
  readonly state: MockState;
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[];
  /** How many `/_ping` requests (GET or HEAD, any version prefix) arrived. */
  readonly pingCount: number;
  /** Adds handlers in front of all others until {@link MockDaemon.resetHandlers} (msw's `use`). */
  use(...handlers: RequestHandler[]): void;
  /** Drops handlers added by `use`; with arguments, they replace `options.handlers` too (msw's semantics). */
  resetHandlers(...handlers: RequestHandler[]): void;
  /** Forgets recorded requests (and so resets `pingCount`). */
  clearRequests(): void;
  /** Stops everything: ends streams, kills mock processes, destroys connections, removes the socket file. */
  close(): Promise<void>;
}

/** Starts a mock daemon; see {@link MockDaemonOptions} for the defaults. */
export async function startMockDaemon(options: MockDaemonOptions = {}): Promise<MockDaemon> {
  await loadMsw();
  const ownDir = options.socketPath ? undefined : await mkdtemp(join(tmpdir(), "dockhand-mock-"));
  const socketPath = options.socketPath ?? join(ownDir as string, "docker.sock");
  const apiVersion = options.apiVersion ?? "1.55";
  const engineVersion = options.engineVersion ?? "29.0.0-mock";
  const closing = new AbortController();
  const state = new MockState();
  for (const ref of options.images ?? ["busybox:latest"]) state.addImage({ tags: [ref] });
  const builtins = builtinHandlers(state, {
    apiVersion,
    minApiVersion: options.minApiVersion ?? "1.24",
    engineVersion,
    daemonId: randomHex(),
    pingDelayMs: options.pingDelayMs ?? 0,
    builderVersion: options.builderVersion ?? "1",
    closing: closing.signal,
  });
  let initial = options.handlers ?? [];
  let runtime: RequestHandler[] = [];
  const requests: RecordedRequest[] = [];
  let server: MockServer;
  try {
    server = await MockServer.listen({
      socketPath,
      handlers: () => [...runtime, ...initial, ...builtins],
      maxApiVersion: apiVersion,
      minApiVersion: options.minApiVersion ?? "1.24",
      daemonHeaders: { "Api-Version": apiVersion, "Docker-Experimental": "false", Ostype: "linux", Server: `Docker/${engineVersion} (linux)` },
      record: (request) => requests.push(request),
    });
  } catch (error) {
    if (ownDir) await rm(ownDir, { recursive: true, force: true });
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    host: `unix://${socketPath}`,
    socketPath,
    apiVersion,
    state,
    requests,
    get pingCount() {
      return requests.filter((request) => request.path === "/_ping").length;
    },
    use(...handlers) {
      runtime = [...handlers, ...runtime];
    },
    resetHandlers(...handlers) {
      runtime = [];
      if (handlers.length > 0) initial = handlers;
    },
    clearRequests() {
      requests.length = 0;
    },
    close() {
      closed ??= (async () => {
        // Follow streams and waits end cleanly first; then processes die and sockets are cut.
        closing.abort();
        state.dispose();
        await server.close();
        await rm(ownDir ?? socketPath, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
