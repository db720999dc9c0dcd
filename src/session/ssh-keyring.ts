/**
 * An SSH agent held in this process, for key files given to a build (buildx runs one the same
 * way, from golang.org/x/crypto/ssh/agent's keyring): it lists its keys and signs with them. It
 * answers whole agent messages (4-byte length, type, body); `serveReadOnly` hands it only the two
 * requests a build may make and refuses everything else. Keys are listed without a comment, as
 * buildx lists them, so no host path reaches the build.
 */
import { Buffer } from "node:buffer";
import { concatBytes } from "../internal/bytes.js";
import { AGENT_FAILURE, type AgentAnswer, REQUEST_IDENTITIES, SIGN_REQUEST } from "./ssh-agent.js";
import type { SshKey } from "./ssh-key.js";
import { sshString, uint32, WireReader } from "./ssh-wire.js";

const IDENTITIES_ANSWER = 12;
const SIGN_RESPONSE = 14;

/** The agent answering from `keys` (a key given twice is listed once). */
export function keyring(keys: readonly SshKey[]): AgentAnswer {
  const held = new Map<string, SshKey>();
  for (const key of keys) held.set(hex(key.blob), key);
  const identities = message(IDENTITIES_ANSWER, [uint32(held.size), ...[...held.values()].flatMap((key) => [sshString(key.blob), sshString("")])]);
  return async (request) => {
    if (request[4] === REQUEST_IDENTITIES) return identities;
    if (request[4] !== SIGN_REQUEST) return AGENT_FAILURE;
    try {
      const body = new WireReader(request.subarray(5));
      const key = held.get(hex(body.string()));
      const data = body.string();
      const flags = body.uint32();
      // A key it does not hold fails, as in any agent: the client then tries its next key.
      return key === undefined ? AGENT_FAILURE : message(SIGN_RESPONSE, [sshString(key.sign(data, flags))]);
    } catch {
      // A malformed request, or a signature the runtime could not make: the reason stays here.
      return AGENT_FAILURE;
    }
  };
}

function message(type: number, body: Uint8Array[]): Uint8Array {
  const payload = concatBytes([Uint8Array.of(type), ...body]);
  return concatBytes([uint32(payload.length), payload]);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}
