// Type-level tests of the named result types: checked by `npm run typecheck` (tsc), never run.
import { expectTypeOf } from "vitest";
import type {
  ContainerInspectResponse,
  ContainerPruneResponse,
  ContainerSummary,
  ContainerTopResponse,
  Docker,
  EventMessage,
  ExecInspectResponse,
  ImageInspect,
  ImageSearchResponseItem,
  ImageSummary,
  NetworkInspect,
  NetworkSummary,
  SecretCreateResponse,
  SwarmInspectResponse,
  SystemDataUsageResponse,
  SystemInfo,
  SystemVersion,
  Volume,
  VolumeListResponse,
} from "../../src/index.js";
import type { JsonStream } from "../../src/streams/jsonlines.js";

declare const docker: Docker;

export async function named(): Promise<void> {
  expectTypeOf(await docker.containers.list()).toEqualTypeOf<ContainerSummary[]>();
  expectTypeOf(await docker.containers.inspect("web")).toEqualTypeOf<ContainerInspectResponse>();
  expectTypeOf(await docker.containers.top("web")).toEqualTypeOf<ContainerTopResponse>();
  expectTypeOf(await docker.containers.prune()).toEqualTypeOf<ContainerPruneResponse>();
  expectTypeOf(await docker.containers.waitHealthy("web")).toEqualTypeOf<ContainerInspectResponse>();
  expectTypeOf(await docker.images.list()).toEqualTypeOf<ImageSummary[]>();
  expectTypeOf(await docker.images.inspect("busybox")).toEqualTypeOf<ImageInspect>();
  expectTypeOf(await docker.images.search({ term: "busybox" })).toEqualTypeOf<ImageSearchResponseItem[]>();
  expectTypeOf(await docker.networks.list()).toEqualTypeOf<NetworkSummary[]>();
  expectTypeOf(await docker.networks.inspect("bridge")).toEqualTypeOf<NetworkInspect>();
  expectTypeOf(await docker.volumes.list()).toEqualTypeOf<VolumeListResponse>();
  expectTypeOf(await docker.volumes.inspect("data")).toEqualTypeOf<Volume>();
  expectTypeOf(await docker.exec.inspect("e")).toEqualTypeOf<ExecInspectResponse>();
  expectTypeOf(await docker.system.info()).toEqualTypeOf<SystemInfo>();
  expectTypeOf(await docker.system.version()).toEqualTypeOf<SystemVersion>();
  expectTypeOf(await docker.system.dataUsage()).toEqualTypeOf<SystemDataUsageResponse>();
  expectTypeOf(await docker.system.events()).toEqualTypeOf<JsonStream<EventMessage>>();
  expectTypeOf(await docker.swarm.inspect()).toEqualTypeOf<SwarmInspectResponse>();
  expectTypeOf(await docker.secrets.create({ Name: "s" })).toEqualTypeOf<SecretCreateResponse>();
}

export async function requestGaps(): Promise<void> {
  // Older daemons (API < 1.44) create a second network of the same name unless asked to check.
  await docker.networks.create({ Name: "backend", CheckDuplicate: true });
  // @ts-expect-error CheckDuplicate is a boolean
  await docker.networks.create({ Name: "backend", CheckDuplicate: "yes" });
}

export async function logTimes(): Promise<void> {
  // The Go client's seconds.nanoseconds text, as well as whole seconds.
  await docker.containers.logs("web", { stdout: true, since: 1796489000, until: "1796489277.123456789" });
  await docker.services.logs("web", { stdout: true, since: "1796489277.5" });
  // @ts-expect-error a Date is not a log time
  await docker.containers.logs("web", { until: new Date() });
}

export async function commitChanges(): Promise<void> {
  // One Dockerfile instruction per value, sent as repeated `changes` keys.
  await docker.images.commit({ container: "web", changes: ["EXPOSE 8000", 'CMD ["sh"]'] });
  await docker.images.commit({ container: "web", changes: "EXPOSE 8000" });
  // @ts-expect-error instructions are text
  await docker.images.commit({ container: "web", changes: [8000] });
}

/** Fields every supported engine always sends are required (test/fixtures/answers decides which). */
export async function requiredFromAnswers(id: string): Promise<void> {
  for (const c of await docker.containers.list()) expectTypeOf(c.Id.slice(0, 12)).toEqualTypeOf<string>();
  expectTypeOf((await docker.containers.inspect(id)).State.Health?.Status).toEqualTypeOf<
    "none" | "starting" | "healthy" | "unhealthy" | undefined
  >();
  const info = await docker.system.info();
  expectTypeOf(info.ServerVersion).toEqualTypeOf<string>();
  expectTypeOf((await docker.images.inspect("busybox")).RootFS.Layers).toEqualTypeOf<string[]>();
}
