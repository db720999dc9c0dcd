// TLS against a real TLS server with a self-signed certificate: verification is on unless the
// caller turns it off, for pooled requests and for hijacked connections alike; turning it off
// works and warns once per process. (Its own file: the warning is once per module instance.)
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Docker, DockerTLSError } from "../../../src/index.js";
import { selfSignedCertificate, type SelfSigned } from "../../support/self-signed.js";

let certificate: SelfSigned;
let server: Server;
let port: number;
let ca: string;

beforeAll(async () => {
  certificate = selfSignedCertificate("dockhand-tls-");
  ca = certificate.cert;
  writeFileSync(join(certificate.dir, "ca.pem"), ca);
  server = createServer({ key: certificate.key, cert: ca }, (req, res) => {
    res.setHeader("Api-Version", "1.47");
    if (req.url?.endsWith("/_ping")) return res.end("OK");
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ ApiVersion: "1.47", Version: "tls-test" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  certificate.remove();
});

const host = () => `tcp://127.0.0.1:${port}`;

describe("TLS verification", () => {
  it("is on by default: a certificate no trusted CA signed is refused, with a TLS error", async () => {
    const warn = vi.spyOn(process, "emitWarning");
    for (const docker of [
      new Docker({ host: host(), tls: true, configDir: "/nonexistent" }),
      // DOCKER_TLS alone turns TLS on; unlike the Docker CLI, it does not turn verification off.
      new Docker({ env: { DOCKER_HOST: host(), DOCKER_TLS: "1", DOCKER_CONFIG: "/nonexistent" } }),
    ]) {
      const err = await docker.system.version().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DockerTLSError);
      expect(err).toMatchObject({ reason: "tls" });
      expect((err as Error).message).toMatch(/TLS/);
      // The hijack path dials its own socket; it verifies just the same.
      const raw = new Docker({ host: host(), tls: true, configDir: "/nonexistent", apiVersion: "1.47" });
      await expect(raw.containers.attach("web", { stdin: true }, { tty: false })).rejects.toBeInstanceOf(DockerTLSError);
      await raw.close();
      await docker.close();
    }
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it("passes with the daemon's CA, given directly or through DOCKER_CERT_PATH", async () => {
    for (const docker of [
      new Docker({ host: host(), tls: { ca } }),
      new Docker({ env: { DOCKER_HOST: host(), DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: certificate.dir } }),
    ]) {
      expect((await docker.system.version()).Version).toBe("tls-test");
      await docker.close();
    }
  });

  it("is off only when asked, with one process warning however many clients turn it off", async () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    for (let i = 0; i < 3; i++) {
      const docker = new Docker({ host: host(), tls: { verify: false } });
      expect((await docker.system.version()).Version).toBe("tls-test");
      await docker.close();
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[1]).toEqual({ code: "DOCKHAND_TLS_NO_VERIFY" });
    warn.mockRestore();
  });
});
