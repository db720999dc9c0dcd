// A daemon that answers every request with the same malformed answer (a "shape"): a real HTTP
// server on a unix socket whose answers are written as raw bytes, so that anything the wire can
// carry — a lying JSON document, a broken frame header, a bogus 101, a reset mid-body, bytes that
// are not HTTP — reaches the client exactly as a hostile or broken daemon would send it.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { OPERATIONS, type OperationInfo } from "../../generated/operations.js";

/** What a shape writes on the connection, given the request it answers. */
type Answer = (req: IncomingMessage, socket: Duplex) => void;

/** Which requests a shape answers; the others get a sane answer, so that a call gets as far as the garbage. */
type Target = (info: OperationInfo) => boolean;

/** One kind of malformed answer. */
export interface Shape {
  /** What it is, for the test's name. */
  readonly name: string;
  readonly answer: Answer;
  /** The requests it answers (default: every one but the version ping). */
  readonly target?: Target;
  /** Methods that must refuse this answer with a DockerProtocolError naming `path`. */
  readonly refused?: { readonly path: string; readonly by: readonly string[] };
}

const JSON_TYPE = "application/json";
const MULTIPLEXED = "application/vnd.docker.multiplexed-stream";

/** A complete HTTP/1.1 answer, then the connection closed (the client never reuses one of these). */
function reply(status: number, headers: Record<string, string>, body: Uint8Array | string = ""): Answer {
  const bytes = typeof body === "string" ? Buffer.from(body) : Buffer.from(body);
  const head = [`HTTP/1.1 ${status} Whatever`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (!("Transfer-Encoding" in headers) && !("Content-Length" in headers)) head.push(`Content-Length: ${bytes.length}`);
  head.push("Connection: close", "", "");
  return (_req, socket) => socket.end(Buffer.concat([Buffer.from(head.join("\r\n")), bytes]));
}

/** Raw bytes, then the connection ended: whatever `bytes` says is all the client gets. */
function raw(bytes: Uint8Array | string): Answer {
  return (_req, socket) => socket.end(typeof bytes === "string" ? Buffer.from(bytes) : bytes);
}

const json = (body: string, status = 200, headers: Record<string, string> = {}) => reply(status, { "Content-Type": JSON_TYPE, ...headers }, body);

/** Fields the client reads off answers, each with a type no daemon would send. */
const LYING_OBJECT = JSON.stringify({
  Id: 7,
  ID: ["x"],
  Names: "web",
  Volumes: "none",
  Warnings: 5,
  State: "running",
  Config: "cfg",
  Spec: 1,
  StatusCode: "0",
  Running: "yes",
  ExitCode: "1",
  ContainersDeleted: "a",
  SpaceReclaimed: "lots",
  message: 42,
  error: { x: 1 },
  errorDetail: "bad",
  stream: 9,
  aux: "x",
  progressDetail: "p",
});

/**
 * An answer every field the client reads is right in — inspect, create, wait, exec inspect,
 * prune, volume list alike — for {@link LIES} to break one field at a time, deep inside.
 */
const PLAUSIBLE = {
  Id: "abc",
  Warnings: [],
  StatusCode: 0,
  State: { Status: "running", ExitCode: 0, Health: { Status: "healthy", FailingStreak: 0, Log: [{ ExitCode: 0, Output: "ok" }] } },
  Config: { Tty: false, Healthcheck: { Test: ["CMD", "true"] } },
  Spec: { ContainerSpec: { TTY: false }, TaskTemplate: { ContainerSpec: { TTY: false } } },
  Volumes: [{ Name: "v" }],
  ContainersDeleted: [],
  NetworksDeleted: [],
  VolumesDeleted: [],
  ImagesDeleted: [],
  CachesDeleted: [],
  SpaceReclaimed: 0,
  Running: false,
  ExitCode: 0,
};

const HEALTH = ["containers.waitHealthy"];
const STATE = ["containers.waitHealthy", "containers.waitFor"];

/**
 * One field of {@link PLAUSIBLE} (by dotted path) with a value of the wrong type, and the methods
 * whose way through the answers reaches the code relying on that field: they must refuse it
 * with a DockerProtocolError naming the field.
 */
const LIES: readonly (readonly [path: string, value: unknown, refusedBy: readonly string[]])[] = [
  ["Id", 7, ["run", "exec.run"]],
  ["StatusCode", "0", ["run"]],
  ["Running", "no", ["exec.run"]],
  ["ExitCode", "0", ["exec.run"]],
  ["State", "running", STATE],
  ["State.Status", 5, HEALTH],
  ["State.ExitCode", "1", STATE],
  ["State.Health", [], HEALTH],
  ["State.Health.Status", {}, HEALTH],
  ["State.Health.FailingStreak", "2", HEALTH],
  ["State.Health.Log", "x", HEALTH],
  ["State.Health.Log", [3], HEALTH],
  ["State.Health.Log", [{ Output: 5, ExitCode: 1 }], HEALTH],
  ["Config.Tty", "yes", ["containers.attach"]],
  ["Config.Healthcheck.Test", "CMD true", HEALTH],
  ["Volumes", "none", ["removeByLabel"]],
  ["Volumes", [5], ["removeByLabel"]],
  ["ContainersDeleted", [1], ["system.prune"]],
  ["ImagesDeleted", ["x"], ["system.prune"]],
  ["SpaceReclaimed", "9", ["system.prune"]],
];

/**
 * TTY settings of the wrong type, and the method that looks each up: below API 1.42, where the
 * daemon labels every container output raw (see {@link OLD_TTY_SHAPES}).
 */
const TTY_LIES: readonly (readonly [path: string, value: unknown, method: string])[] = [
  ["Config.Tty", "yes", "containers.logs"],
  ["Spec.ContainerSpec.TTY", 1, "tasks.logs"],
  ["Spec.TaskTemplate.ContainerSpec.TTY", "no", "services.logs"],
];

/** {@link PLAUSIBLE} with one lie. */
function lying(path: string, value: unknown): string {
  const answer = structuredClone(PLAUSIBLE) as Record<string, unknown>;
  const steps = path.split(".");
  let node = answer;
  for (const step of steps.slice(0, -1)) node = node[step] as Record<string, unknown>;
  node[steps.at(-1)!] = value;
  return JSON.stringify(answer);
}

/**
 * Lines a JSON-lines stream (progress, events, build output) should not carry, but a client
 * can read past: fields of the wrong type in messages it only passes on or reads defensively.
 */
const ODD_LINES = [
  '{"id":5,"status":{"x":1},"progressDetail":{"current":"x","total":[]}}',
  '{"aux":{"ID":5}}',
  '{"id":"moby.buildkit.trace","aux":"!!! not base64"}',
  '{"id":"moby.buildkit.trace","aux":5}',
  '{"id":"moby.buildkit.trace","aux":"AAAA"}',
  '{"stream":{"a":1}}',
];

/** Lines that end a JSON-lines stream with an error: each one is a shape of its own. */
const BAD_LINES = [
  "[1,2]",
  "not json at all",
  '"a string"',
  "null",
  "42",
  '{"errorDetail":{"code":"x","message":5},"error":{"x":1}}',
  '{"error":5}',
  '{"stream":',
];


/** The path-stat header of archive calls: base64 of something that is not a stat. */
const STAT_HEADER = "X-Docker-Container-Path-Stat";
const b64 = (text: string) => Buffer.from(text).toString("base64");

/** An 8-byte multiplexed frame header. */
function frameHeader(stream: number, size: number): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(size, 4);
  return header;
}

