// Answers too large to hold, from a hostile daemon (hostile.ts): a JSON document or a JSON line
// that never ends, a frame declaring 4 GiB, a 64 MB response head, and TLS where plain HTTP was
// expected. Each: the typed error naming the limit, the process alive and its memory bounded
// (peak RSS measured in a child process for the 2 GB cases), the connection closed rather than
// reused, and the client working on the next call.
import { execFile } from "node:child_process";
import { once } from "node:events";
import { createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { dirname, join } from "node:path";
import { createServer as createTLSServer, type Server as TLSServer } from "node:tls";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_LIMITS,
  Docker,
  DockerArgumentError,
  DockerConfigError,
  DockerConnectionError,
  DockerLimitError,
  DockerProtocolError,
  DockerTLSError,
  type DockerOptions,
} from "../../src/index.js";
import { HostileDaemon, pour, sendJson } from "./hostile.js";
import { expectTyped, failure, guardProcess, settlesTo } from "./support.js";
import { selfSignedCertificate, type SelfSigned } from "../support/self-signed.js";

guardProcess();

const GB2 = 2 ** 31;
/** Peak RSS allowed to a child that met a 2 GB answer (node, tsx and dockhand alone take ~80 MB). */
const RSS_LIMIT_MB = 300;
/** Long enough that a loaded 2-core machine never meets it; a refusal must come far sooner. */
const TIMEOUT = 60_000;
const SLOW = 10_000;

let daemon: HostileDaemon;
beforeAll(async () => {
  daemon = await HostileDaemon.start();
});
afterAll(() => daemon.close());

let docker: Docker | undefined;
function client(options: DockerOptions = {}): Docker {
  docker = new Docker({ host: daemon.host, apiVersion: "1.47", timeout: TIMEOUT, ...options });
  return docker;
}
afterEach(async () => {
  daemon.reset();
  // The client that met the fault still works, and leaves nothing open once closed.
  if (docker) {
    expect((await docker.system.version()).Version).toBe("hostile");
    await docker.close();
    docker = undefined;
  }
  await settlesTo(() => ({ open: daemon.connections.size, asked: [...daemon.asked.values()] }), { open: 0, asked: [] }, 10_000);
});

/** The socket a hostile route answered on, to check that the client closed it. */
function answeredOn(): { socket: () => Socket | undefined; set: (s: Socket) => void } {
  let socket: Socket | undefined;
  return { socket: () => socket, set: (s) => (socket = s) };
}

const closed = (socket: Socket | undefined) => socket !== undefined && socket.destroyed;
const fill = (byte: string, size = 64 << 10) => Buffer.alloc(size, byte);
const CHUNKED_JSON = "HTTP/1.1 200 OK\r\nApi-Version: 1.47\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

interface ChildReport {
  name?: string;
  limit?: string;
  maximum?: number;
  size?: number;
  path?: string;
  message?: string;
  stillWorks?: string;
  peakRssMB: number;
}

/** Runs limits-child.ts against the hostile daemon; it prints what it met and its peak RSS. */
async function inChild(which: "inspect" | "events"): Promise<ChildReport> {
  const child = join(dirname(fileURLToPath(import.meta.url)), "limits-child.ts");
  const tsx = fileURLToPath(new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", tsx, child, daemon.host, which], {
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: process.env["HOME"] ?? "/tmp" },
    timeout: 240_000,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as ChildReport;
}

/**
 * After a 2 GB answer in the child: its peak RSS stayed under the bound, and the client hung up
 * early, so the daemon got nowhere near 2 GB out.
 */
async function expectBoundedHangUp(peakRssMB: number, what: string): Promise<void> {
  expect(peakRssMB).toBeLessThan(RSS_LIMIT_MB);
  await settlesTo(() => daemon.poured.length, 1, 30_000);
  expect(daemon.poured[0]).toBeLessThan(GB2 / 2);
  console.log(`${what}: child peak RSS ${peakRssMB} MB, daemon wrote ${Math.round(daemon.poured[0]! / 2 ** 20)} MiB`);
}

