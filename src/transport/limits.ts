import { DockerConfigError } from "../core/errors.js";

/**
 * Most connections one client keeps to an engine for calls (JSON and empty answers); further
 * calls wait in a queue for a free one. Measured against dockerd over its unix socket
 * (bench/micro/pool-size.mjs): throughput stops growing past a few connections, and opening one
 * per call is the slowest of all (and runs out of file descriptors); 64 leaves room for engines
 * over TCP, where each call waits out a network round trip.
 */
export const DEFAULT_CONNECTIONS = 64;

/**
 * Most connections for streamed answers (events, logs, pull progress, archives, …) and calls that
 * wait on the daemon (`containers.wait`). They have a pool of their own, so that long-lived streams
 * never hold the connections short calls need; its cap is high because a followed stream holds
 * its connection for as long as it runs, and one beyond the cap waits until another ends.
 */
export const DEFAULT_STREAM_CONNECTIONS = 1024;

/** How many connections the transport may open; `Infinity` lifts a cap. */
export interface ConnectionLimits {
  /** Connections for calls. */
  calls: number;
  /** Connections for streams and long waits. */
  streams: number;
}

/** Checks a connection cap given as an option: a whole number of at least 1, or `Infinity` (or unset). */
export function connectionLimit(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === Infinity || (Number.isInteger(value) && value >= 1)) return value;
  throw new DockerConfigError(`${name} must be a whole number of at least 1 (or Infinity), got ${String(value)}`);
}
