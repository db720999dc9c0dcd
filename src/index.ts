/**
 * dockhand: a typed Docker Engine API client.
 *
 * @example
 * ```ts
 * import { Docker, NotFoundError } from "dockhand";
 * const docker = Docker.fromEnv();
 * const containers = await docker.containers.list({ all: true });
 * ```
 * @packageDocumentation
 */

export { Docker, type DockerOptions } from "./docker.js";
export {
  ArchiveExtractError,
  BadRequestError,
  BuildError,
  ConflictError,
  ContainerExitedError,
  ContainerUnhealthyError,
  CredentialHelperError,
  DockerAbortError,
  DockerAPIError,
  DockerArgumentError,
  DockerClientClosedError,
  DockerConfigError,
  DockerConnectionError,
  DockerError,
  DockerLimitError,
  DockerProtocolError,
  DockerStreamError,
  DockerTimeoutError,
  DockerTLSError,
  ForbiddenError,
  InternalServerError,
  NotFoundError,
  NotImplementedError,
  PreconditionFailedError,
  RegistryAuthError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
  UnsupportedApiVersionError,
  type ArchiveExtractFailure,
  type ConnectionFailure,
  type DockerConnectionErrorOptions,
  type DockerErrorOptions,
  type HealthCheckResult,
  type LimitName,
  type RequestFacts,
  type SkippedArchiveEntry,
} from "./core/errors.js";
export type { JsonBody, JsonResult, OperationId, PathParams, QueryParams, RequestOptions } from "./core/types.js";
export type { Changed, NotModified } from "./core/answer.js";
export type { RequestBody } from "./transport/types.js";
export type { Filters, FilterValue, FilteredOperationId } from "./core/filters.js";
export type { PingInfo } from "./core/negotiate.js";
export type { GracefulCloseOptions } from "./core/lifecycle.js";
export { DEFAULT_LIMITS, type CallLimits, type DockerLimits } from "./core/limits.js";
export type { DockerLogger, RequestLogEntry } from "./core/log.js";
export { CLIENT_MAX_API_VERSION, CLIENT_MIN_API_VERSION } from "./core/version.js";

export type { EndpointOptions } from "./config/resolve.js";
export type { TLSOptions } from "./config/tls.js";
export type { EngineEndpoint, SSHEndpoint, TLSMaterial } from "./config/endpoint.js";
export { listContexts, loadContext, type DockerContext } from "./config/contexts.js";

export type { AuthConfig, AuthConfigs } from "./auth/auth-config.js";
export { parseReference, type ImageReference } from "./auth/reference.js";
export type { AuthOptions } from "./resources/registry-auth.js";

export { OutputStream, type OutputText, type DemuxTargets } from "./streams/output-stream.js";
export type { OutputFrame, StreamName } from "./streams/demux.js";

export type {
  ContainerArchive,
  ContainerCreateParams,
  ContainerStats,
  CopiedFromContainer,
  CopyFromContainerOptions,
  CopyToContainerOptions,
  PutArchiveQuery,
} from "./resources/containers.js";
export type { ArchiveExtractOptions, ArchiveExtractResult } from "./build/extract.js";
export type { Builder, BuildOptions, BuildParams } from "./build/options.js";
export type { BuildExport, LocalBuildExport, TarBuildExport } from "./build/outputs.js";
export { BuildStream, type BuildTransfer } from "./build/stream.js";
export type { BuildSecret } from "./session/secrets.js";
export type { BuildSshAgent } from "./session/sshforward.js";
export type {
  BuildEvent,
  BuildLog,
  BuildOutput,
  BuildStatus,
  BuildVertexCached,
  BuildVertexCompleted,
  BuildVertexError,
  BuildVertexRef,
  BuildVertexStarted,
  BuildWarning,
} from "./build/events.js";
export type { ByteSource } from "./build/source.js";
export type { ContainerPathStat } from "./build/path-stat.js";
export type { ExecStartParams } from "./resources/exec.js";
export type { OpenSession, SessionParams } from "./resources/session.js";

export type { ContainerOperations, ContainerAttachQuery, AttachOptions } from "./resources/containers.js";
export type { ImageOperations, PullQuery } from "./resources/images.js";
export type { Containers, Exec, Images, System } from "./workflows/groups.js";
export type { Networks } from "./resources/networks.js";
export type { Volumes } from "./resources/volumes.js";
export type { ExecOperations } from "./resources/exec.js";
export type { SystemOperations } from "./resources/system.js";
export type { Swarm } from "./resources/swarm.js";
export type { Nodes } from "./resources/nodes.js";
export type { Services } from "./resources/services.js";
export type { Tasks } from "./resources/tasks.js";
export type { Secrets } from "./resources/secrets.js";
export type { Configs } from "./resources/configs.js";
export type { Plugins } from "./resources/plugins.js";
export type { Distribution } from "./resources/distribution.js";
export type { Session } from "./resources/session.js";
export type { HijackedStream } from "./streams/stdio.js";
export type { DockerWebSocket, WebSocketClose } from "./streams/websocket.js";
export type { JsonStream } from "./streams/jsonlines.js";
export type { DemuxPipeOptions } from "./streams/output-stream.js";
export {
  foldProgress,
  ProgressTracker,
  type ErrorDetail,
  type LayerProgress,
  type ProgressDetail,
  type ProgressMessage,
  type ProgressSummary,
} from "./streams/progress.js";
export type { DiscoveryOptions, Probe } from "./config/discover.js";
export type { ContextOptions } from "./config/contexts.js";

export type { ExecRunOptions, ExecRunResult } from "./workflows/exec-run.js";
export type { RunOptions, RunResult } from "./workflows/run.js";
export type { WaitHealthyOptions } from "./workflows/health.js";
export type { LogMatch, WaitForOptions } from "./workflows/log-match.js";
export type { LabeledKind, LabelSelector, RemovalFailure, RemoveByLabelOptions, RemovedByLabel } from "./workflows/cleanup.js";
export type { SystemPruneOptions, SystemPruneResult } from "./workflows/prune.js";
export type { EnvironmentInput, StdinSource } from "./workflows/stdio.js";

/** Types generated from the Engine API spec: every schema, path and operation. */
export type { components, operations, paths } from "../generated/engine.js";
/**
 * Every schema of the spec by its own name (`ContainerSummary`, `ContainerInspectResponse`,
 * `SystemInfo`, …), and results the spec shapes inline by their operation (`ContainerPruneResponse`).
 * Where a hand-written type has the name (the `Swarm` resource, `AuthConfig`, the progress
 * messages), that one is exported; the swarm's inspect result is `SwarmInspectResponse`.
 */
export type * from "../generated/schemas.js";
export type { Swarm as SwarmInspectResponse } from "../generated/schemas.js";
