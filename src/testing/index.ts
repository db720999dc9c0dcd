/**
 * `dockhand/testing`: a mock Docker daemon for tests, served on a real unix socket so clients use
 * their production transport. Built on msw handlers, which tests can add to or override.
 *
 * @example
 * ```ts
 * import { http } from "msw";
 * import { Docker } from "dockhand";
 * import { fault, startMockDaemon } from "dockhand/testing";
 *
 * const daemon = await startMockDaemon({ apiVersion: "1.47" });
 * const docker = new Docker({ host: daemon.host });
 * daemon.state.addContainer({ Image: "busybox", Cmd: ["echo", "hi"] }, { name: "web", start: true });
 * daemon.use(http.get("*" + "/images/json", () => fault.reset(), { once: true }));
 * // ... exercise docker, then assert on daemon.requests and daemon.state
 * await daemon.close();
 * ```
 */
export { startMockDaemon, type MockDaemon, type MockDaemonOptions } from "./daemon.js";
export type { RecordedRequest } from "./server.js";
export type { MockImage } from "./image.js";
export {
  MockState,
  type ContainerSeedOptions,
  type ImageSeed,
  type MockNetwork,
  type MockVolume,
  type NetworkSpec,
  type VolumeSpec,
} from "./state.js";
export { MockContainer, type ContainerHost, type ContainerStatus, type ContainerWatcher, type LogEntry } from "./container.js";
export { MockExec } from "./exec.js";
export type { EventBus, EventType, MockEvent } from "./events.js";
export type { MockProcess } from "./process.js";
export type { ContainerCreateBody, EndpointSettings, ExecCreateBody, HostConfig, MountPoint } from "./wire.js";
export { fault } from "./faults.js";
export { hijack } from "./hijack.js";
export type { HijackIO, HijackSession } from "./directives.js";
export { route, type RouteParams } from "./route.js";
export { apiVersionOf, MOCK_ORIGIN } from "./context.js";
export { errorResponse } from "./reply.js";
export { frame, MULTIPLEXED_STREAM, RAW_STREAM, type StreamId } from "./stdio.js";
