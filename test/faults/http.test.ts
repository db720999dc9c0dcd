// Faults in plain request/response exchanges (JSON answers and empty answers), served by the mock
// daemon over its real unix socket. Every case: a typed error that says what happened, the
// original low-level error kept as `cause`, no wait past the timeout, nothing unhandled, no
// connection left on either side, and the same client working on the next call.
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import {
  DockerAPIError,
  DockerConnectionError,
  DockerProtocolError,
  DockerTimeoutError,
  InternalServerError,
  type DockerError,
} from "../../src/index.js";
import { fault, route } from "../../src/testing/index.js";
import { expectTyped, failure, guardProcess, raw, useFaultDaemon } from "./support.js";

guardProcess();

// Long enough that a normal answer on a loaded 2-core CI machine never meets it.
const TIMEOUT = 2000;
/** Slack for a loaded CI machine: a timeout must fire close to its time, never much later. */
const LATE = 3000;

// After each test the client that met the fault also still lists (nothing, as the mock holds no container).
const mock = useFaultDaemon({ timeout: TIMEOUT }, async (docker) => {
  expect(await docker.containers.list()).toEqual([]);
});
const { client } = mock;

const containers = route("/containers/json");
const json = (body: unknown) => HttpResponse.json(body as never);
const listing = () => json([{ Id: "a".repeat(64), Names: ["/web"], Image: "busybox", State: "running" }]);

describe("a JSON call meets a fault", () => {
  it("connection reset before any byte of the answer", async () => {
    mock.daemon.use(http.get(containers, () => fault.reset(), { once: true }));
    const { error } = await failure(() => client().containers.list());
    expectTyped(error, DockerConnectionError, /closed the connection|reset/, raw("ECONNRESET", "UND_ERR_SOCKET"));
    expect(error).toMatchObject({ host: mock.daemon.host, method: "GET", path: "/v1.47/containers/json" });
  });

  it("connection reset in the middle of the JSON body (Content-Length unkept)", async () => {
    mock.daemon.use(http.get(containers, () => fault.truncate(listing(), 20), { once: true }));
    const { error } = await failure(() => client().containers.list());
    expectTyped(error, DockerConnectionError, /connection/, raw("ECONNRESET", "UND_ERR_SOCKET"));
    expect((error as DockerConnectionError).path).toBe("/v1.47/containers/json");
  });

  it("malformed JSON with status 200", async () => {
    mock.daemon.use(http.get(containers, () => HttpResponse.text('[{"Id": "abc", ', { headers: { "Content-Type": "application/json" } }), { once: true }));
    const { error } = await failure(() => client().containers.list());
    expectTyped(error, DockerProtocolError, /invalid JSON for ContainerList/, (c) => c instanceof SyntaxError);
  });

  it("a daemon that accepts the connection and never answers", async () => {
    mock.daemon.use(http.get(containers, () => fault.hang(), { once: true }));
    const { error, ms } = await failure(() => client().containers.list());
    expectTyped(error, DockerTimeoutError, new RegExp(`GET /v1.47/containers/json timed out after ${TIMEOUT} ms`));
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT - 5);
    expect(ms).toBeLessThan(TIMEOUT + LATE);
  });

  it("a daemon that sends the status and headers, then stalls in the body", async () => {
    mock.daemon.use(http.get(containers, () => fault.stall(listing(), 10), { once: true }));
    const { error, ms } = await failure(() => client().containers.list());
    expectTyped(error, DockerTimeoutError, new RegExp(`timed out after ${TIMEOUT} ms`));
    expect(ms).toBeLessThan(TIMEOUT + LATE);
  });

  it("a daemon that stalls before the first body byte, on a call without an answer body", async () => {
    mock.daemon.use(http.post(route("/containers/:id/start"), () => fault.stall(new HttpResponse("x".repeat(100), { status: 200 })), { once: true }));
    const { error, ms } = await failure(() => client().containers.start("stalled"));
    expectTyped(error, DockerTimeoutError, /POST \/v1\.47\/containers\/stalled\/start timed out/);
    expect(ms).toBeLessThan(TIMEOUT + LATE);
  });

  it("the per-call timeout wins over the client's", async () => {
    mock.daemon.use(http.get(containers, () => fault.stall(listing(), 0), { once: true }));
    const { error, ms } = await failure(() => client().containers.list(undefined, { timeout: 50 }));
    expect(error).toMatchObject({ timeout: 50 });
    expect(ms).toBeLessThan(50 + LATE);
  });
});

describe("the daemon (or a proxy) answers with an error status", () => {
  const cases: [string, () => Response, RegExp][] = [
    ["500 with a plain-text body", () => HttpResponse.text("runtime panic: nil map\n", { status: 500 }), /^runtime panic: nil map$/],
    ["500 with an empty body", () => new HttpResponse(null, { status: 500 }), /^The daemon answered HTTP 500 with no message$/],
    ["500 with an unparseable JSON body", () => HttpResponse.text('{"message": "cut', { status: 500, headers: { "Content-Type": "application/json" } }), /^\{"message": "cut$/],
    ["500 with JSON that has no message", () => HttpResponse.json({ error: "x" } as never, { status: 500 }), /^\{"error":"x"\}$/],
  ];
  it.each(cases)("%s", async (_name, answer, message) => {
    mock.daemon.use(http.get(containers, answer, { once: true }));
    const { error } = await failure(() => client().containers.list());
    expectTyped(error, InternalServerError, message);
    expect(error).toMatchObject({ statusCode: 500, method: "GET", path: "/v1.47/containers/json", apiVersion: "1.47" });
  });

  it("an HTML error page from a proxy in front of the daemon", async () => {
    const page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>";
    mock.daemon.use(http.get(containers, () => HttpResponse.html(page, { status: 502 }), { once: true }));
    const { error } = await failure(() => client().containers.list());
    expectTyped(error, DockerAPIError, /answered HTTP 502 with an HTML page \(a proxy in the way\?\)/);
    expect((error as DockerError).statusCode).toBe(502);
    expect((error as Error).message).not.toContain("<html>");
  });

  it("an HTML page with status 200 where JSON was expected", async () => {
    mock.daemon.use(http.get(containers, () => HttpResponse.html("<html><body>Login required</body></html>"), { once: true }));
    const { error } = await failure(() => client().containers.list());
    expectTyped(error, DockerProtocolError, /invalid JSON/, (c) => c instanceof SyntaxError);
  });

  it("an endless error body is read only up to a bound", async () => {
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 64 << 10;
        controller.enqueue(new Uint8Array(64 << 10).fill(0x61));
      },
    });
    mock.daemon.use(http.get(containers, () => new HttpResponse(endless, { status: 500 }), { once: true }));
    const { error } = await failure(() => client().containers.list());
    expectTyped(error, InternalServerError, /^The daemon answered HTTP 500 with no message$/);
    // One megabyte and a little socket buffering, not the whole (endless) body.
    expect(sent).toBeLessThan(16 << 20);
  });
});
