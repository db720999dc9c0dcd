// The session's gRPC server against node:http2 as the client (the daemon's role): answers with
// trailers, trailers-only for a method not served, a handler's failure as its status, a handler
// that stops reading early without resetting the stream, and close() ending the connection.
import { once } from "node:events";
import { constants } from "node:http2";
import { afterEach, describe, expect, it } from "vitest";
import { frame, GrpcError, GrpcStatus } from "../../../src/session/grpc.js";
import { HEALTH_CHECK, healthCheck } from "../../../src/session/health.js";
import { type GrpcHandler, unary } from "../../../src/session/server.js";
import { type GrpcAnswer, type GrpcSession, startGrpcSession } from "../../support/grpc-session.js";

describe("gRPC session server", () => {
  let session: GrpcSession;

  async function start(services: Map<string, GrpcHandler>): Promise<void> {
    session = await startGrpcSession(services);
  }

  const call = (method: string, requests: Uint8Array[], endRequest?: boolean): Promise<GrpcAnswer> => session.call(method, requests, endRequest);

  afterEach(() => session.close());

  it("answers the health check with SERVING and status 0 in trailers", async () => {
    await start(new Map([[HEALTH_CHECK, healthCheck]]));
    const answer = await call(HEALTH_CHECK, [new Uint8Array(0)]);
    expect(answer.headers["content-type"]).toBe("application/grpc");
    expect(answer.messages.map((m) => [...m])).toEqual([[0x08, 0x01]]);
    expect(answer.trailers["grpc-status"]).toBe("0");
    expect(answer.rstCode).toBe(constants.NGHTTP2_NO_ERROR);
  });

  it("answers a method it does not serve with UNIMPLEMENTED, trailers-only", async () => {
    await start(new Map([[HEALTH_CHECK, healthCheck]]));
    const answer = await call("/moby.sshforward.v1.SSH/CheckAgent", [new Uint8Array(0)]);
    expect(answer.headers["grpc-status"]).toBe(String(GrpcStatus.UNIMPLEMENTED));
    expect(answer.headers["grpc-message"]).toMatch(/CheckAgent is not served/);
    expect(answer.messages).toEqual([]);
  });

  it("reports a handler's failure with its code and escaped message, and an unexpected one as UNKNOWN", async () => {
    await start(
      new Map<string, GrpcHandler>([
        ["/t/NotFound", unary(async () => { throw new GrpcError(GrpcStatus.NOT_FOUND, "no dir \"x\" – ünïcode"); })],
        ["/t/Crash", unary(async () => { throw new TypeError("boom"); })],
      ]),
    );
    const notFound = await call("/t/NotFound", [new Uint8Array(0)]);
    expect(notFound.headers["grpc-status"]).toBe(String(GrpcStatus.NOT_FOUND));
    expect(decodeURIComponent(String(notFound.headers["grpc-message"]))).toBe('no dir "x" – ünïcode');
    const crash = await call("/t/Crash", [new Uint8Array(0)]);
    expect(crash.headers["grpc-status"]).toBe(String(GrpcStatus.UNKNOWN));
    expect(crash.headers["grpc-message"]).toBe("boom");
  });

  it("ends a call whose handler stopped reading early with trailers, not a reset", async () => {
    const seen: string[] = [];
    await start(
      new Map<string, GrpcHandler>([
        ["/t/First", async (c) => {
          seen.push(...c.metadata.get("dir-name")!);
          for await (const m of c.requests) {
            await c.send(m);
            break;
          }
        }],
      ]),
    );
    // The request side stays open, as the daemon's stream does after its FIN.
    const stream = session.client.request({ ":method": "POST", ":path": "/t/First", "content-type": "application/grpc", "dir-name": "context" });
    stream.write(frame(Buffer.from("one")));
    stream.write(frame(Buffer.from("two")));
    const echoed: Buffer[] = [];
    stream.on("data", (d: Buffer) => echoed.push(d));
    const [trailers] = (await once(stream, "trailers")) as [Record<string, string>];
    expect(trailers["grpc-status"]).toBe("0");
    expect(Buffer.concat(echoed)).toEqual(Buffer.from(frame(Buffer.from("one"))));
    stream.end();
    await once(stream, "close");
    expect(stream.rstCode).toBe(constants.NGHTTP2_NO_ERROR);
    expect(seen).toEqual(["context"]);
  });

  it("sends large answers through flow control", async () => {
    const chunk = new Uint8Array(1 << 20).fill(7);
    await start(new Map<string, GrpcHandler>([["/t/Big", unary(async () => chunk)]]));
    const answer = await call("/t/Big", [new Uint8Array(0)]);
    expect(answer.messages[0]?.length).toBe(1 << 20);
    expect(answer.trailers["grpc-status"]).toBe("0");
  });

  it("holds many senders of one call on flow control without piling up listeners", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const chunk = new Uint8Array(256 << 10).fill(3);
      const senders: GrpcHandler = async (call) => {
        await Promise.all(Array.from({ length: 24 }, () => call.send(chunk)));
      };
      await start(new Map<string, GrpcHandler>([["/t/Many", senders]]));
      const answer = await call("/t/Many", [new Uint8Array(0)]);
      expect(answer.messages.map((m) => m.length)).toEqual(Array(24).fill(256 << 10));
      expect(answer.trailers["grpc-status"]).toBe("0");
      // Node emits the leak warning on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("close() ends the connection and resolves closed", async () => {
    await start(new Map([[HEALTH_CHECK, healthCheck]]));
    const gone = once(session.client, "close");
    session.server.close();
    await session.server.closed;
    await gone;
  });
});
