// Auth/Credentials: the daemon names a registry host and gets the credentials images.pull would use
// — from explicit authConfigs (any spelling of the key, Docker Hub as registry-1.docker.io, `auth`
// split, identity tokens as the secret) or from the client's config.json — an empty answer for a
// registry without any, and failures that name the host and never a credential.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CredentialsRequestSchema, CredentialsResponseSchema } from "../../../generated/buildkit/github.com/moby/buildkit/session/auth/auth_pb.js";
import { CredentialHelperError, DockerConfigError } from "../../../src/core/errors.js";
import { type CredentialLookup, credentialLookup, credentials } from "../../../src/session/auth.js";
import { GrpcStatus } from "../../../src/session/grpc.js";
import type { GrpcCall } from "../../../src/session/server.js";

/** Asks the handler for `host` as the daemon would. */
async function ask(lookup: CredentialLookup, host: string): Promise<{ Username: string; Secret: string }> {
  const sent: Uint8Array[] = [];
  const call: GrpcCall = {
    method: "/moby.filesync.v1.Auth/Credentials",
    metadata: new Map(),
    signal: new AbortController().signal,
    requests: (async function* () {
      yield toBinary(CredentialsRequestSchema, create(CredentialsRequestSchema, { Host: host }));
    })(),
    send: async (m) => void sent.push(m),
  };
  await credentials(lookup)(call);
  const { Username, Secret } = fromBinary(CredentialsResponseSchema, sent[0]!);
  return { Username, Secret };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dockhand-session-auth-"));
  const auth = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString("base64");
  await writeFile(
    join(dir, "config.json"),
    JSON.stringify({ auths: { "127.0.0.1:5000": { auth: auth("local", "local-pw") }, "https://index.docker.io/v1/": { auth: auth("hub", "hub-pw") } } }),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("registry credentials over the session", () => {
  it("answers from explicit authConfigs by registry, whatever spelling the key or the daemon uses", async () => {
    const lookup = credentialLookup(
      {
        "https://127.0.0.1:5000/v2/": { username: "u", password: "p" },
        "docker.io": { auth: Buffer.from("hubuser:hub:pw").toString("base64") },
        "ghcr.io": { username: "ignored", password: "ignored", identitytoken: "refresh-token" },
      },
      {},
    );
    expect(await ask(lookup, "127.0.0.1:5000")).toEqual({ Username: "u", Secret: "p" });
    expect(await ask(lookup, "registry-1.docker.io")).toEqual({ Username: "hubuser", Secret: "hub:pw" });
    expect(await ask(lookup, "ghcr.io")).toEqual({ Username: "", Secret: "refresh-token" });
    expect(await ask(lookup, "quay.io")).toEqual({ Username: "", Secret: "" });
  });

  it("answers from the client's credential lookup (config.json) when no authConfigs are given", async () => {
    const lookup = credentialLookup(undefined, { configDir: dir, env: {} });
    expect(await ask(lookup, "127.0.0.1:5000")).toEqual({ Username: "local", Secret: "local-pw" });
    expect(await ask(lookup, "registry-1.docker.io")).toEqual({ Username: "hub", Secret: "hub-pw" });
    expect(await ask(lookup, "other.example:5000")).toEqual({ Username: "", Secret: "" });
  });

  it("refuses a malformed auth value before the build, without quoting it", () => {
    const err = (() => {
      try {
        credentialLookup({ "ghcr.io": { auth: "not-base64-of-a-pair!" } }, {});
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(DockerConfigError);
    expect(err?.message).toMatch(/authConfigs: the "auth" value for ghcr\.io/);
    expect(err?.message).not.toContain("not-base64-of-a-pair!");
  });

  it("reports a failed lookup as UNAVAILABLE naming the host, never what an unexpected error says", async () => {
    const helperFails: CredentialLookup = async () => {
      throw new CredentialHelperError("docker-credential-desktop failed: credentials not found", { helper: "desktop" });
    };
    await expect(ask(helperFails, "ghcr.io")).rejects.toMatchObject({
      code: GrpcStatus.UNAVAILABLE,
      message: "credentials for ghcr.io: docker-credential-desktop failed: credentials not found",
    });
    const leaks: CredentialLookup = async () => {
      throw new Error("parse error near hunter2");
    };
    const err = await ask(leaks, "ghcr.io").catch((e: Error) => e);
    expect(err).toMatchObject({ code: GrpcStatus.UNAVAILABLE, message: "credentials for ghcr.io: the credential lookup failed" });
  });
});
