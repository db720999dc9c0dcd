/**
 * `moby.sshforward.v1.SSH`: SSH agent forwarding for `RUN --mount=type=ssh`, like
 * `docker buildx build --ssh default|id=path`. The daemon checks an id with CheckAgent before the
 * step runs, then opens one ForwardAgent stream per connection made to the socket inside the build
 * container (the id in the `buildkit.ssh.id` metadata, `default` when absent); each stream is
 * relayed, read-only, to a fresh connection to the local agent's socket.
 */
import { stat } from "node:fs/promises";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  BytesMessageSchema,
  CheckAgentRequestSchema,
  CheckAgentResponseSchema,
} from "../../generated/buildkit/github.com/moby/buildkit/session/sshforward/ssh_pb.js";
import { DockerAbortError, DockerArgumentError } from "../core/errors.js";
import { GrpcError, GrpcStatus } from "./grpc.js";
import { unary, type GrpcHandler } from "./server.js";
import { AgentRelayError, connectAgent, relayReadOnly } from "./ssh-agent.js";

/** The CheckAgent method path. */
export const CHECK_AGENT = "/moby.sshforward.v1.SSH/CheckAgent";
/** The ForwardAgent method path. */
export const FORWARD_AGENT = "/moby.sshforward.v1.SSH/ForwardAgent";

/** The id a `RUN --mount=type=ssh` without `id=` asks for. */
const DEFAULT_ID = "default";
/** The metadata key naming the id a ForwardAgent stream is for. */
const ID_KEY = "buildkit.ssh.id";

/**
 * An SSH agent to forward to a build: `true` for the one `SSH_AUTH_SOCK` names, or the path of
 * an agent's unix socket.
 */
export type BuildSshAgent =
  | true
  | string
  | {
      /** The agent's unix socket. */
      socketPath: string;
    };

/** Agent id → socket path. */
export type SshAgents = ReadonlyMap<string, string>;

/**
 * Checks the agents before the build starts: every id needs a socket that an agent answers on,
 * so a missing `SSH_AUTH_SOCK`, a wrong path, a key file given instead of a socket or a dead agent
 * fail now, naming the id and the path.
 */
export async function sshAgents(ssh: Readonly<Record<string, BuildSshAgent>>, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<SshAgents> {
  const agents = new Map<string, string>();
  for (const [id, agent] of Object.entries(ssh)) {
    if (id === "") throw new DockerArgumentError("An SSH agent to forward needs a non-empty id");
    const fail = (why: string) => new DockerArgumentError(`SSH agent ${JSON.stringify(id)}: ${why}`);
    let path: unknown = agent === true ? env["SSH_AUTH_SOCK"] : typeof agent === "object" && agent !== null ? agent.socketPath : agent;
    if (agent === true && !path) throw fail("SSH_AUTH_SOCK is not set (start an ssh-agent, or give its socketPath)");
    if (typeof path !== "string" || path === "") throw fail("must be true, a socket path or { socketPath }");
    const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      throw fail(`cannot use ${path} (${err.code ?? err.message})`);
    });
    if (!info.isSocket()) throw fail(`${path} is not a unix socket (to forward a key, add it to an ssh-agent and give the agent's socket)`);
    const probe = await connectAgent(path, signal).catch((err: NodeJS.ErrnoException) => {
      if (signal?.aborted) throw new DockerAbortError(`Checking SSH agent ${JSON.stringify(id)} was aborted`, { cause: signal.reason });
      throw fail(`no agent answers at ${path} (${err.code ?? err.message})`);
    });
    probe.destroy();
    agents.set(id, path);
  }
  return agents;
}

function socketOf(agents: SshAgents, id: string): string {
  const path = agents.get(id || DEFAULT_ID);
  // The daemon shows this as the step's error.
  if (path === undefined) throw new GrpcError(GrpcStatus.NOT_FOUND, `unset ssh forward key ${id || DEFAULT_ID}`);
  return path;
}

/** CheckAgent: whether an agent was given for the id. */
export function checkAgent(agents: SshAgents): GrpcHandler {
  const ok = toBinary(CheckAgentResponseSchema, create(CheckAgentResponseSchema));
  return unary(async (message) => {
    socketOf(agents, fromBinary(CheckAgentRequestSchema, message).ID);
    return ok;
  });
}

/** ForwardAgent: one connection from the build container, relayed to the agent until either side ends. */
export function forwardAgent(agents: SshAgents): GrpcHandler {
  return async (call) => {
    const path = socketOf(agents, call.metadata.get(ID_KEY)?.[0] ?? "");
    const agent = await connectAgent(path, call.signal).catch((err: NodeJS.ErrnoException) => {
      throw new GrpcError(GrpcStatus.UNAVAILABLE, `failed to connect to the ssh agent at ${path}: ${err.code ?? err.message}`);
    });
    async function* requests() {
      for await (const message of call.requests) yield fromBinary(BytesMessageSchema, message).data;
    }
    try {
      await relayReadOnly(requests(), agent, (data) => call.send(toBinary(BytesMessageSchema, create(BytesMessageSchema, { data }))));
    } catch (err) {
      if (err instanceof AgentRelayError) throw new GrpcError(GrpcStatus.UNAVAILABLE, err.message);
      throw err;
    } finally {
      agent.destroy();
    }
  };
}