/** A 101 that switches to `upgrade` and then sends `after`; websocket handshakes get a correct accept key. */
function switched(upgrade: string, after: Uint8Array | string, accept = true): Answer {
  return (req, socket) => {
    const key = req.headers["sec-websocket-key"];
    const head = [`HTTP/1.1 101 Switching Protocols`, `Upgrade: ${upgrade}`, "Connection: Upgrade", `Content-Type: ${MULTIPLEXED}`];
    if (accept && typeof key === "string") {
      head.push(`Sec-WebSocket-Accept: ${createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64")}`);
    }
    head.push("", "");
    socket.end(Buffer.concat([Buffer.from(head.join("\r\n")), typeof after === "string" ? Buffer.from(after) : after]));
  };
}

const INVALID_UTF8 = Buffer.from([0x7b, 0x22, 0x49, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]); // {"Id":"\xff\xfe\xc3("}

/** Requests whose success is one JSON document. */
const documents: Target = (info) => info.document !== undefined && !info.path.startsWith("/_ping");
const objects: Target = (info) => info.document === "object";
const jsonLines: Target = (info) => info.stream === "json-lines";
const stdio: Target = (info) => info.stream === "stdio";
const archives: Target = (info) => info.path.endsWith("/archive");
const upgrades: Target = (info) => info.upgrade !== undefined;
const ping: Target = (info) => info.path === "/_ping";
/** By default a shape answers every request but the version ping, so that calls reach their own. */
const calls: Target = (info) => !ping(info);

