// The check sits in the one send path: a call the version cannot serve never reaches the transport.
import { describe, expect, it } from "vitest";
import { UnsupportedApiVersionError } from "../../../src/core/errors.js";
import { RequestCore } from "../../../src/core/request.js";
import type { Transport, TransportRequest, TransportResponse } from "../../../src/transport/types.js";

/** A transport that answers pings with `apiVersion` and every other request with `[]`. */
function fakeEngine(apiVersion: string) {
  const sent: TransportRequest[] = [];
  const reply = (status: number, text: string, headers: Record<string, string> = {}): TransportResponse => ({
    status,
    headers: { "content-type": "application/json", ...headers },
    body: (async function* () {
      if (text) yield new TextEncoder().encode(text);
    })(),
    text: async () => text,
    discard: async () => {},
  });
  const transport: Transport = {
    host: "unix:///fake.sock",
    basePath: "",
    async request(req) {
      sent.push(req);
      return req.path === "/_ping" ? reply(200, "", { "api-version": apiVersion }) : reply(200, "[]");
    },
    connect: () => Promise.reject(new Error("no hijacking here")),
    close: async () => {},
    destroy: async () => {},
  };
  return { sent, transport };
}

describe("RequestCore.call with the version check", () => {
  it("refuses a parameter the negotiated version lacks without sending the call", async () => {
    const engine = fakeEngine("1.41");
    const core = new RequestCore({ transport: async () => engine.transport });
    const err = await core.call("ImageList", { query: { identity: true } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedApiVersionError);
    expect((err as Error).message).toBe('ImageList parameter "identity" needs API 1.54; the daemon speaks 1.41');
    expect(engine.sent.map((r) => r.path)).toEqual(["/_ping"]);
    await expect(core.call("ImageList", { query: { all: true } })).resolves.toEqual([]);
    expect(engine.sent.at(-1)?.path).toBe("/v1.41/images/json?all=true");
  });

  it("words the refusal for a pinned version, and never pings", async () => {
    const engine = fakeEngine("1.51");
    const core = new RequestCore({ transport: async () => engine.transport, apiVersion: "1.40" });
    const err = await core.call("ContainerStop", { path: { id: "abc" }, query: { signal: "SIGINT" } }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('ContainerStop parameter "signal" needs API 1.42; this client is pinned to API 1.40');
    expect(engine.sent).toEqual([]);
  });

  it("refuses a filter key before the filters are encoded", async () => {
    const engine = fakeEngine("1.41");
    const core = new RequestCore({ transport: async () => engine.transport });
    const err = await core.call("VolumePrune", { query: { filters: { all: ["true"] } } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ requiredVersion: "1.42", actualVersion: "1.41" });
    expect(engine.sent.map((r) => r.path)).toEqual(["/_ping"]);
  });
});
