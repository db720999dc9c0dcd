import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getHelperCredentials } from "../../../src/auth/helpers.js";
import { CredentialHelperError, DockerAbortError } from "../../../src/core/errors.js";
import {
  alive,
  ERROR_TOKEN,
  type FakeHelper,
  IDENTITY_TOKEN,
  installFakeHelper,
  LEAKED_SECRET,
  PASSWORD,
} from "./fake-helper.js";

let helper: FakeHelper;
beforeAll(() => {
  helper = installFakeHelper();
});
afterAll(() => helper.cleanup());

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

describe("getHelperCredentials", () => {
  it("returns username and password, sending the server URL on stdin", async () => {
    const creds = await getHelperCredentials("test", "found.example.com", { env: helper.env });
    expect(creds).toEqual({ username: "alice", password: PASSWORD, serveraddress: "found.example.com" });
    expect(helper.calls()).toContain("found.example.com");
  });

  it("turns a <token> username into an identity token", async () => {
    const creds = await getHelperCredentials("test", "token.example.com", { env: helper.env });
    expect(creds).toEqual({ identitytoken: IDENTITY_TOKEN, serveraddress: "token.example.com" });
  });

  it("treats 'credentials not found' as no credentials", async () => {
    await expect(getHelperCredentials("test", "missing.example.com", { env: helper.env })).resolves.toBeUndefined();
  });

  it("treats an empty answer as no credentials", async () => {
    await expect(getHelperCredentials("test", "empty.example.com", { env: helper.env })).resolves.toBeUndefined();
  });

  it("finds the helper on process.env's PATH by default", async () => {
    vi.stubEnv("PATH", helper.env.PATH ?? "");
    try {
      await expect(getHelperCredentials("test", "found.example.com")).resolves.toMatchObject({ username: "alice" });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("reports a helper error with its message, scrubbed of secrets", async () => {
    const err = await failure(getHelperCredentials("test", "error.example.com", { env: helper.env }));
    expect(err).toBeInstanceOf(CredentialHelperError);
    expect((err as CredentialHelperError).helper).toBe("test");
    expect(err.message).toContain("docker-credential-test failed: keychain refused token");
    for (const secret of [ERROR_TOKEN, "hunter2", "abc.def"]) expect(err.message).not.toContain(secret);
  });

  it("cuts out a secret the helper printed before failing", async () => {
    const err = await failure(getHelperCredentials("test", "leaky.example.com", { env: helper.env }));
    expect(err).toBeInstanceOf(CredentialHelperError);
    expect(err.message).toContain("crashed");
    expect(err.message).not.toContain(LEAKED_SECRET);
  });

  it("rejects output that is not credentials JSON without quoting it", async () => {
    const err = await failure(getHelperCredentials("test", "garbage.example.com", { env: helper.env }));
    expect(err).toBeInstanceOf(CredentialHelperError);
    expect(err.message).toMatch(/not credentials JSON/);
    expect(err.message).not.toContain(PASSWORD);
  });

  it("reports a missing helper by name", async () => {
    const err = await failure(getHelperCredentials("nonexistent-xyz", "ghcr.io", { env: helper.env }));
    expect(err).toBeInstanceOf(CredentialHelperError);
    expect((err as CredentialHelperError).helper).toBe("nonexistent-xyz");
    expect(err.message).toMatch(/docker-credential-nonexistent-xyz is not installed/);
  });

  it("refuses helper names that could be paths", async () => {
    const err = await failure(getHelperCredentials("../../bin/sh", "ghcr.io", { env: helper.env }));
    expect(err).toBeInstanceOf(CredentialHelperError);
    expect(err.message).toMatch(/not valid/);
  });

  it("kills a helper that does not answer in time", async () => {
    helper.resetPid();
    const start = Date.now();
    const err = await failure(getHelperCredentials("test", "hang.example.com", { env: helper.env, timeout: 300 }));
    expect(err).toBeInstanceOf(CredentialHelperError);
    expect(err.message).toMatch(/did not answer within 300 ms/);
    expect(Date.now() - start).toBeLessThan(5000);
    await vi.waitFor(() => expect(alive(helper.pid())).toBe(false));
  });

  it("does not wait for a grandchild that keeps the helper's output open, and kills it", async () => {
    helper.resetPid();
    const start = Date.now();
    const err = await failure(getHelperCredentials("test", "orphan.example.com", { env: helper.env, timeout: 300 }));
    expect(err).toBeInstanceOf(CredentialHelperError);
    expect(Date.now() - start).toBeLessThan(5000);
    await vi.waitFor(() => expect(alive(helper.pid())).toBe(false), { timeout: 10_000 });
  });

  it("kills the helper's whole process group when it times out, even a child that let go of its output", async () => {
    helper.resetPid();
    const err = await failure(getHelperCredentials("test", "forker.example.com", { env: helper.env, timeout: 1000 }));
    expect(err).toBeInstanceOf(CredentialHelperError);
    expect(err.message).toMatch(/did not answer within 1000 ms/);
    expect(err.message).not.toContain(LEAKED_SECRET);
    const child = helper.pid();
    expect(child).toBeGreaterThan(0);
    await vi.waitFor(() => expect(alive(child)).toBe(false), { timeout: 10_000 });
  });

  it("never quotes free text the helper wrote on stderr", async () => {
    const err = await failure(getHelperCredentials("test", "stderr-secret.example.com", { env: helper.env }));
    expect(err).toBeInstanceOf(CredentialHelperError);
    expect(err.message).toBe(
      "credential helper docker-credential-test failed: exited with code 1 (its stderr is not shown: it may hold credentials)",
    );
    expect(JSON.stringify(err)).not.toContain(LEAKED_SECRET);
    expect(String(err.cause ?? "")).not.toContain(LEAKED_SECRET);
  });

  it("quotes a helper's fixed message from stderr", async () => {
    const err = await failure(getHelperCredentials("test", "stderr-known.example.com", { env: helper.env }));
    expect(err.message).toBe("credential helper docker-credential-test failed: no credentials username");
  });

  it("stops on abort, killing the helper", async () => {
    helper.resetPid();
    const controller = new AbortController();
    const pending = getHelperCredentials("test", "hang.example.com", { env: helper.env, signal: controller.signal });
    await vi.waitFor(() => expect(helper.pid()).toBeGreaterThan(0));
    const pid = helper.pid();
    controller.abort(new Error("user gave up"));
    const err = await failure(pending);
    expect(err).toBeInstanceOf(DockerAbortError);
    expect((err.cause as Error).message).toBe("user gave up");
    await vi.waitFor(() => expect(alive(pid)).toBe(false));
  });

  it("does not start when already aborted", async () => {
    const before = helper.calls().length;
    await expect(
      getHelperCredentials("test", "found.example.com", { env: helper.env, signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(DockerAbortError);
    expect(helper.calls().length).toBe(before);
  });
});
