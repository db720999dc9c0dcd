// moby.sshforward.v1.SSH against a fake agent on a unix socket: CheckAgent by id, ForwardAgent
// relaying requests split across messages and answering in order, read-only (add, remove, lock
// and extensions refused without reaching the agent), the id from `buildkit.ssh.id`, an agent that
// hangs up, abort ending the relay and its agent connection; the checks made before a build; and
// key files (a path that is not a socket, or { keys }) served by an agent held here.
import { execFile } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BytesMessageSchema, CheckAgentRequestSchema } from "../../../generated/buildkit/github.com/moby/buildkit/session/sshforward/ssh_pb.js";
import { DockerAbortError, DockerArgumentError } from "../../../src/core/errors.js";
import { GrpcStatus } from "../../../src/session/grpc.js";
import type { GrpcCall } from "../../../src/session/server.js";
import { checkAgent, forwardAgent, sshAgents } from "../../../src/session/sshforward.js";
import { sshToolsMissing } from "../../support/ssh-tools.js";

/** An agent message: length, type, body. */
function agentMessage(type: number, body: number[] = []): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  new DataView(out.buffer).setUint32(0, 1 + body.length);
  out[4] = type;
  out.set(body, 5);
  return out;
}
const FAILURE = agentMessage(5);
/** The fake agent's answer to REQUEST_IDENTITIES (type 12, "no keys" plus a marker byte). */
const IDENTITIES = agentMessage(12, [0, 0, 0, 0, 0x2a]);
const SIGNATURE = agentMessage(14, [1, 2, 3]);

let dir: string;
let server: Server;
let socketPath: string;
/** Message types the fake agent received, in order. */
const seen: number[] = [];
const connections = new Set<Socket>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dockhand-sshforward-"));
  socketPath = join(dir, "agent.sock");
  server = createServer((socket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
    socket.on("error", () => {});
    let buffered = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readUInt32BE(0)) {
        const type = buffered[4]!;
        const hangUp = buffered[5] === 0xde;
        buffered = buffered.subarray(4 + buffered.readUInt32BE(0));
        seen.push(type);
        if (hangUp) socket.end(); // a sign request it hangs up on without answering
        else socket.write(type === 11 ? IDENTITIES : type === 13 ? SIGNATURE : agentMessage(6));
      }
    });
  });
  server.listen(socketPath);
  await once(server, "listening");
});
afterAll(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

/** A ForwardAgent call carrying `requests` as BytesMessages (`raw`: as they are, for unary methods). */
function call(requests: Uint8Array[], metadata: Record<string, string> = {}, raw = false) {
  const sent: Uint8Array[] = [];
  const grpcCall: GrpcCall = {
    method: "/moby.sshforward.v1.SSH/ForwardAgent",
    metadata: new Map(Object.entries(metadata).map(([k, v]) => [k, [v]])),
    signal: new AbortController().signal,
    requests: (async function* () {
      for (const data of requests) yield raw ? data : toBinary(BytesMessageSchema, create(BytesMessageSchema, { data }));
    })(),
    send: async (m) => void sent.push(fromBinary(BytesMessageSchema, m).data),
  };
  return { call: grpcCall, sent };
}

describe("ssh agent forwarding", () => {
  it("checks ids: the default for an empty one, NOT_FOUND for one not given", async () => {
    const check = checkAgent(new Map([["default", socketPath]]));
    const ask = (ID: string) => check(call([toBinary(CheckAgentRequestSchema, create(CheckAgentRequestSchema, { ID }))], {}, true).call);
    await expect(ask("")).resolves.toBeUndefined();
    await expect(ask("default")).resolves.toBeUndefined();
    await expect(ask("deploy")).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND, message: "unset ssh forward key deploy" });
  });

  it("relays listing and signing in order, requests split across messages, and refuses everything else locally", async () => {
    seen.length = 0;
    const list = agentMessage(11);
    const sign = agentMessage(13, [9, 9, 9]);
    const both = new Uint8Array([...list, ...sign]);
    const { call: c, sent } = call([
      both.subarray(0, 3),
      both.subarray(3),
      agentMessage(17, [1]), // add identity
      agentMessage(18, [1]), // remove identity
      agentMessage(19), // remove all
      agentMessage(22, [0]), // lock
      agentMessage(27, [0]), // extension
      list,
    ]);
    await forwardAgent(new Map([["default", socketPath]]))(c);
    expect(sent.map((m) => [...m])).toEqual([IDENTITIES, SIGNATURE, FAILURE, FAILURE, FAILURE, FAILURE, FAILURE, IDENTITIES].map((m) => [...m]));
    expect(seen).toEqual([11, 13, 11]);
    await expect.poll(() => connections.size).toBe(0);
  });

  it("picks the agent by the buildkit.ssh.id metadata and fails an unknown one", async () => {
    const agents = new Map([["deploy", socketPath]]);
    const named = call([agentMessage(11)], { "buildkit.ssh.id": "deploy" });
    await forwardAgent(agents)(named.call);
    expect(named.sent).toHaveLength(1);
    await expect(forwardAgent(agents)(call([agentMessage(11)]).call)).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
  });

  it("fails when the agent hangs up or a request is malformed", async () => {
    const agents = new Map([["default", socketPath]]);
    await expect(forwardAgent(agents)(call([agentMessage(13), agentMessage(13, [0xde])]).call)).rejects.toMatchObject({
      code: GrpcStatus.UNAVAILABLE,
      message: "the ssh agent closed the connection without answering",
    });
    await expect(forwardAgent(agents)(call([Uint8Array.of(0, 0, 0)]).call)).rejects.toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    await expect(forwardAgent(agents)(call([Uint8Array.of(0xff, 0, 0, 0, 1)]).call)).rejects.toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    await expect(forwardAgent(new Map([["default", join(dir, "gone.sock")]]))(call([]).call)).rejects.toMatchObject({
      code: GrpcStatus.UNAVAILABLE,
      message: expect.stringMatching(/ENOENT/),
    });
    await expect.poll(() => connections.size).toBe(0);
  });

  it("ends the relay and its agent connection when the call is aborted", async () => {
    const abort = new AbortController();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const c: GrpcCall = {
      ...call([]).call,
      signal: abort.signal,
      // The build container keeps its connection open and sends nothing.
      requests: (async function* () {
        await held;
      })(),
    };
    const relay = forwardAgent(new Map([["default", socketPath]]))(c);
    await expect.poll(() => connections.size).toBe(1);
    abort.abort(new Error("session closed"));
    // Closed by the abort itself, while the container's side is still open.
    await expect.poll(() => connections.size).toBe(0);
    release();
    await relay.catch(() => {});
  });
});

