// Auth/Credentials: the daemon names a registry host and gets the credentials images.pull would use
// — from explicit authConfigs (any spelling of the key, Docker Hub as registry-1.docker.io, `auth`
// split, identity tokens as the secret) or from the client's config.json — an empty answer for a
// registry without any, and failures that name the host and never a credential. A registry token
// (a ready bearer token) through the token-authority methods, over the session's gRPC server, as
// the daemon's resolver calls them; UNIMPLEMENTED for any other entry, so the daemon falls back to
// Credentials and its own token exchange.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicKey, verify } from "node:crypto";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  CredentialsRequestSchema,
  CredentialsResponseSchema,
  FetchTokenRequestSchema,
  FetchTokenResponseSchema,
  GetTokenAuthorityRequestSchema,
  GetTokenAuthorityResponseSchema,
  VerifyTokenAuthorityRequestSchema,
  VerifyTokenAuthorityResponseSchema,
} from "../../../generated/buildkit/github.com/moby/buildkit/session/auth/auth_pb.js";
import { CredentialHelperError, DockerConfigError } from "../../../src/core/errors.js";
import {
  authServices,
  CREDENTIALS,
  type CredentialLookup,
  credentialLookup,
  credentials,
  FETCH_TOKEN,
  GET_TOKEN_AUTHORITY,
  VERIFY_TOKEN_AUTHORITY,
} from "../../../src/session/auth.js";
import { GrpcStatus } from "../../../src/session/grpc.js";
import type { GrpcCall } from "../../../src/session/server.js";
import { type GrpcAnswer, type GrpcSession, startGrpcSession } from "../../support/grpc-session.js";

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

