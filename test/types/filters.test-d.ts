// Type-level tests of typed filters: checked by `npm run typecheck` (tsc), never run. Every
// `@ts-expect-error` must still be an error, or tsc fails on the unused directive.
import { expectTypeOf } from "vitest";
import type { operations } from "../../generated/engine.js";
import type { Docker } from "../../src/docker.js";
import type { FilteredOperationId, Filters, FilterValue } from "../../src/core/filters.js";
import type { OperationId, QueryParams } from "../../src/core/types.js";

declare const docker: Docker;

// Every operation whose query has `filters` is typed, and no other.
type QueryOf<I extends OperationId> = operations[I] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
type WithFiltersParam = {
  [I in OperationId]: [QueryOf<I>] extends [never] ? never : "filters" extends keyof QueryOf<I> ? I : never;
}[OperationId];
expectTypeOf<WithFiltersParam>().toEqualTypeOf<FilteredOperationId>();

// Keys autocomplete from the daemon's accepted set.
expectTypeOf<keyof Filters<"VolumeList">>().toEqualTypeOf<"dangling" | "driver" | "label" | "name">();
expectTypeOf<keyof Filters<"ContainerPrune">>().toEqualTypeOf<"label" | "label!" | "until">();
expectTypeOf<QueryParams<"ContainerList">["filters"]>().toEqualTypeOf<Filters<"ContainerList"> | string | undefined>();
// Operations without filters keep the spec's query untouched.
expectTypeOf<QueryParams<"ContainerInspect">>().toEqualTypeOf<{ size?: boolean }>();

// Closed sets become literal unions; open keys take any string.
expectTypeOf<FilterValue<{ since: "1.40"; values: readonly ["a", "b"] }>>().toEqualTypeOf<
  readonly ("a" | "b")[] | { readonly a?: boolean | undefined; readonly b?: boolean | undefined }
>();
expectTypeOf<FilterValue<{ since: "1.40" }>>().toEqualTypeOf<
  readonly string[] | { readonly [x: string]: boolean | undefined }
>();

export async function accepted(): Promise<void> {
  // Lists, the daemon's map form, label records and booleans.
  await docker.containers.list({ all: true, filters: { status: ["running", "exited"], label: ["app=web"] } });
  await docker.containers.list({ filters: { status: { running: true, paused: false }, health: ["healthy"] } });
  await docker.containers.list({ filters: { label: { app: "web", canary: true, off: false }, "is-task": false } });
  await docker.containers.list({ filters: { "is-task": ["true"], ancestor: ["busybox"], name: undefined } });
  await docker.images.list({ filters: { dangling: true, reference: ["busybox:*"], until: ["10m"] } });
  await docker.images.prune({ filters: { "label!": { keep: true }, dangling: ["false"] } });
  await docker.images.pruneBuildCache({ filters: { until: ["24h"], type: ["regular"] } });
  await docker.images.search({ term: "busybox", filters: { "is-official": true, stars: ["3"] } });
  await docker.networks.list({ filters: { type: ["custom"], scope: ["local"], driver: ["bridge"] } });
  await docker.networks.prune({ filters: { until: ["1h"] } });
  await docker.volumes.list({ filters: { dangling: true, label: { "com.example": "x" } } });
  await docker.volumes.prune({ filters: { all: true } });
  await docker.system.events({ filters: { type: ["container", "builder"], event: ["start"], scope: ["local"] } });
  await docker.nodes.list({ filters: { role: ["manager"], "node.label": { zone: "a" }, membership: ["accepted"] } });
  await docker.services.list({ filters: { mode: ["global"], name: ["web"] } });
  await docker.tasks.list({ filters: { "desired-state": ["running"], service: ["web"] } });
  await docker.secrets.list({ filters: { names: ["db-password"], label: ["env=prod"] } });
  await docker.configs.list({ filters: { name: ["nginx"] } });
  await docker.plugins.list({ filters: { enabled: true, capability: ["volumedriver"] } });
  // A filter string the caller already encoded passes through.
  await docker.containers.list({ filters: '{"status":{"running":true}}' });
  // Filters built ahead of time keep their type.
  const exited: Filters<"ContainerList"> = { status: ["exited"], exited: ["137"] };
  await docker.containers.list({ all: true, filters: exited });
}

