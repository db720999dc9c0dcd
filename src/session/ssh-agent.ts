/**
 * Read-only SSH agents, as BuildKit's own client serves them: a build may list the agent's keys
 * and ask it to sign, nothing else — adding, removing or locking keys and agent extensions are
 * answered with a failure here and never reach the agent (a relayed one on its socket, or the
 * keyring holding key files). Agent messages are a 4-byte big-endian length and that many bytes,
 * the first one the message type; the agent answers each request with one message, so requests
 * are answered one at a time, in order.
 */
import { connect, type Socket } from "node:net";
import { type FrameFormat, frames } from "./frames.js";

/** The request listing the agent's keys. */
export const REQUEST_IDENTITIES = 11;
/** The request asking the agent to sign. */
export const SIGN_REQUEST = 13;
/** What the agent protocol answers a refused request with (SSH_AGENT_FAILURE). */
export const AGENT_FAILURE = Uint8Array.of(0, 0, 0, 1, 5);
/** OpenSSH's agent refuses larger messages too. */
export const MAX_AGENT_MESSAGE = 256 * 1024;

/** Why a relay stopped: the agent misbehaved or went away. */
export class AgentRelayError extends Error {}

const FORMAT: FrameFormat = {
  header: 4,
  length(view) {
    const length = view.getUint32(0);
    if (length === 0 || length > MAX_AGENT_MESSAGE) throw new AgentRelayError(`an ssh agent message of ${length} bytes is not accepted`);
    return length;
  },
  truncated: () => new AgentRelayError("the connection ended inside an ssh agent message"),
};

/** Connects to the agent's unix socket; `signal` destroys the connection (before or after it is made). */
export async function connectAgent(path: string, signal?: AbortSignal): Promise<Socket> {
  signal?.throwIfAborted();
  const socket = connect({ path });
  const abort = () => socket.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
  signal?.addEventListener("abort", abort, { once: true });
  socket.once("close", () => signal?.removeEventListener("abort", abort));
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
  } catch (err) {
    socket.destroy();
    throw err;
  }
  socket.on("error", () => {});
  return socket;
}

/** An agent: one whole request message (length included) in, one whole answer out. */
export type AgentAnswer = (request: Uint8Array) => Promise<Uint8Array>;

/**
 * Answers `requests` (the client's side of the agent protocol, in chunks of any size) with
 * `answer`, refusing all but listing and signing, and hands each answer to `reply`. Resolves when
 * the requests end; rejects (AgentRelayError) on something that is not an agent message.
 */
export async function serveReadOnly(
  requests: AsyncIterable<Uint8Array>,
  answer: AgentAnswer,
  reply: (message: Uint8Array) => Promise<void>,
): Promise<void> {
  for await (const request of frames(requests, FORMAT)) {
    const type = request[4];
    await reply(type === REQUEST_IDENTITIES || type === SIGN_REQUEST ? await answer(request) : AGENT_FAILURE);
  }
}

/**
 * Serves `requests` read-only from the agent on the other end of `agent`. Rejects, besides, when
 * the agent closes early or sends something that is not an agent message. The caller owns (and
 * closes) `agent`.
 */
export async function relayReadOnly(
  requests: AsyncIterable<Uint8Array>,
  agent: Socket,
  reply: (message: Uint8Array) => Promise<void>,
): Promise<void> {
  const answers = frames(agent, FORMAT)[Symbol.asyncIterator]();
  try {
    await serveReadOnly(
      requests,
      async (request) => {
        agent.write(request);
        const answer = await answers.next();
        if (answer.done) throw new AgentRelayError("the ssh agent closed the connection without answering");
        return answer.value;
      },
      reply,
    );
  } finally {
    await answers.return?.(undefined);
  }
}
