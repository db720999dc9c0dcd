import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StatusResponseSchema } from "../../../generated/buildkit/github.com/moby/buildkit/api/services/control/control_pb.js";
import { FileSync } from "../../../generated/buildkit/github.com/moby/buildkit/session/filesync/filesync_pb.js";
import { Packet_PacketType, PacketSchema } from "../../../generated/buildkit/github.com/tonistiigi/fsutil/types/wire_pb.js";
import { Health, HealthCheckResponse_ServingStatus } from "../../../generated/buildkit/grpc/health/v1/health_pb.js";
import { BUILDKIT_PROTO_DIR as PROTO, buildkitProtoMissing } from "../../support/upstream.js";
import { ROOT, runGenerator } from "../../support/generator.js";

/** Runs the generator CLI; resolves with its exit code and output instead of throwing. */
const generate = (args: string[], env?: NodeJS.ProcessEnv) => runGenerator("protobuf/generate.mjs", args, env);

describe.skipIf(buildkitProtoMissing())("BuildKit protobuf generation", () => {
  let copy: string;
  beforeAll(async () => {
    copy = await mkdtemp(path.join(tmpdir(), "dockhand-proto-test-"));
  });
  afterAll(async () => {
    await rm(copy, { recursive: true, force: true });
  });

  /** A writable copy of the shared .proto folder with one file edited. */
  async function edited(file: string, edit: (text: string) => string) {
    const dir = await mkdtemp(path.join(copy, "case-"));
    await cp(PROTO, dir, { recursive: true });
    const target = path.join(dir, file);
    const text = await readFile(target, "utf8");
    const changed = edit(text);
    expect(changed).not.toBe(text);
    await writeFile(target, changed);
    return dir;
  }

  it("generated/buildkit/ matches a fresh generation", async () => {
    const result = await generate(["--check"]);
    expect(result).toMatchObject({ code: 0, stderr: "", stdout: "generated/buildkit/ is up to date\n" });
  }, 60_000);

  it("fails the check, naming the file, when a .proto changed", async () => {
    const dir = await edited("buildkit/session/secrets/secrets.proto", (t) => t.replace("string ID = 1;", "string ID = 1;\n  string scope = 9;"));
    const result = await generate(["--check"], { ...process.env, BUILDKIT_PROTO: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("github.com/moby/buildkit/session/secrets/secrets_pb.ts");
  }, 60_000);

  it("refuses a vtprotobuf reference it does not know how to strip", async () => {
    const dir = await edited("fsutil/types/wire.proto", (t) => t.replace("option (vtproto.mempool) = true;", "option (vtproto.mempool) = 1;"));
    const result = await generate(["--check"], { ...process.env, BUILDKIT_PROTO: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("fsutil/types/wire.proto: a vtprotobuf reference is left after staging");
  }, 60_000);

  it("fails, not skips, when BUILDKIT_PROTO names a missing folder", async () => {
    const result = await generate(["--check"], { ...process.env, BUILDKIT_PROTO: path.join(copy, "nope") });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("not found");
  });

  it("carries no upstream comment text", async () => {
    const upstream = await readFile(path.join(PROTO, "buildkit/session/filesync/filesync.proto"), "utf8");
    const comment = /\/\/ (.+)/.exec(upstream)?.[1];
    expect(comment).toBeDefined();
    const out = path.join(ROOT, "generated/buildkit");
    const files = (await readdir(out, { recursive: true })).filter((f) => f.endsWith(".ts"));
    for (const file of files) expect(await readFile(path.join(out, file), "utf8")).not.toContain(comment!);
  });
});

describe("generated BuildKit messages", () => {
  it("round-trip a StatusResponse (the moby.buildkit.trace payload)", () => {
    const message = create(StatusResponseSchema, {
      vertexes: [{ digest: "sha256:abc", name: "[1/2] FROM busybox", cached: true, started: timestampFromDate(new Date(1_000)) }],
      statuses: [{ ID: "sending", vertex: "sha256:abc", current: 5n, total: 10n }],
      logs: [{ vertex: "sha256:abc", stream: 1n, msg: new TextEncoder().encode("hi\n") }],
    });
    const decoded = fromBinary(StatusResponseSchema, toBinary(StatusResponseSchema, message));
    expect(decoded.vertexes[0]).toMatchObject({ digest: "sha256:abc", cached: true });
    expect(decoded.statuses[0]).toMatchObject({ current: 5n, total: 10n });
    expect(new TextDecoder().decode(decoded.logs[0]!.msg)).toBe("hi\n");
  });

  it("encode fsutil packets as the Go side does (type 1, stat 2, ID 3, data 4)", () => {
    const bytes = toBinary(PacketSchema, create(PacketSchema, { type: Packet_PacketType.PACKET_DATA, ID: 7, data: new Uint8Array([1]) }));
    expect([...bytes]).toEqual([0x08, 0x02, 0x18, 0x07, 0x22, 0x01, 0x01]);
  });

  it("describe the services a session serves under their gRPC names", () => {
    expect(FileSync.typeName).toBe("moby.filesync.v1.FileSync");
    expect(FileSync.method.diffCopy.name).toBe("DiffCopy");
    expect(Health.typeName).toBe("grpc.health.v1.Health");
    expect(HealthCheckResponse_ServingStatus.SERVING).toBe(1);
  });
});
