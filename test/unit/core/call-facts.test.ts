// Every operation that answers with a stream or a switched connection, called through the one
// `core.call`, reports the call's facts — operation, method, encoded path, API version — in its
// errors: the daemon's error status, and (for decoded streams) a body that breaks while read.
import { http, HttpResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATIONS, type OperationInfo } from "../../../generated/operations.js";
import { resolveEndpoint } from "../../../src/config/resolve.js";
import { DockerError } from "../../../src/core/errors.js";
import { RequestCore } from "../../../src/core/request.js";
import type { CallInit, OperationId } from "../../../src/core/types.js";
import { createTransport } from "../../../src/transport/index.js";
import { errorResponse, frame, MULTIPLEXED_STREAM } from "../../../src/testing/index.js";
import { useMockDaemon } from "../../support/mock-daemon.js";

const VERSION = "1.51";
const mock = useMockDaemon({ apiVersion: VERSION });
let core: RequestCore;
beforeAll(() => {
  core = new RequestCore({ transport: async () => createTransport(await resolveEndpoint({ host: mock.daemon.host })), apiVersion: VERSION });
});
afterAll(() => core.close());

/** An id that must travel as one encoded segment. */
const ID = "a b/c";
const ENCODED = encodeURIComponent(ID);

const streaming = (Object.entries(OPERATIONS) as [OperationId, OperationInfo][]).filter(([, info]) => info.stream || info.upgrade);

/** The arguments the operation cannot go without: its path parameters, required query and body. */
function initOf(info: OperationInfo): { init: CallInit<OperationId>; path: string } {
  const names = [...info.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const query = Object.fromEntries((info.required?.query ?? []).map((name) => [name, "x"]));
  const body = info.required?.body ? (info.body === "binary" ? { raw: "x" } : { body: {} }) : {};
  const init = { path: Object.fromEntries(names.map((n) => [n, ID])), query, ...body } as unknown as CallInit<OperationId>;
  return { init, path: `/v${VERSION}${info.path.replace(/\{\w+\}/g, ENCODED)}` };
}

function expectFacts(err: unknown, op: OperationId, info: OperationInfo, path: string): void {
  expect(err, op).toBeInstanceOf(DockerError);
  expect({ ...(err as DockerError) }, op).toMatchObject({ operation: op, method: info.method, path, apiVersion: VERSION });
}

/** The upgrade handshake of an operation that only switches protocols (the daemon checks none here). */
function handshake(info: OperationInfo): Record<string, string> {
  return info.upgrade === "websocket"
    ? { upgrade: "websocket", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" }
    : { upgrade: info.upgrade ?? "tcp" };
}

describe("core.call: facts in the errors of every stream and upgrade operation", () => {
  it("walks a non-empty list", () => {
    expect(streaming.map(([op]) => op)).toEqual(expect.arrayContaining(["ContainerLogs", "ImageCreate", "ContainerAttach", "Session"]));
  });

  it.each(streaming)("%s: an error status carries operation, method and path", async (op, info) => {
    mock.daemon.use(http.all("*", () => errorResponse(500, "broken on purpose")));
    const { init, path } = initOf(info);
    const stream = info.upgrade && !info.stream ? { ...init, headers: handshake(info) } : init;
    const err = await core.call(op, stream, { tty: false }).catch((e: unknown) => e);
    expectFacts(err, op, info, path);
    expect((err as DockerError).statusCode).toBe(500);
    if (info.upgrade === "tcp") {
      // Taken over (stdin), the same operation goes through the hijack handshake.
      const hijacked = await core.call(op, init, { tty: false, hijack: true }).catch((e: unknown) => e);
      expectFacts(hijacked, op, info, path);
    }
  });

  const decoded = streaming.filter(([, info]) => info.stream === "json-lines" || info.stream === "stdio");

  it.each(decoded)("%s: a body that breaks while read carries them too", async (op, info) => {
    const broken = () =>
      info.stream === "json-lines"
        ? new HttpResponse('{"status":"ok"}\nnot json\n', { headers: { "content-type": "application/json" } })
        : // A frame header announcing more bytes than come.
          new HttpResponse(frame(1, new TextEncoder().encode("hello")).subarray(0, 10), { headers: { "content-type": MULTIPLEXED_STREAM } });
    mock.daemon.use(http.all("*", broken));
    const { init, path } = initOf(info);
    const answer = (await core.call(op, init, { tty: false })) as unknown as AsyncIterable<unknown>;
    const err = await (async () => {
      for await (const _ of answer);
    })().catch((e: unknown) => e);
    expectFacts(err, op, info, path);
  });
});
