// Distribution and session endpoints against a real engine. Distribution needs a registry: an
// unreachable one must fail fast with the daemon's typed error, and when the private registry of
// scripts/registry.sh answers, an image pushed there is inspected for real. Sessions upgrade the
// connection to h2c; the daemon then speaks HTTP/2 as the client, which is checked on the wire.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BadRequestError, Docker, InternalServerError } from "../../src/index.js";
import { TEST_IMAGE, describeEngine, engineHost } from "./engine.js";
import { diverges, why } from "./engines.js";

// The same defaults as scripts/registry.sh.
const REGISTRY = process.env["DOCKHAND_REGISTRY"] ?? "127.0.0.1:5000";
const auth = {
  username: process.env["DOCKHAND_REGISTRY_USER"] ?? "dockhand",
  password: process.env["DOCKHAND_REGISTRY_PASSWORD"] ?? "dockhand-e2e-pw",
  serveraddress: REGISTRY,
};
/** What every HTTP/2 client sends first (RFC 9113 §3.4). */
const H2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/** True when the private registry answers and wants credentials. */
async function registryUp(): Promise<boolean> {
  if (engineHost() === undefined) return false;
  try {
    return (await fetch(`http://${REGISTRY}/v2/`, { signal: AbortSignal.timeout(3000) })).status === 401;
  } catch {
    return false;
  }
}
const withRegistry = await registryUp();

/** Reads from `socket` until `want` bytes arrived (or it ends), without consuming more than needed. */
async function readAtLeast(socket: AsyncIterable<unknown>, want: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of socket) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= want) break;
  }
  return Buffer.concat(chunks);
}

describeEngine("distribution and session endpoints", () => {
  let docker: Docker;

  beforeAll(() => {
    docker = new Docker({ host: engineHost() });
  });

  afterAll(async () => {
    await docker.close();
  });

  it.skipIf(diverges("distribution"))(`reports an unreachable registry with the daemon's typed error, quickly${why("distribution")}`, async () => {
    const started = Date.now();
    const err = await docker.distribution
      .inspect("127.0.0.1:1/dockhand/nothing:latest", { auth: false, timeout: 30_000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalServerError);
    expect(err).toMatchObject({ statusCode: 500, method: "GET" });
    expect((err as Error).message).toMatch(/127\.0\.0\.1:1.*connection refused/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  describe.skipIf(!withRegistry || diverges("distribution"))(
    `against the private registry${withRegistry ? why("distribution") : ` (skipped: no registry at ${REGISTRY}; run scripts/registry.sh up)`}`,
    () => {
      const ref = `${REGISTRY}/dockhand/distribution:e2e-${process.pid}`;

      afterAll(async () => {
        await docker.images.remove(ref).catch(() => {});
      });

      it("inspects a pushed image's descriptor and platforms", { timeout: 60_000 }, async () => {
        const [repo, tag] = [ref.slice(0, ref.lastIndexOf(":")), ref.slice(ref.lastIndexOf(":") + 1)];
        await docker.images.tag(TEST_IMAGE, { repo, tag });
        const pushed = await (await docker.images.push(ref, {}, { auth })).done();
        const digest = /digest: (sha256:[0-9a-f]{64})/.exec(JSON.stringify(pushed))?.[1];
        const info = await docker.distribution.inspect(ref, { auth });
        expect(info.Descriptor.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
        if (digest) expect(info.Descriptor.digest).toBe(digest);
        expect(info.Descriptor.size).toBeGreaterThan(0);
        expect(info.Platforms).toContainEqual(expect.objectContaining({ os: "linux" }));
      });
    },
  );

  it.skipIf(diverges("session"))(`opens a session: 101 to h2c, then the daemon speaks HTTP/2 as the client${why("session")}`, async () => {
    const session = await docker.session.start({ name: "dockhand-e2e", sharedKey: "e2e", methods: ["/grpc.health.v1.Health/Check"] });
    try {
      expect(session.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      const first = await readAtLeast(session.socket, H2_PREFACE.length);
      expect(first.subarray(0, H2_PREFACE.length).toString("latin1")).toBe(H2_PREFACE);
    } finally {
      session.socket.destroy();
    }
  });

  it.skipIf(diverges("session"))(`sends several gRPC methods, and a session id in use is refused by the daemon${why("session")}`, async () => {
    const sessionId = `dockhand-e2e-${process.pid}-${Date.now()}`;
    const methods = ["/moby.filesync.v1.FileSync/DiffCopy", "/moby.filesync.v1.Auth/Credentials"];
    const first = await docker.session.start({ sessionId, methods });
    try {
      expect(first.sessionId).toBe(sessionId);
      const again = await docker.session.start({ sessionId }).catch((e: unknown) => e);
      expect(again).toBeInstanceOf(BadRequestError);
      expect((again as Error).message).toContain(`session ${sessionId} already exists`);
    } finally {
      first.socket.destroy();
    }
  });

  it("stops waiting for a session when aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("not today"));
    await expect(docker.session.start({}, { signal: controller.signal })).rejects.toMatchObject({ name: "DockerAbortError" });
  });
});