describe("ssh agents given to a build", () => {
  it("takes $SSH_AUTH_SOCK for true and a path or { socketPath } as given", async () => {
    const agents = await sshAgents({ default: true, a: socketPath, b: { socketPath } }, { SSH_AUTH_SOCK: socketPath });
    expect([...agents]).toEqual([
      ["default", socketPath],
      ["a", socketPath],
      ["b", socketPath],
    ]);
  });

  it("refuses, before the build, an unset SSH_AUTH_SOCK, a missing path, a file, a dead socket and a malformed entry", async () => {
    await expect(sshAgents({ default: true }, {})).rejects.toThrow('SSH agent "default": SSH_AUTH_SOCK is not set');
    await expect(sshAgents({ x: join(dir, "missing.sock") }, {})).rejects.toThrow(/SSH agent "x": cannot use .*missing\.sock \(ENOENT\)/);
    await writeFile(join(dir, "id_ed25519"), "not a socket");
    await expect(sshAgents({ k: { socketPath: join(dir, "id_ed25519") } }, {})).rejects.toThrow(/is not a unix socket \(give a key file as the path itself or in \{ keys \}\)/);
    const dead = createServer();
    dead.listen(join(dir, "dead.sock"));
    await once(dead, "listening");
    // Closing a listener on a path leaves no socket file on Linux, so unlinking is not what is tested: a stale file is.
    dead.close();
    await expect(sshAgents({ d: join(dir, "dead.sock") }, {})).rejects.toThrow(DockerArgumentError);
    await expect(sshAgents({ m: 42 as never }, {})).rejects.toThrow(/must be true, a socket or key file path, \{ socketPath \} or \{ keys \}/);
    await expect(sshAgents({ "": true }, { SSH_AUTH_SOCK: socketPath })).rejects.toThrow(/non-empty id/);
  });

  it.skipIf(sshToolsMissing())("takes a path that is not a socket, or { keys }, as key files served by an agent held here", async () => {
    const key = join(dir, "id_key");
    await rm(key, { force: true });
    await promisify(execFile)("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    const agents = await sshAgents({ default: key, deploy: { keys: [key, key] }, relay: socketPath }, {});
    expect(agents.get("relay")).toBe(socketPath);
    // Both are agents answering here: they list the one key (given twice, held once).
    for (const id of ["default", "deploy"]) {
      const { call: c, sent } = call([agentMessage(11), agentMessage(17, [1])], { "buildkit.ssh.id": id });
      seen.length = 0;
      await forwardAgent(agents)(c);
      expect(sent).toHaveLength(2);
      expect([...sent[0]!.subarray(4, 9)]).toEqual([12, 0, 0, 0, 1]);
      expect([...sent[1]!]).toEqual([...FAILURE]);
      expect(seen).toEqual([]);
    }
    const check = checkAgent(agents);
    await expect(check(call([toBinary(CheckAgentRequestSchema, create(CheckAgentRequestSchema, { ID: "deploy" }))], {}, true).call)).resolves.toBeUndefined();
  });

  it("refuses, before the build, key files that cannot be used and malformed { keys }, naming the id and the file", async () => {
    await writeFile(join(dir, "notes"), "not a key");
    await expect(sshAgents({ default: join(dir, "notes") }, {})).rejects.toThrow(`SSH agent "default": ${join(dir, "notes")} is not a private key in OpenSSH or PEM format`);
    await expect(sshAgents({ deploy: { keys: [join(dir, "absent")] } }, {})).rejects.toThrow(/^SSH agent "deploy": cannot read .*absent \(ENOENT\)$/);
    await expect(sshAgents({ deploy: { keys: [] } }, {})).rejects.toThrow('SSH agent "deploy": { keys } needs at least one key file');
    await expect(sshAgents({ deploy: { keys: [42 as never] } }, {})).rejects.toThrow('SSH agent "deploy": { keys } must hold key file paths');
    await expect(sshAgents({ deploy: { keys: "id_ed25519" as never } }, {})).rejects.toThrow('SSH agent "deploy": { keys } must hold key file paths');
    await expect(sshAgents({ deploy: { keys: [join(dir, "notes")], socketPath } as never }, {})).rejects.toThrow('SSH agent "deploy": give { socketPath } or { keys }, not both');
    await expect(sshAgents({ deploy: { keys: [join(dir, "notes")] } }, {})).rejects.toBeInstanceOf(DockerArgumentError);
  });

  it("rejects with DockerAbortError when aborted while checking", async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(sshAgents({ default: socketPath }, {}, abort.signal)).rejects.toBeInstanceOf(DockerAbortError);
  });
});