/** What a daemon in good health answers a request of `info`: enough for a call to go on. */
function sane(info: OperationInfo | undefined, req: IncomingMessage): Answer {
  if (info === undefined || info.path === "/_ping") return reply(200, { "Api-Version": "1.55", OSType: "linux", "Content-Type": "text/plain" }, "OK");
  if (info.upgrade && req.headers.upgrade) return switched(info.upgrade, "");
  if (info.stream === "json-lines") return json('{"status":"Done"}\n');
  if (info.stream === "stdio") {
    // As daemons do, before API 1.42 multiplexed output is labelled raw: only the TTY setting tells.
    const label = /^\/v1\.(?:[0-3]\d|4[01])\//.test(req.url ?? "") ? "application/vnd.docker.raw-stream" : MULTIPLEXED;
    return reply(200, { "Content-Type": label }, Buffer.concat([frameHeader(1, 6), Buffer.from("ready\n")]));
  }
  if (info.stream === "binary" || info.answer) return reply(200, { "Content-Type": "application/x-tar", [STAT_HEADER]: b64('{"name":"etc","size":0,"mode":0,"mtime":"2024-01-01T00:00:00Z","linkTarget":""}') }, Buffer.alloc(1024));
  if (info.document === "object[]" || info.document === "array") return json("[]");
  if (info.document === "string") return json('"abc"');
  return json(JSON.stringify(PLAUSIBLE));
}

/** The operations by method, as path patterns below the version prefix; fixed paths before templates. */
const ROUTES = (Object.values(OPERATIONS) as OperationInfo[])
  .map((info) => ({ info, pattern: new RegExp(`^${info.path.replace(/\{[^}]+\}/g, "[^/]+")}$`), params: info.path.split("{").length }))
  .sort((a, b) => a.params - b.params);

/** The operation a request is for, by its method and path. */
function operationOf(req: IncomingMessage): OperationInfo | undefined {
  const path = (req.url ?? "").split("?")[0]!.replace(/^\/v[\d.]+/, "");
  return ROUTES.find(({ info, pattern }) => info.method === req.method && pattern.test(path))?.info;
}