export async function refused(): Promise<void> {
  // @ts-expect-error a key the daemon does not accept for this operation
  await docker.containers.list({ filters: { state: ["running"] } });
  // @ts-expect-error a key of another operation (images have `dangling`, containers do not)
  await docker.containers.list({ filters: { dangling: true } });
  // @ts-expect-error a value outside the closed set
  await docker.containers.list({ filters: { status: ["runing"] } });
  // @ts-expect-error a value outside the closed set, in the record form
  await docker.containers.list({ filters: { health: { sick: true } } });
  // @ts-expect-error values are strings, not numbers
  await docker.containers.list({ filters: { exited: [137] } });
  // @ts-expect-error a single string is not a list
  await docker.containers.list({ filters: { name: "web" } });
  // @ts-expect-error the boolean shorthand is only for true/false keys
  await docker.containers.list({ filters: { status: true } });
  // @ts-expect-error `key=value` records are only for label keys
  await docker.containers.list({ filters: { name: { web: "x" } } });
  // @ts-expect-error booleans are spelt "true"/"false" in lists
  await docker.images.list({ filters: { dangling: [true] } });
  // @ts-expect-error event types are a closed set
  await docker.system.events({ filters: { type: ["containers"] } });
  // @ts-expect-error network types are custom or builtin
  await docker.networks.list({ filters: { type: ["bridge"] } });
  // @ts-expect-error `label!` exists on prune only
  await docker.volumes.list({ filters: { "label!": ["keep"] } });
  // @ts-expect-error a wrong key in filters built ahead of time
  const typo: Filters<"ImageList"> = { refrence: ["busybox"] };
  void typo;
}

export async function closedSets(): Promise<void> {
  // Every key whose values the daemon fixes takes only those.
  await docker.containers.list({ filters: { isolation: ["hyperv"], "is-task": ["true"], health: ["starting"] } });
  // @ts-expect-error is-task is "true" or "false"
  await docker.containers.list({ filters: { "is-task": ["yes"] } });
  // @ts-expect-error isolation is default, process or hyperv
  await docker.containers.list({ filters: { isolation: ["vm"] } });
  // @ts-expect-error dangling is "true" or "false"
  await docker.images.list({ filters: { dangling: ["maybe"] } });
  // @ts-expect-error as for images
  await docker.volumes.list({ filters: { dangling: ["1"] } });
  // @ts-expect-error network driver scopes are swarm, global and local
  await docker.networks.list({ filters: { scope: ["host"] } });
  // @ts-expect-error node roles are manager and worker
  await docker.nodes.list({ filters: { role: ["leader"] } });
  // @ts-expect-error node membership is accepted or pending
  await docker.nodes.list({ filters: { membership: ["joined"] } });
  // @ts-expect-error service modes: replicated, global and their -job forms
  await docker.services.list({ filters: { mode: ["replicated-service"] } });
  // @ts-expect-error task desired states are swarm task states
  await docker.tasks.list({ filters: { "desired-state": ["stopped"] } });
  // @ts-expect-error plugin `enabled` is "true" or "false"
  await docker.plugins.list({ filters: { enabled: ["on"] } });
  // @ts-expect-error event scopes are local and swarm
  await docker.system.events({ filters: { scope: ["global"] } });
  // @ts-expect-error official or not
  await docker.images.search({ term: "busybox", filters: { "is-official": ["yes"] } });
}

export async function eventActions(): Promise<void> {
  await docker.system.events({ filters: { type: ["container"], event: ["die", "health_status", "health_status: unhealthy"] } });
  // @ts-expect-error not an action the daemon emits
  await docker.system.events({ filters: { event: ["dei"] } });
}