describe("a whole JSON answer past jsonBody", () => {
  it("2 GB that never ends (chunked): refused at 128 MiB, peak RSS bounded, the process lives on", { timeout: 300_000 }, async () => {
    daemon.on("GET", /^\/containers\/huge\/json/, async (socket) => {
      daemon.poured.push(await pour(socket, GB2, fill("a"), { chunked: true, prefix: Buffer.from(`${CHUNKED_JSON}8\r\n{"Id":"x\r\n`) }));
    });
    const report = await inChild("inspect");
    expect(report).toMatchObject({
      name: "DockerLimitError",
      limit: "jsonBody",
      maximum: DEFAULT_LIMITS.jsonBody,
      path: "/v1.47/containers/huge/json",
      stillWorks: "hostile",
    });
    expect(report.size).toBeGreaterThan(DEFAULT_LIMITS.jsonBody);
    expect(report.message).toMatch(/limits: \{ jsonBody: … \}/);
    await expectBoundedHangUp(report.peakRssMB, "jsonBody, 2 GB answer");
    client();
  });

  it("a Content-Length past the limit: refused before the body is read, the connection closed", async () => {
    const on = answeredOn();
    daemon.on("GET", /^\/containers\/declared\/json/, (socket) => {
      on.set(socket);
      // The head only: a client that waited for the body would wait until its timeout.
      socket.write("HTTP/1.1 200 OK\r\nApi-Version: 1.47\r\nContent-Type: application/json\r\nContent-Length: 4294967296\r\n\r\n{");
    });
    const { error, ms } = await failure(() => client().containers.inspect("declared"));
    expectTyped(error, DockerLimitError, /JSON answer to GET \/v1\.47\/containers\/declared\/json is larger than the jsonBody limit of 134217728 bytes \(it declared 4294967296 bytes\)/);
    expect(error).toMatchObject({ limit: "jsonBody", maximum: 128 << 20, size: 2 ** 32, operation: "ContainerInspect", method: "GET" });
    expect(error).toBeInstanceOf(DockerProtocolError);
    expect(ms).toBeLessThan(SLOW);
    await settlesTo(() => closed(on.socket()), true);
  });

  it("a client's limit, and a call's own over it", async () => {
    const body = JSON.stringify({ Id: "x", Padding: "p".repeat(5000) });
    daemon.on("GET", /^\/containers\/padded\/json/, (socket) => {
      socket.write(`${CHUNKED_JSON}${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`);
      return "keep-alive";
    });
    const docker = client({ limits: { jsonBody: 1000 } });
    const { error } = await failure(() => docker.containers.inspect("padded"));
    expectTyped(error, DockerLimitError, /larger than the jsonBody limit of 1000 bytes/);
    expect(error).toMatchObject({ limit: "jsonBody", maximum: 1000 });
    const inspected = await docker.containers.inspect("padded", undefined, { limits: { jsonBody: 10_000 } });
    expect(inspected.Id).toBe("x");
  });
});

describe("a JSON line past jsonLine", () => {
  it("2 GB without a newline: refused at 16 MiB, peak RSS bounded, the process lives on", { timeout: 300_000 }, async () => {
    daemon.on("GET", /^\/events/, async (socket) => {
      daemon.poured.push(await pour(socket, GB2, fill("b"), { chunked: true, prefix: Buffer.from(`${CHUNKED_JSON}8\r\n{"Type":\r\n`) }));
    });
    const report = await inChild("events");
    expect(report).toMatchObject({ name: "DockerLimitError", limit: "jsonLine", maximum: DEFAULT_LIMITS.jsonLine, path: "/v1.47/events", stillWorks: "hostile" });
    expect(report.message).toMatch(/line of the JSON stream/);
    await expectBoundedHangUp(report.peakRssMB, "jsonLine, 2 GB line");
    client();
  });

  it("a long line with its newline, in one chunk: the messages before it, then the error; a call's limit over the client's", async () => {
    const on = answeredOn();
    daemon.on("GET", /^\/events/, (socket) => {
      on.set(socket);
      const lines = `{"Type":"container","Action":"start"}\n{"Type":"container","Action":"${"x".repeat(5000)}"}\n`;
      // The stream stays open after the long line: only the client's refusal ends it.
      socket.write(`${CHUNKED_JSON}${Buffer.byteLength(lines).toString(16)}\r\n${lines}\r\n`);
    });
    const docker = client({ limits: { jsonLine: 100_000 } });
    const events = await docker.system.events(undefined, { limits: { jsonLine: 1024 } });
    const seen: string[] = [];
    const { error } = await failure(async () => {
      for await (const event of events) seen.push(String(event.Action));
    });
    expect(seen).toEqual(["start"]);
    expectTyped(error, DockerLimitError, /line of the JSON stream to GET \/v1\.47\/events is larger than the jsonLine limit of 1024 bytes/);
    expect(error).toMatchObject({ limit: "jsonLine", maximum: 1024, operation: "SystemEvents" });
    await settlesTo(() => closed(on.socket()), true);
  });
});

