import { compareVersions } from "../core/version.js";
import type { Filters } from "./filters.js";
import { nowNs, unixSeconds, type Nanos } from "./time.js";
import type { Schema } from "./wire.js";

/** Object types that emit events in the mock. */
export type EventType = "container" | "image" | "network" | "volume" | "daemon";

/** One event as the mock daemon recorded it. */
export interface MockEvent {
  /** What kind of object it is about. */
  type: EventType;
  /** `start`, `die`, `exec_create: sh -c ...`, ... */
  action: string;
  /** Id (or name) of that object. */
  actorId: string;
  /** Extra facts, e.g. the container's name, image and labels. */
  attributes: Record<string, string>;
  /** When it happened, in nanoseconds since the epoch. */
  time: Nanos;
}

/** Filter names `GET /events` accepts. */
export const EVENT_FILTERS = ["type", "event", "container", "image", "network", "volume", "label", "daemon", "scope"];

/** How many past events the daemon keeps for `since` replays (the daemon's own limit). */
const HISTORY_LIMIT = 256;

/** Records events, replays recent ones and pushes new ones to live subscribers. */
export class EventBus {
  readonly #history: MockEvent[] = [];
  readonly #subscribers = new Set<(event: MockEvent) => void>();

  /** Records an event and delivers it to every subscriber. */
  emit(type: EventType, action: string, actorId: string, attributes: Record<string, string> = {}): MockEvent {
    const event: MockEvent = { type, action, actorId, attributes, time: nowNs() };
    this.#history.push(event);
    if (this.#history.length > HISTORY_LIMIT) this.#history.shift();
    for (const subscriber of this.#subscribers) subscriber(event);
    return event;
  }

  /** Recorded events at or after `since`, oldest first. */
  since(since: Nanos): MockEvent[] {
    return this.#history.filter((event) => event.time >= since);
  }

  /** Live subscribers (open `GET /events` streams among them): lets tests check nothing leaks. */
  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Receives every new event until the returned function is called. */
  subscribe(subscriber: (event: MockEvent) => void): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }
}

/** True when `event` passes `GET /events` filters (prefix match on IDs and names, as the daemon does). */
export function eventMatches(event: MockEvent, filters: Filters): boolean {
  const fuzzy = (type: EventType) => (value: string) =>
    event.type === type && (event.actorId.startsWith(value) || event.attributes.name === value);
  return (
    filters.any("type", (value) => value === event.type) &&
    filters.any("event", (value) => value === event.action.split(":")[0]) &&
    filters.any("scope", (value) => value === "local") &&
    filters.any("daemon", fuzzy("daemon")) &&
    filters.any("container", fuzzy("container")) &&
    filters.any("image", (value) => fuzzy("image")(value) || event.attributes.image === value) &&
    filters.any("network", fuzzy("network")) &&
    filters.any("volume", fuzzy("volume")) &&
    filters.labels(event.attributes)
  );
}

/**
 * One line of the `GET /events` stream. Before API 1.52 container and image events also carry the
 * legacy `status`, `id` and `from` fields. `timeNano` is written exactly, beyond what a JS number holds.
 */
export function renderEvent(event: MockEvent, apiVersion: string): string {
  const legacy =
    compareVersions(apiVersion, "1.52") < 0 && (event.type === "container" || event.type === "image")
      ? { status: event.action, id: event.actorId, ...(event.attributes.image ? { from: event.attributes.image } : {}) }
      : {};
  // timeNano is appended below, written exactly.
  const message: Omit<Schema<"EventMessage">, "timeNano"> = {
    Type: event.type,
    Action: event.action,
    Actor: { ID: event.actorId, Attributes: event.attributes },
    scope: "local",
    time: unixSeconds(event.time),
  };
  const body = JSON.stringify({ ...legacy, ...message });
  return `${body.slice(0, -1)},"timeNano":${event.time}}\n`;
}