/** Every malformed answer the audit drives each method against. */
export const SHAPES: readonly Shape[] = [
  { name: "a JSON array", answer: json('[1,"two",null,{"Id":3},[]]'), target: documents },
  { name: "a JSON object whose fields all have the wrong type", answer: json(LYING_OBJECT), target: documents },
  { name: "a JSON string", answer: json('"garbage"'), target: documents },
  { name: "a JSON number", answer: json("42"), target: documents },
  { name: "JSON null", answer: json("null"), target: documents },
  { name: "JSON true", answer: json("true"), target: documents },
  { name: "an empty object", answer: json("{}"), target: documents },
  { name: "a plausible answer", answer: json(JSON.stringify(PLAUSIBLE)), target: objects },
  ...LIES.map(([path, value, refusedBy]) => ({
    name: `a plausible answer but ${path} = ${JSON.stringify(value)}`,
    answer: json(lying(path, value)),
    // Lists get theirs sanely, so that workflows reach the objects they read.
    target: objects,
    refused: { path, by: refusedBy },
  })),
  { name: "truncated JSON (complete body)", answer: json('{"Id":"abc","Names":['), target: documents },
  { name: "invalid UTF-8 in JSON", answer: reply(200, { "Content-Type": JSON_TYPE }, INVALID_UTF8), target: documents },
  { name: "an empty body with 200", answer: json("") },
  { name: "204 with no content type", answer: reply(204, {}) },
  { name: "plain text with 200", answer: reply(200, { "Content-Type": "text/plain" }, "hello, world\n") },
  { name: "an HTML page with 200 (a proxy's login page)", answer: reply(200, { "Content-Type": "text/html" }, "<html><body>Sign in</body></html>") },
  { name: "an HTML error page with 500", answer: reply(500, { "Content-Type": "text/html" }, "<html><body><h1>502 Bad Gateway</h1></body></html>") },
  { name: "an error whose message is not a string", answer: json('{"message":{"nested":[1]}}', 404) },
  { name: "an unknown status (299)", answer: json('{"Id":"x"}', 299) },
  { name: "304 with a body", answer: json('{"Id":"x"}', 304) },
  { name: "JSON lines with odd lines", answer: json(`${ODD_LINES.join("\n")}\n`), target: jsonLines },
  ...BAD_LINES.map((line) => ({ name: `JSON lines: ${line}`, answer: json(`{"status":"Pulling"}\n${line}\n{"status":"Done"}\n`), target: jsonLines })),
  { name: "a multiplexed stream with a bad stream id", answer: reply(200, { "Content-Type": MULTIPLEXED }, Buffer.concat([frameHeader(9, 5), Buffer.from("hello")])), target: stdio },
  { name: "a multiplexed frame cut short", answer: reply(200, { "Content-Type": MULTIPLEXED }, Buffer.concat([frameHeader(1, 1 << 20), Buffer.from("abc")])), target: stdio },
  { name: "a multiplexed frame of invalid UTF-8", answer: reply(200, { "Content-Type": MULTIPLEXED }, Buffer.concat([frameHeader(3, 4), Buffer.from([0xff, 0xfe, 0xc3, 0x28])])), target: stdio },
  {
    name: "an archive with a path stat that is not JSON",
    answer: reply(200, { "Content-Type": "application/x-tar", [STAT_HEADER]: b64("not json{") }, Buffer.alloc(1024, 0x41)),
    target: archives,
  },
  {
    name: "an archive with a path stat of the wrong type",
    answer: reply(200, { "Content-Type": "application/x-tar", [STAT_HEADER]: b64('[1,"x"]') }, Buffer.alloc(700, 0)),
    target: archives,
  },
  { name: "an archive with a path stat that is not base64", answer: reply(200, { "Content-Type": "application/x-tar", [STAT_HEADER]: "%%%not base64%%%" }, ""), target: archives },
  { name: "an archive that is not a tar", answer: reply(200, { "Content-Type": "application/x-tar", [STAT_HEADER]: b64('{"name":"etc","size":1,"mode":2147484141}') }, Buffer.alloc(1536, 0x41)), target: archives },
  {
    name: "ping headers of the wrong form",
    answer: reply(200, { "Api-Version": "banana", "Builder-Version": "2", OSType: "", "Docker-Experimental": "maybe", Swarm: "x/y/z", "Content-Type": JSON_TYPE }, "{}"),
    target: ping,
  },
  { name: "a ping answered with an HTML error page", answer: reply(500, { "Content-Type": "text/html" }, "<html>oops</html>"), target: ping },
  { name: "a ping answered with a reset", answer: (_req, socket) => socket.destroy(), target: ping },
  { name: "a bogus 101 (tcp) followed by garbage", answer: switched("tcp", Buffer.concat([frameHeader(7, 3), Buffer.from("xyz\xff")])), target: upgrades },
  { name: "a 101 websocket without an accept key", answer: switched("websocket", "\x81\x05hello", false), target: upgrades },
  { name: "a 101 websocket followed by bad frames", answer: switched("websocket", Buffer.from([0x8f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02])), target: upgrades },
  { name: "a 101 h2c that is not HTTP/2", answer: switched("h2c", "this is not an http/2 preface\r\n\r\n"), target: upgrades },
  { name: "a 101 to a request that asked for no upgrade", answer: switched("tcp", "{}") },
  { name: "a broken chunked encoding", answer: reply(200, { "Content-Type": JSON_TYPE, "Transfer-Encoding": "chunked" }, "zz\r\nhello\r\n") },
  {
    name: "a reset in the middle of the body",
    answer: (_req, socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: 1000\r\n\r\n[{"Id":"abc"`);
      setImmediate(() => socket.destroy());
    },
  },
  { name: "a reset before any answer", answer: (_req, socket) => socket.destroy() },
  { name: "bytes that are not HTTP", answer: raw("SSH-2.0-OpenSSH_9.6\r\n\r\n") },
  { name: "a status line with no headers end", answer: raw("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n") },
];

/** For a client pinned below API 1.42: a TTY setting that lies, which the method must refuse by name. */
export const OLD_TTY_SHAPES: readonly Shape[] = TTY_LIES.map(([path, value, method]) => ({
  name: `${method}: ${path} = ${JSON.stringify(value)}`,
  answer: json(lying(path, value)),
  target: objects,
  refused: { path, by: [method] },
}));

const EVERY_SHAPE = [...SHAPES, ...OLD_TTY_SHAPES];

/** The running daemon and its socket. */
export interface GarbageDaemon {
  /** `unix://…` address for the client. */
  readonly host: string;
  close(): Promise<void>;
}

/** The User-Agent that makes the daemon answer with `shape`: clients of several shapes can run at once. */
export function userAgentOf(shape: Shape): string {
  return `garbage-audit/${EVERY_SHAPE.indexOf(shape)}`;
}

function shapeOf(req: IncomingMessage): Shape | undefined {
  const index = /^garbage-audit\/(\d+)$/.exec(req.headers["user-agent"] ?? "")?.[1];
  return index === undefined ? undefined : EVERY_SHAPE[Number(index)];
}

/**
 * Starts a daemon answering each request its client's shape targets (see {@link userAgentOf})
 * with that shape, and the others sanely.
 */
export async function startGarbageDaemon(): Promise<GarbageDaemon> {
  const dir = mkdtempSync(join(tmpdir(), "dockhand-garbage-"));
  const path = join(dir, "docker.sock");
  const sockets = new Set<Socket>();
  // Answered once the request is read, so that uploads reach the point of reading the answer.
  const respond = (req: IncomingMessage, socket: Duplex) => {
    const info = operationOf(req);
    const shape = shapeOf(req);
    const targeted = info !== undefined && shape !== undefined && (shape.target ?? calls)(info);
    (targeted ? shape!.answer : sane(info, req))(req, socket);
  };
  const answer = (req: IncomingMessage, socket: Duplex) => {
    req.on("error", () => {});
    req.resume();
    req.once("end", () => respond(req, socket));
  };
  const server: Server = createServer({ keepAlive: false }, (req, res) => answer(req, res.socket!));
  server.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
    socket.on("error", () => {});
    req.resume();
    respond(req, socket);
  });
  server.on("connection", (socket: Socket) => {
    socket.on("error", () => {});
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("clientError", (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    host: `unix://${path}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