describe("multiplexed output frames past outputFrame", () => {
  const LOGS_HEAD = "HTTP/1.1 200 OK\r\nApi-Version: 1.47\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n\r\n";
  const header = (id: number, size: number) => {
    const h = Buffer.alloc(8);
    h[0] = id;
    h.writeUInt32BE(size, 4);
    return h;
  };

  it("a frame declaring 4 GiB is handed out in pieces as they arrive, never held whole", async () => {
    const sent = 64 << 20;
    daemon.on("GET", /^\/containers\/web\/logs/, async (socket) => {
      socket.write(LOGS_HEAD);
      socket.write(header(1, 0xffff_ffff));
      await pour(socket, sent, fill("o"));
      // Cut off inside the frame: the end of the answer is a truncated frame.
      socket.end();
    });
    const output = await client().containers.logs("web", { stdout: true });
    let bytes = 0;
    let largest = 0;
    const { error } = await failure(async () => {
      for await (const { stream, data } of output) {
        expect(stream).toBe("stdout");
        bytes += data.length;
        largest = Math.max(largest, data.length);
      }
    });
    expect(bytes).toBe(sent);
    expect(largest).toBeLessThanOrEqual(DEFAULT_LIMITS.outputFrame);
    expectTyped(error, DockerProtocolError, /truncated: 67108864 of 4294967295 payload bytes/);
  });

  it("an error frame declaring 4 GiB is refused before it is read", async () => {
    const on = answeredOn();
    daemon.on("GET", /^\/containers\/web\/logs/, (socket) => {
      on.set(socket);
      socket.write(LOGS_HEAD);
      socket.write(Buffer.concat([header(1, 5), Buffer.from("hello"), header(3, 0xffff_0000), Buffer.from("no such thing")]));
    });
    const output = await client().containers.logs("web", { stdout: true }, { limits: { outputFrame: 4096 } });
    const seen: string[] = [];
    const { error } = await failure(async () => {
      for await (const { data } of output) seen.push(Buffer.from(data).toString());
    });
    expect(seen).toEqual(["hello"]);
    expectTyped(error, DockerLimitError, /error frame of the output stream .* larger than the outputFrame limit of 4096 bytes \(it declared 4294901760 bytes\)/);
    expect(error).toMatchObject({ limit: "outputFrame", maximum: 4096, size: 0xffff_0000, operation: "ContainerLogs" });
    await settlesTo(() => closed(on.socket()), true);
  });
});

