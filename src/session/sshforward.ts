/**
 * `moby.sshforward.v1.SSH`: SSH agent forwarding for `RUN --mount=type=ssh`, like
 * `docker buildx build --ssh default|id=path[,path…]`. The daemon checks an id with CheckAgent
 * before the step runs, then opens one ForwardAgent stream per connection made to the socket
 * inside the build container (the id in the `buildkit.ssh.id` metadata, `default` when absent);
 * each stream is served read-only, by a fresh connection to the local agent's socket or, for key
 * files, by an agent held in this process.
 */
import { stat } from "node:fs/promises";
import type { Socket } from "node:net";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  BytesMessageSchema,
  CheckAgentRequestSchema,
  CheckAgentResponseSchema,
} from "../../generated/buildkit/github.com/moby/buildkit/session/sshforward/ssh_pb.js";
import { DockerAbortError, DockerArgumentError } from "../core/errors.js";
import { GrpcError, GrpcStatus } from "./grpc.js";
import { KeyFileError } from "./openssh-key.js";
import { unary, type GrpcHandler } from "./server.js";
import { AgentRelayError, type AgentAnswer, connectAgent, relayReadOnly, serveReadOnly } from "./ssh-agent.js";
import { readSshKey } from "./ssh-key.js";
import { keyring } from "./ssh-keyring.js";

/** The CheckAgent method path. */
export const CHECK_AGENT = "/moby.sshforward.v1.SSH/CheckAgent";
/** The ForwardAgent method path. */
export const FORWARD_AGENT = "/moby.sshforward.v1.SSH/ForwardAgent";

/** The id a `RUN --mount=type=ssh` without `id=` asks for. */
const DEFAULT_ID = "default";
/** The metadata key naming the id a ForwardAgent stream is for. */
const ID_KEY = "buildkit.ssh.id";

/**
 * An SSH agent to forward to a build: `true` for the one `SSH_AUTH_SOCK` names; a path, which
 * is an agent's unix socket if it is a socket and otherwise a private key file (as buildx tells
 * them apart); `{ socketPath }` for a socket only; or `{ keys }` for one or more private key
 * files, served by an agent held in this process.
 */
export type BuildSshAgent =
  | true
  | string
  | {
      /** The agent's unix socket. */
      socketPath: string;
    }
  | {
      /**
       * Private key files (OpenSSH or PEM format, without a passphrase): ed25519, ECDSA
       * (nistp256/384/521) or RSA keys.
       */
      keys: readonly string[];
    };

/** Agent id → the socket path of an agent to relay to, or an agent held here (key files). */
export type SshAgents = ReadonlyMap<string, string | AgentAnswer>;

/**
 * Checks the agents before the build starts: every id needs a socket that an agent answers on,
 * or key files that can be read and used, so a missing `SSH_AUTH_SOCK`, a wrong path, a dead
 * agent or a key file that is encrypted, damaged or of an unknown kind fail now, naming the id and
 * the path (never the key).
 */
export async function sshAgents(ssh: Readonly<Record<string, BuildSshAgent>>, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<SshAgents> {
  const agents = new Map<string, string | AgentAnswer>();
  for (const [id, agent] of Object.entries(ssh)) {
    if (id === "") throw new DockerArgumentError("An SSH agent to forward needs a non-empty id");
    const fail = (why: string) => new DockerArgumentError(`SSH agent ${JSON.stringify(id)}: ${why}`);
    const given = agent as Partial<Record<"socketPath" | "keys", unknown>> | string | true;
    if (typeof given === "object" && given !== null && given.keys !== undefined) {
      if (given.socketPath !== undefined) throw fail("give { socketPath } or { keys }, not both");
      if (!Array.isArray(given.keys)) throw fail("{ keys } must hold key file paths");
      agents.set(id, await keysAgent(given.keys, fail));
      continue;
    }
    const path: unknown = given === true ? env["SSH_AUTH_SOCK"] : typeof given === "object" && given !== null ? given.socketPath : given;
    if (given === true && !path) throw fail("SSH_AUTH_SOCK is not set (start an ssh-agent, or give its socketPath)");
    if (typeof path !== "string" || path === "") throw fail("must be true, a socket or key file path, { socketPath } or { keys }");
    const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      throw fail(`cannot use ${path} (${err.code ?? err.message})`);
    });
    if (!info.isSocket()) {
      // Only a bare path may be a key file: `true` and `{ socketPath }` promise an agent.
      if (typeof given === "string") agents.set(id, await keysAgent([path], fail));
      else throw fail(`${path} is not a unix socket (give a key file as the path itself or in { keys })`);
      continue;
    }
    const probe = await connectAgent(path, signal).catch((err: NodeJS.ErrnoException) => {
      if (signal?.aborted) throw new DockerAbortError(`Checking SSH agent ${JSON.stringify(id)} was aborted`, { cause: signal.reason });
      throw fail(`no agent answers at ${path} (${err.code ?? err.message})`);
    });
    probe.destroy();
    agents.set(id, path);
  }
  return agents;
}

/** An agent holding the keys read from `paths`. */
async function keysAgent(paths: readonly unknown[], fail: (why: string) => DockerArgumentError): Promise<AgentAnswer> {
  if (paths.length === 0) throw fail("{ keys } needs at least one key file");
  const keys = [];
  for (const path of paths) {
    if (typeof path !== "string" || path === "") throw fail("{ keys } must hold key file paths");
    keys.push(
      await readSshKey(path).catch((err: unknown) => {
        throw err instanceof KeyFileError ? fail(err.message) : err;
      }),
    );
  }
  return keyring(keys);
}

function agentOf(agents: SshAgents, id: string): string | AgentAnswer {
  const agent = agents.get(id || DEFAULT_ID);
  // The daemon shows this as the step's error.
  if (agent === undefined) throw new GrpcError(GrpcStatus.NOT_FOUND, `unset ssh forward key ${id || DEFAULT_ID}`);
  return agent;
}

/** CheckAgent: whether an agent was given for the id. */
export function checkAgent(agents: SshAgents): GrpcHandler {
  const ok = toBinary(CheckAgentResponseSchema, create(CheckAgentResponseSchema));
  return unary(async (message) => {
    agentOf(agents, fromBinary(CheckAgentRequestSchema, message).ID);
    return ok;
  });
}

/** ForwardAgent: one connection from the build container, served by the agent until either side ends. */
export function forwardAgent(agents: SshAgents): GrpcHandler {
  return async (call) => {
    const agent = agentOf(agents, call.metadata.get(ID_KEY)?.[0] ?? "");
    async function* requests() {
      for await (const message of call.requests) yield fromBinary(BytesMessageSchema, message).data;
    }
    const reply = (data: Uint8Array) => call.send(toBinary(BytesMessageSchema, create(BytesMessageSchema, { data })));
    let socket: Socket | undefined;
    try {
      if (typeof agent === "string") {
        socket = await connectAgent(agent, call.signal).catch((err: NodeJS.ErrnoException) => {
          throw new GrpcError(GrpcStatus.UNAVAILABLE, `failed to connect to the ssh agent at ${agent}: ${err.code ?? err.message}`);
        });
        await relayReadOnly(requests(), socket, reply);
      } else {
        await serveReadOnly(requests(), agent, reply);
      }
    } catch (err) {
      if (err instanceof AgentRelayError) throw new GrpcError(GrpcStatus.UNAVAILABLE, err.message);
      throw err;
    } finally {
      socket?.destroy();
    }
  };
}
