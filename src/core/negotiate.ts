import { untilAborted } from "./abort.js";
import { DockerAbortError, DockerProtocolError, UnsupportedApiVersionError } from "./errors.js";
import { CLIENT_MAX_API_VERSION, CLIENT_MIN_API_VERSION, compareVersions } from "./version.js";

const ABORTED = "The request was aborted";

/** What the daemon says about itself in `/_ping` headers. */
export interface PingInfo {
  /** `Api-Version`: the highest API version the daemon serves. */
  apiVersion: string;
  /** `OSType`: `linux` or `windows`. */
  osType: string | undefined;
  /** `Docker-Experimental`: whether experimental features are on. */
  experimental: boolean;
  /** `Builder-Version`: `1` (classic) or `2` (BuildKit) as the daemon's default builder. */
  builderVersion: string | undefined;
  /** `Swarm`: e.g. `inactive`, `active/manager`, `active/worker`, `pending`, `error`, `locked`. */
  swarm: string | undefined;
}

/** Reads {@link PingInfo} from ping response headers (lower-case names). */
export function pingInfo(headers: Record<string, string | undefined>): PingInfo {
  return {
    // A daemon that sends no Api-Version predates version negotiation; the Go client assumes 1.24.
    apiVersion: headers["api-version"] || "1.24",
    osType: headers["ostype"],
    experimental: headers["docker-experimental"] === "true",
    builderVersion: headers["builder-version"],
    swarm: headers["swarm"],
  };
}

/** One ping in flight, and how many of the calls waiting on it could still give up. */
interface Round {
  readonly version: Promise<string>;
  readonly abandon: AbortController;
  /** Waiters with a signal; `Infinity` once one without a signal joined (it never gives up). */
  leavable: number;
}

/**
 * Decides the API version once per client, like the Go client: `min(client max, daemon max)`,
 * learnt from one ping that concurrent first requests share. A pinned version skips the ping.
 * A failed ping is not cached, so the next request tries again; a ping every waiter gave up on
 * (their signals or timeouts fired) is abandoned, so the next request does not inherit a hung one.
 */
export class Negotiator {
  readonly #ping: (signal: AbortSignal) => Promise<PingInfo>;
  readonly #pinned: string | undefined;
  #version: string | undefined;
  #info: PingInfo | undefined;
  #round: Round | undefined;

  constructor(ping: (signal: AbortSignal) => Promise<PingInfo>, pinned?: string) {
    this.#ping = ping;
    this.#pinned = pinned;
    this.#version = pinned;
  }

  /** The version in use, if already known (pinned or negotiated). */
  get current(): string | undefined {
    return this.#version;
  }

  /** True when the user fixed the version (no negotiation happens). */
  get pinned(): boolean {
    return this.#pinned !== undefined;
  }

  /**
   * Resolves the version to use. The caller's signal stops its own wait; the shared ping stops
   * only once every caller waiting on it has given up.
   */
  version(signal?: AbortSignal): Promise<string> {
    if (this.#version !== undefined) return Promise.resolve(this.#version);
    if (signal?.aborted) return Promise.reject(new DockerAbortError(ABORTED, { cause: signal.reason }));
    const round = (this.#round ??= this.#negotiate());
    if (!signal) {
      round.leavable = Number.POSITIVE_INFINITY;
      return round.version;
    }
    round.leavable++;
    return untilAborted(round.version, signal, ABORTED, () => {
      if (--round.leavable > 0) return;
      // Later calls start a fresh ping rather than join this one.
      if (this.#round === round) this.#round = undefined;
      round.abandon.abort(new Error("every call waiting for the version gave up"));
    });
  }

  /** What the latest ping said, if the client pinged (a pinned version never does by itself). */
  get info(): PingInfo | undefined {
    return this.#info;
  }

  /** Records what a ping said (every ping of the client goes through here). */
  learn(info: PingInfo): void {
    this.#info = info;
    if (this.#version === undefined) this.#version = choose(info.apiVersion);
  }

  #negotiate(): Round {
    const abandon = new AbortController();
    const version = this.#ping(abandon.signal).then((info) => (this.#version = choose(info.apiVersion)));
    const round: Round = { version, abandon, leavable: 0 };
    // Settled either way, the next call may ping again. (This also hears an abandoned ping fail,
    // when nobody is left waiting for it.)
    const over = () => {
      if (this.#round === round) this.#round = undefined;
    };
    version.then(over, over);
    return round;
  }
}

function choose(daemon: string): string {
  // Compared as numbers below, where "banana" would pass for a version older than any.
  if (!/^\d+\.\d+$/.test(daemon)) {
    throw new DockerProtocolError(`The daemon's ping announced API version "${daemon.slice(0, 40)}", which is not a version`, { path: "/_ping" });
  }
  if (compareVersions(daemon, CLIENT_MIN_API_VERSION) < 0) {
    throw new UnsupportedApiVersionError(
      `The Docker daemon's API version ${daemon} is too old: dockhand needs at least ${CLIENT_MIN_API_VERSION}`,
      { requiredVersion: CLIENT_MIN_API_VERSION, actualVersion: daemon },
    );
  }
  return compareVersions(daemon, CLIENT_MAX_API_VERSION) < 0 ? daemon : CLIENT_MAX_API_VERSION;
}