describe("registry tokens over the session's token-authority methods", () => {
  const TOKEN = "ready-bearer-token-do-not-log";
  const SALT = new Uint8Array(32).fill(9);
  let session: GrpcSession;
  let lookups: string[];
  let failures: string[];

  async function serve(configs: Parameters<typeof credentialLookup>[0]): Promise<void> {
    lookups = [];
    failures = [];
    const lookup = credentialLookup(configs, {});
    const counted: CredentialLookup = (host, signal) => (lookups.push(host), lookup(host, signal));
    session = await startGrpcSession(authServices(counted), { onCallError: (method, error) => failures.push(`${method}: ${error.message}`) });
  }
  afterEach(() => session.close());

  const status = (answer: GrpcAnswer) => Number(answer.trailers["grpc-status"] ?? answer.headers["grpc-status"]);
  const authority = async (host: string, salt = SALT) => {
    const answer = await session.call(GET_TOKEN_AUTHORITY, [toBinary(GetTokenAuthorityRequestSchema, create(GetTokenAuthorityRequestSchema, { Host: host, Salt: salt }))]);
    return { answer, key: answer.messages[0] && fromBinary(GetTokenAuthorityResponseSchema, answer.messages[0]).PublicKey };
  };
  const verifyAuthority = async (host: string, payload: Uint8Array, salt = SALT) => {
    const answer = await session.call(VERIFY_TOKEN_AUTHORITY, [toBinary(VerifyTokenAuthorityRequestSchema, create(VerifyTokenAuthorityRequestSchema, { Host: host, Payload: payload, Salt: salt }))]);
    return { answer, signed: answer.messages[0] && fromBinary(VerifyTokenAuthorityResponseSchema, answer.messages[0]).Signed };
  };
  const fetchToken = async (host: string) => {
    const request = create(FetchTokenRequestSchema, { ClientID: "buildkit-client", Host: host, Realm: "https://auth.example/token", Service: "registry.example", Scopes: ["repository:team/base:pull"] });
    const answer = await session.call(FETCH_TOKEN, [toBinary(FetchTokenRequestSchema, request)]);
    return { answer, token: answer.messages[0] && fromBinary(FetchTokenResponseSchema, answer.messages[0]) };
  };
  /** An Ed25519 public key from its 32 raw bytes (RFC 8410 SPKI). */
  const publicKey = (raw: Uint8Array) => createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), raw]), format: "der", type: "spki" });

  it("is the token authority for a host with a registry token: a key, the daemon's payload signed with it, the token as it is", async () => {
    await serve({ "registry.example": { registrytoken: TOKEN }, "other.example:5000": { registrytoken: "another-token" } });
    const { answer, key } = await authority("registry.example");
    expect(status(answer)).toBe(GrpcStatus.OK);
    expect(key).toHaveLength(32);
    // The same key for the same salt; another salt, or another token, gives another key.
    expect((await authority("registry.example")).key).toEqual(key);
    expect((await authority("registry.example", new Uint8Array(32).fill(1))).key).not.toEqual(key);
    expect((await authority("other.example:5000")).key).not.toEqual(key);
    // Signed as NaCl's sign: the 64-byte signature, then the payload; it checks against the key.
    const payload = new Uint8Array(32).map((_, i) => i);
    const { signed } = await verifyAuthority("registry.example", payload);
    expect(signed).toHaveLength(64 + 32);
    expect(Buffer.from(signed!.subarray(64))).toEqual(Buffer.from(payload));
    expect(verify(null, payload, publicKey(key!), signed!.subarray(0, 64))).toBe(true);
    // FetchToken answers the configured token whatever the realm and scopes, for 60 s, with no issue time (buildkit's answer).
    const { answer: fetched, token } = await fetchToken("registry.example");
    expect(status(fetched)).toBe(GrpcStatus.OK);
    expect(token).toMatchObject({ Token: TOKEN, ExpiresIn: 60n, IssuedAt: 0n });
    // Credentials refuses it: an empty answer would read as "anonymous" and let the daemon reuse an
    // anonymous pull's cached token handler for this registry instead of asking for the token.
    const creds = await session.call(CREDENTIALS, [toBinary(CredentialsRequestSchema, create(CredentialsRequestSchema, { Host: "registry.example" }))]);
    expect(status(creds)).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect(decodeURIComponent(String(creds.headers["grpc-message"]))).toBe("the credentials for registry.example hold only a registry token, which the daemon gets through FetchToken");
    expect(creds.messages).toEqual([]);
    // One lookup per host for the whole session, however often the daemon asks.
    expect(lookups.sort()).toEqual(["other.example:5000", "registry.example"]);
    expect(failures).toEqual([`${CREDENTIALS}: the credentials for registry.example hold only a registry token, which the daemon gets through FetchToken`]);
  });

  it("answers Credentials for an entry with a password beside its registry token", async () => {
    await serve({ "registry.example": { username: "u", password: "p", registrytoken: TOKEN } });
    const creds = await session.call(CREDENTIALS, [toBinary(CredentialsRequestSchema, create(CredentialsRequestSchema, { Host: "registry.example" }))]);
    expect(fromBinary(CredentialsResponseSchema, creds.messages[0]!)).toMatchObject({ Username: "u", Secret: "p" });
    expect((await fetchToken("registry.example")).token).toMatchObject({ Token: TOKEN });
  });

  it("answers UNIMPLEMENTED for a host without a registry token, so the daemon uses Credentials and fetches tokens itself", async () => {
    await serve({ "registry.example": { username: "u", password: "p" }, "ghcr.io": { identitytoken: "refresh" } });
    for (const host of ["registry.example", "ghcr.io", "quay.io"]) {
      const answers = [(await authority(host)).answer, (await verifyAuthority(host, new Uint8Array(32))).answer, (await fetchToken(host)).answer];
      expect(answers.map(status)).toEqual([GrpcStatus.UNIMPLEMENTED, GrpcStatus.UNIMPLEMENTED, GrpcStatus.UNIMPLEMENTED]);
      expect(answers.every((a) => a.messages.length === 0)).toBe(true);
      expect(decodeURIComponent(String(answers[0]!.headers["grpc-message"]))).toBe(`no registry token for ${host}: the daemon fetches tokens with the credentials`);
    }
    const creds = await session.call(CREDENTIALS, [toBinary(CredentialsRequestSchema, create(CredentialsRequestSchema, { Host: "registry.example" }))]);
    expect(fromBinary(CredentialsResponseSchema, creds.messages[0]!)).toMatchObject({ Username: "u", Secret: "p" });
  });

  it("never puts the token in a status, a reported failure or an answer other than FetchToken's", async () => {
    const lookup: CredentialLookup = async (host) => {
      if (host === "broken.example") throw new Error(`helper said ${TOKEN}`);
      return { registrytoken: TOKEN };
    };
    failures = [];
    session = await startGrpcSession(authServices(lookup), { onCallError: (method, error) => failures.push(`${method}: ${error.message}`) });
    const answers = [
      (await authority("registry.example")).answer,
      (await verifyAuthority("registry.example", new Uint8Array(8))).answer,
      (await authority("broken.example")).answer,
      (await fetchToken("broken.example")).answer,
    ];
    expect(answers.map(status)).toEqual([GrpcStatus.OK, GrpcStatus.OK, GrpcStatus.UNAVAILABLE, GrpcStatus.UNAVAILABLE]);
    const seen = JSON.stringify([answers.map((a) => [a.headers, a.trailers, a.messages.map((m) => m.toString("latin1"))]), failures]);
    expect(seen).not.toContain(TOKEN);
    expect(failures).toEqual([
      `${GET_TOKEN_AUTHORITY}: credentials for broken.example: the credential lookup failed`,
      `${FETCH_TOKEN}: credentials for broken.example: the credential lookup failed`,
    ]);
  });
});
