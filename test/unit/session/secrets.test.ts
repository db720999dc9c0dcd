// Secrets/GetSecret: values from a file (read when asked), an environment variable or the options;
// an unknown id is NOT_FOUND; checks before the build name ids, paths and variables, never values.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetSecretRequestSchema, GetSecretResponseSchema } from "../../../generated/buildkit/github.com/moby/buildkit/session/secrets/secrets_pb.js";
import { DockerArgumentError } from "../../../src/core/errors.js";
import { GrpcStatus } from "../../../src/session/grpc.js";
import { getSecret, secretSources } from "../../../src/session/secrets.js";
import type { GrpcCall } from "../../../src/session/server.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dockhand-secrets-"));
  await writeFile(join(dir, "token"), "first");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Asks `handler` for `id` as the daemon would; resolves with the value as text. */
async function ask(handler: ReturnType<typeof getSecret>, id: string): Promise<string> {
  const sent: Uint8Array[] = [];
  const call: GrpcCall = {
    method: "/moby.buildkit.secrets.v1.Secrets/GetSecret",
    metadata: new Map(),
    signal: new AbortController().signal,
    requests: (async function* () {
      yield toBinary(GetSecretRequestSchema, create(GetSecretRequestSchema, { ID: id }));
    })(),
    send: async (m) => void sent.push(m),
  };
  await handler(call);
  return new TextDecoder().decode(fromBinary(GetSecretResponseSchema, sent[0]!).data);
}

describe("build secrets", () => {
  it("serves file, env and value secrets, the file read when asked", async () => {
    const handler = getSecret(
      await secretSources({ f: { file: join(dir, "token") }, e: { env: "TOKEN" }, v: { value: "literal" }, b: { value: Uint8Array.of(0x68, 0x69) } }, { TOKEN: "from-env" }),
    );
    await writeFile(join(dir, "token"), "rotated");
    expect(await ask(handler, "f")).toBe("rotated");
    expect(await ask(handler, "e")).toBe("from-env");
    expect(await ask(handler, "v")).toBe("literal");
    expect(await ask(handler, "b")).toBe("hi");
    await expect(ask(handler, "other")).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND, message: "secret other not found" });
  });

  it("refuses missing files and variables and malformed entries before the build, without values", async () => {
    await expect(secretSources({ f: { file: join(dir, "missing") } }, {})).rejects.toThrow(/Build secret "f": cannot read .*missing \(ENOENT\)/);
    await expect(secretSources({ e: { env: "NOPE" } }, {})).rejects.toThrow('Build secret "e": environment variable NOPE is not set');
    await expect(secretSources({ x: { path: "/x" } as never }, {})).rejects.toThrow(DockerArgumentError);
    await expect(secretSources({ "": { value: "hidden-value" } }, {})).rejects.toThrow(/non-empty id/);
    const err = await secretSources({ "": { value: "hidden-value" } }, {}).catch((e: unknown) => e);
    expect(JSON.stringify(err) + String(err)).not.toContain("hidden-value");
  });
});