describe("a response head past responseHead", () => {
  /** A head of `size` bytes of headers, streamed, never ending unless the client waits it out. */
  const hugeHead = (size: number) => async (socket: Socket) => {
    socket.write("HTTP/1.1 200 OK\r\nApi-Version: 1.47\r\n");
    const line = Buffer.from(`X-Padding: ${"h".repeat(1000)}\r\n`);
    daemon.poured.push(await pour(socket, size, Buffer.concat(Array.from({ length: 64 }, () => line))));
    socket.end("Content-Length: 2\r\n\r\n{}");
  };

  it("a 64 MB head to a pooled call: a DockerLimitError, not a lost connection", async () => {
    daemon.on("GET", /^\/containers\/web\/json/, hugeHead(64 << 20));
    const { error, ms } = await failure(() => client().containers.inspect("web"));
    expectTyped(error, DockerLimitError, /response head to GET \/v1\.47\/containers\/web\/json is larger than the responseHead limit of 65536 bytes/);
    expect(error).toMatchObject({ limit: "responseHead", maximum: 64 << 10, operation: "ContainerInspect" });
    expect(ms).toBeLessThan(SLOW);
    await settlesTo(() => daemon.poured.length, 1);
    expect(daemon.poured[0]).toBeLessThan(32 << 20);
  });

  it("a 64 MB head to a hijacked attach (which reads the head itself): the same error", async () => {
    daemon.on("POST", /^\/containers\/web\/attach/, hugeHead(64 << 20));
    const { error, ms } = await failure(() => client().containers.attach("web", { stdin: true, stream: true }, { tty: false }));
    expectTyped(error, DockerLimitError, /response head to POST \/v1\.47\/containers\/web\/attach is larger than the responseHead limit of 65536 bytes/);
    expect(error).toMatchObject({ limit: "responseHead", maximum: 64 << 10, operation: "ContainerAttach" });
    expect(ms).toBeLessThan(SLOW);
  });

  it("a client's responseHead lets a larger head through", async () => {
    daemon.on("GET", /^\/containers\/web\/json/, hugeHead(100 << 10));
    const inspected = await client({ limits: { responseHead: 1 << 20 } }).containers.inspect("web");
    expect(inspected).toEqual({});
  });
});

describe("the limits are options", () => {
  it.each([0, -1, 1.5, Number.NaN, Infinity, "1"])("%s is refused when the client is made, and by a call", async (value) => {
    const limits = { jsonBody: value } as never;
    expect(() => new Docker({ host: daemon.host, limits })).toThrow(DockerConfigError);
    expect(() => new Docker({ host: daemon.host, limits })).toThrow(/^limits\.jsonBody must be a whole number of bytes of at least 1/);
    await expect(client().containers.inspect("x", undefined, { limits })).rejects.toThrow(DockerArgumentError);
  });
});

describe("plain HTTP to a TLS port", () => {
  let certificate: SelfSigned;
  let server: TLSServer;
  let port: number;
  beforeAll(async () => {
    certificate = selfSignedCertificate("dockhand-limits-tls-");
    server = createTLSServer({ key: certificate.key, cert: certificate.cert });
    server.on("tlsClientError", () => {});
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.close();
    certificate.remove();
  });

  it("says the server speaks TLS, for pooled and hijacked calls", async () => {
    const plain = new Docker({ host: `tcp://127.0.0.1:${port}`, apiVersion: "1.47", timeout: TIMEOUT });
    try {
      const { error } = await failure(() => plain.system.version());
      expectTyped(error, DockerTLSError, /at tcp:\/\/127\.0\.0\.1:\d+: it speaks TLS, and the client connected without TLS/);
      expect(error).toMatchObject({ reason: "tls", path: "/v1.47/version" });
      const hijacked = await failure(() => plain.containers.attach("web", { stdin: true, stream: true }, { tty: false }));
      expectTyped(hijacked.error, DockerTLSError, /it speaks TLS/);
    } finally {
      await plain.close();
    }
  });

  it("a plain server that hangs up is still a closed connection: the probe claims TLS only for TLS", async () => {
    const hangUp = createNetServer((socket) => socket.once("data", () => socket.destroy()));
    hangUp.listen(0, "127.0.0.1");
    await once(hangUp, "listening");
    const plain = new Docker({ host: `tcp://127.0.0.1:${(hangUp.address() as AddressInfo).port}`, apiVersion: "1.47", timeout: TIMEOUT });
    try {
      const { error } = await failure(() => plain.system.version());
      expectTyped(error, DockerConnectionError, /closed the connection before answering/);
      expect(error).not.toBeInstanceOf(DockerTLSError);
      const hijacked = await failure(() => plain.containers.attach("web", { stdin: true, stream: true }, { tty: false }));
      expectTyped(hijacked.error, DockerConnectionError, /closed the connection before answering/);
      expect(hijacked.error).not.toBeInstanceOf(DockerTLSError);
    } finally {
      await plain.close();
      hangUp.close();
    }
  });
});
