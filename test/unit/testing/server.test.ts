import { existsSync } from "node:fs";
import { delay, http, HttpResponse } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { fault, route, startMockDaemon, type MockDaemon } from "../../../src/testing/index.js";
import { call, open, reader } from "./http.js";

let daemon: MockDaemon;
afterEach(async () => {
  await daemon?.close();
});

describe("mock daemon server", () => {
  it("answers GET and HEAD /_ping with the daemon's headers and counts pings", async () => {
    daemon = await startMockDaemon({ apiVersion: "1.47" });
    const get = await call(daemon, { path: "/_ping" });
    expect(get.status).toBe(200);
    expect(get.body.toString()).toBe("OK");
    expect(get.headers).toMatchObject({
      "api-version": "1.47",
      ostype: "linux",
      "docker-experimental": "false",
      "builder-version": "1",
      swarm: "inactive",
      "cache-control": "no-cache, no-store, must-revalidate",
    });
    const head = await call(daemon, { method: "HEAD", path: "/v1.40/_ping" });
    expect(head.status).toBe(200);
    expect(head.body.byteLength).toBe(0);
    expect(head.headers["api-version"]).toBe("1.47");
    expect(daemon.pingCount).toBe(2);
  });

  it("delays pings when asked, so concurrent callers overlap", async () => {
    daemon = await startMockDaemon({ pingDelayMs: 150 });
    const started = performance.now();
    await Promise.all([call(daemon, { path: "/_ping" }), call(daemon, { path: "/_ping" })]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(daemon.pingCount).toBe(2);
  });

  it("serves every route with and without a version prefix and checks the version range", async () => {
    daemon = await startMockDaemon({ apiVersion: "1.45", minApiVersion: "1.40" });
    expect((await call(daemon, { path: "/version" })).json().ApiVersion).toBe("1.45");
    expect((await call(daemon, { path: "/v1.41/version" })).status).toBe(200);

    const tooNew = await call(daemon, { path: "/v1.46/version" });
    expect(tooNew.status).toBe(400);
    expect(tooNew.json()).toEqual({ message: "client version 1.46 is too new. Maximum supported API version is 1.45" });

    const tooOld = await call(daemon, { path: "/v1.39/containers/json" });
    expect(tooOld.status).toBe(400);
    expect(tooOld.json().message).toBe(
      "client version 1.39 is too old. Minimum supported API version is 1.40, please upgrade your client to a newer version",
    );
  });

  it("answers unknown routes with the daemon's bare 404", async () => {
    daemon = await startMockDaemon();
    const reply = await call(daemon, { path: "/v1.44/no/such/route" });
    expect(reply.status).toBe(404);
    expect(reply.json()).toEqual({ message: "page not found" });
    expect(reply.headers["api-version"]).toBeUndefined();
  });

  it("records each request with its raw URL, headers and JSON body", async () => {
    daemon = await startMockDaemon();
    await call(daemon, {
      method: "POST",
      path: "/v1.47/containers/create?name=rec%2Done",
      body: { Image: "busybox", Cmd: ["true"] },
      headers: { "X-Custom": "yes" },
    });
    const [recorded] = daemon.requests;
    expect(recorded).toMatchObject({
      method: "POST",
      url: "/v1.47/containers/create?name=rec%2Done",
      path: "/containers/create",
      apiVersion: "1.47",
      body: '{"Image":"busybox","Cmd":["true"]}',
      upgrade: false,
    });
    expect(recorded?.query.get("name")).toBe("rec-one");
    expect(recorded?.headers["x-custom"]).toBe("yes");
    expect(daemon.state.findContainer("rec-one")).toBeDefined();
    daemon.clearRequests();
    expect(daemon.requests).toHaveLength(0);
  });

  it("lets tests override routes at runtime and reset them", async () => {
    daemon = await startMockDaemon();
    daemon.use(http.get("*/version", () => HttpResponse.json({ message: "boom" }, { status: 500 })));
    const overridden = await call(daemon, { path: "/v1.50/version" });
    expect(overridden.status).toBe(500);
    expect(overridden.json()).toEqual({ message: "boom" });
    // Overrides still get the daemon's standard headers.
    expect(overridden.headers["api-version"]).toBe("1.55");
    daemon.resetHandlers();
    expect((await call(daemon, { path: "/version" })).status).toBe(200);
  });

  it("supports one-shot faults and pass-through handlers that only observe or delay", async () => {
    daemon = await startMockDaemon();
    const seen: string[] = [];
    daemon.use(
      http.get("*/_ping", () => fault.reset(), { once: true }),
      // Returning nothing falls through to the next handler, here the built-in ping.
      http.all("*", async ({ request }) => {
        seen.push(new URL(request.url).pathname);
        await delay(10);
      }),
    );
    await expect(call(daemon, { path: "/_ping" })).rejects.toThrow(/socket hang up|ECONNRESET/);
    const retried = await call(daemon, { path: "/v1.50/_ping" });
    expect(retried.body.toString()).toBe("OK");
    expect(seen).toEqual(["/_ping"]);
    expect(daemon.pingCount).toBe(2);
  });

  it("answers a handler's unexpected throw with a 500 carrying its message", async () => {
    daemon = await startMockDaemon({
      handlers: [
        http.get(route("/info"), () => {
          throw new Error("state exploded");
        }),
      ],
    });
    const reply = await call(daemon, { path: "/info" });
    expect(reply.status).toBe(500);
    expect(reply.json()).toEqual({ message: "state exploded" });
  });

  it("streams each chunk as soon as the handler produces it", async () => {
    daemon = await startMockDaemon();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    daemon.use(
      http.get(route("/stream"), () => {
        const body = new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode("first\n"));
            await gate;
            controller.enqueue(new TextEncoder().encode("second\n"));
            controller.close();
          },
        });
        return new HttpResponse(body, { headers: { "Content-Type": "text/plain" } });
      }),
    );
    const body = reader(await open(daemon, { path: "/stream" }));
    // "first" arrives while the handler is still blocked on the gate.
    expect(await body.until((text) => text.includes("first"))).toBe("first\n");
    release();
    expect(await body.rest()).toBe("second\n");
  });

  it("injects faults: reset, truncate mid-body, hang, HttpResponse.error, malformed JSON", async () => {
    daemon = await startMockDaemon();
    daemon.use(
      http.get(route("/reset"), () => fault.reset()),
      http.get(route("/error"), () => HttpResponse.error()),
      http.get(route("/truncated"), () => fault.truncate(HttpResponse.json({ Id: "abcdef", Warnings: [] }), 6)),
      http.get(route("/hang"), () => fault.hang()),
      http.get(route("/malformed"), () => new HttpResponse('{"Id": ', { headers: { "Content-Type": "application/json" } })),
      http.get(route("/slow"), async () => {
        await delay(50);
        return HttpResponse.json({ ok: true });
      }),
    );
    await expect(call(daemon, { path: "/reset" })).rejects.toThrow(/socket hang up|ECONNRESET/);
    await expect(call(daemon, { path: "/error" })).rejects.toThrow(/socket hang up|ECONNRESET/);

    const truncated = await open(daemon, { path: "/truncated" });
    expect(truncated.statusCode).toBe(200);
    expect(truncated.headers["content-length"]).toBe("29");
    const received: Buffer[] = [];
    await expect(
      (async () => {
        for await (const chunk of truncated) received.push(chunk as Buffer);
      })(),
    ).rejects.toThrow(/aborted/);
    expect(Buffer.concat(received).toString()).toBe('{"Id":');

    const hanging = open(daemon, { path: "/hang", signal: AbortSignal.timeout(100) });
    await expect(hanging).rejects.toThrow(/aborted/i);

    const malformed = await call(daemon, { path: "/malformed" });
    expect(() => malformed.json()).toThrow(SyntaxError);
    expect((await call(daemon, { path: "/slow" })).json()).toEqual({ ok: true });
  });

  it("close() ends open streams and hanging requests and removes the socket file", async () => {
    daemon = await startMockDaemon();
    daemon.use(http.get(route("/hang"), () => fault.hang()));
    const events = await open(daemon, { path: "/events" });
    const hanging = open(daemon, { path: "/hang" }).catch((error: Error) => error);
    const eventsEnded = reader(events).rest();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(existsSync(daemon.socketPath)).toBe(true);
    await daemon.close();
    expect(await eventsEnded).toBe("");
    expect(await hanging).toBeInstanceOf(Error);
    expect(existsSync(daemon.socketPath)).toBe(false);
    await expect(call(daemon, { path: "/_ping" })).rejects.toThrow(/ENOENT/);
  });
});
