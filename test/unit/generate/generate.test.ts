import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { BinaryBody, BinaryStream, components, operations } from "../../../generated/engine.js";
import { FILTERS } from "../../../generated/filters.js";
import { OPERATIONS, type OperationId, type OperationInfo } from "../../../generated/operations.js";
import { API_VERSIONS, SINCE } from "../../../generated/since.js";
import { UPSTREAM_SPEC, upstreamMissing } from "../../support/upstream.js";
import { ROOT, runGenerator } from "../../support/generator.js";

/** Runs the generator CLI; resolves with its exit code and output instead of throwing. */
const generate = (args: string[], env?: NodeJS.ProcessEnv) => runGenerator("openapi/generate.mjs", args, env);

// A generation runs the whole spec pipeline: tens of seconds on a loaded machine.
describe("generation pipeline", { timeout: 120_000 }, () => {
  const needsSpecs = it.skipIf(upstreamMissing());

  needsSpecs("generated/ matches a fresh generation from the pinned spec", async () => {
    const result = await generate(["--check"]);
    expect(result.stderr).toBe("");
    expect(result).toMatchObject({ code: 0, stdout: "generated/ is up to date\n" });
  });

  needsSpecs("fails loudly, naming the patch, when upstream already has what a patch adds", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "dockhand-spec-"));
    try {
      const spec = await readFile(UPSTREAM_SPEC, "utf8");
      const fixed = spec.replace(
        '  AuthConfig:\n    type: "object"\n    properties:\n',
        '  AuthConfig:\n    type: "object"\n    properties:\n      identitytoken:\n        type: "string"\n',
      );
      expect(fixed).not.toBe(spec);
      const drifted = path.join(dir, "v1.55.yaml");
      await writeFile(drifted, fixed);
      const result = await generate(["--check"], { ...process.env, ENGINE_API_SPEC: drifted });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("patch auth-config-tokens failed");
      expect(result.stderr).toContain("identitytoken already exists upstream");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("rejects unknown arguments", async () => {
    const result = await generate(["--chek"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("unknown argument(s): --chek");
  });
});

describe("generated/operations.ts", () => {
  it("lists every operation of the spec with method and path", () => {
    // The spec's 108 and BuildCancel, which a patch adds.
    expect(Object.keys(OPERATIONS)).toHaveLength(109);
    expect(OPERATIONS.BuildCancel).toMatchObject({ method: "POST", path: "/build/cancel", answer: "none" });
    expect(OPERATIONS.ContainerInspect).toEqual({ method: "GET", path: "/containers/{id}/json", document: "object" });
    expect(OPERATIONS.ContainerArchiveInfo.method).toBe("HEAD");
  });

  it("classifies request bodies, response streams and upgrades", () => {
    expect(OPERATIONS.ImageBuild).toMatchObject({ body: "binary", stream: "json-lines" });
    expect(OPERATIONS.ImageCreate).toMatchObject({ body: "binary", stream: "json-lines" });
    expect(OPERATIONS.PluginPull).toMatchObject({ body: "json", stream: "json-lines" });
    expect(OPERATIONS.SystemEvents.stream).toBe("json-lines");
    expect(OPERATIONS.ContainerStats.stream).toBe("json-lines");
    expect(OPERATIONS.ContainerLogs.stream).toBe("stdio");
    expect(OPERATIONS.ContainerExport.stream).toBe("binary");
    expect(OPERATIONS.ContainerAttach).toMatchObject({ stream: "stdio", upgrade: "tcp" });
    expect(OPERATIONS.ExecStart).toMatchObject({ body: "json", stream: "stdio", upgrade: "tcp" });
    expect(OPERATIONS.ContainerAttachWebsocket.upgrade).toBe("websocket");
    expect(OPERATIONS.Session.upgrade).toBe("h2c");
    expect(OPERATIONS.ContainerList).not.toHaveProperty("stream");
  });

  it("gives every one-document answer its JSON type, and nothing else one", () => {
    expect(OPERATIONS.ContainerList.document).toBe("object[]");
    expect(OPERATIONS.VolumeList.document).toBe("object");
    expect(OPERATIONS.SwarmInit.document).toBe("string");
    for (const [op, info] of Object.entries(OPERATIONS) as [string, OperationInfo][]) {
      const oneDocument = !info.stream && !info.upgrade && !info.answer;
      expect(info.document !== undefined, op).toBe(oneDocument);
    }
  });

  it("agrees with the operations of the engine types", () => {
    expectTypeOf<OperationId>().toEqualTypeOf<keyof operations>();
  });
});

describe("generated/since.ts", () => {
  it("covers every operation and every compared version", () => {
    expect(Object.keys(SINCE).sort()).toEqual(Object.keys(OPERATIONS).sort());
    expect(API_VERSIONS[0]).toBe("1.40");
    expect(API_VERSIONS.at(-1)).toBe("1.55");
  });

  it("dates operations and parameters as the CHANGELOG does", () => {
    expect(SINCE.ContainerList.since).toBe("1.40");
    expect(SINCE.ContainerList.query.all).toBe("1.40");
    expect(SINCE.ContainerStats.query["one-shot"]).toBe("1.41");
    expect(SINCE.ContainerStop.query.signal).toBe("1.42");
    expect(SINCE.ImageList.query["shared-size"]).toBe("1.42");
    expect(SINCE.VolumeUpdate.since).toBe("1.42");
    expect(SINCE.ImageAttestations.since).toBe("1.55");
    expect(SINCE.ImageCreate.header["X-Registry-Auth"]).toBe("1.40");
  });

  it("dates patch-added parameters and keeps parameters newer specs dropped", () => {
    expect(SINCE.ContainerLogs.query.details).toBe("1.40");
    expect(SINCE.BuildPrune.removed?.query?.["keep-storage"]).toEqual({ since: "1.40", removedIn: "1.52" });
  });
});

describe("generated/filters.ts", () => {
  it("extracts keys and enumerated values from the spec's descriptions", () => {
    expect(Object.keys(FILTERS.ContainerList)).toContain("is-task");
    expect(FILTERS.ContainerList.status.values).toEqual([
      "created", "restarting", "running", "removing", "paused", "exited", "dead",
    ]);
    expect(FILTERS.ContainerList.label.form).toBe("label");
    expect(FILTERS.ContainerPrune["label!"]).toEqual({ since: "1.40", form: "label" });
    expect(FILTERS.NetworkList.type.values).toEqual(["custom", "builtin"]);
    // The spec's three, then the supplement's other task states.
    expect(FILTERS.TaskList["desired-state"].values.slice(0, 3)).toEqual(["running", "shutdown", "accepted"]);
    expect(FILTERS.TaskList["desired-state"].values).toContain("orphaned");
  });

  it("applies the hand-maintained supplement", () => {
    expect(FILTERS.ConfigList).not.toHaveProperty("names");
    expect(FILTERS.ConfigList).toHaveProperty("name");
    expect(FILTERS.ServiceList.mode.values).toEqual(["replicated", "global", "replicated-job", "global-job"]);
    expect(FILTERS.PluginList).toHaveProperty("enabled");
  });

  it("dates keys by diffing versions", () => {
    expect(FILTERS.VolumePrune.all.since).toBe("1.42");
    expect(FILTERS.ImageSearch["is-automated"]).toMatchObject({ removedIn: "1.45" });
  });

  it("applies the hand-maintained supplement", () => {
    expect(FILTERS.PluginList).not.toHaveProperty("enable");
    expect(FILTERS.PluginList.enabled.values).toEqual(["true", "false"]);
    expect(FILTERS.SystemEvents.type.values).toContain("builder");
    expect(FILTERS.SystemEvents.scope.values).toEqual(["local", "swarm"]);
  });
});

describe("generated/engine.ts", () => {
  it("carries no upstream prose or vendor extensions", async () => {
    const source = await readFile(path.join(ROOT, "generated/engine.ts"), "utf8");
    expect(source).not.toMatch(/@description|@example|@summary/);
    expect(source).not.toMatch(/x-go-|x-nullable|x-dockhand/);
    // A sentence from the spec's description of ContainerList.
    expect(source).not.toContain("Returns a list of containers");
    // Two-space indentation, like the rest of the project (the TS printer uses four).
    expect(source).toContain('export interface paths {\n  "/containers/json": {\n    parameters: {');
  });

  it("shows the effect of the patches in the types", () => {
    type Schemas = components["schemas"];
    expectTypeOf<Schemas["AuthConfig"]>().toHaveProperty("identitytoken").toEqualTypeOf<string | undefined>();
    expectTypeOf<Schemas["AuthConfig"]>().toHaveProperty("registrytoken").toEqualTypeOf<string | undefined>();
    expectTypeOf<Schemas["Volume"]["Labels"]>().toEqualTypeOf<{ [key: string]: string } | null>();
    expectTypeOf<Schemas["ImageSummary"]["RepoTags"]>().toEqualTypeOf<string[] | null>();
    expectTypeOf<NonNullable<NonNullable<Schemas["Service"]["UpdateStatus"]>["State"]>>()
      .toEqualTypeOf<"updating" | "paused" | "completed" | "rollback_started" | "rollback_paused" | "rollback_completed">();
    expectTypeOf<operations["ImageCreate"]["responses"][200]["content"]["application/x-ndjson"]>()
      .toEqualTypeOf<Schemas["ProgressMessage"]>();
    expectTypeOf<Schemas["ProgressMessage"]["aux"]>().toBeUnknown();
    expectTypeOf<NonNullable<operations["ContainerLogs"]["parameters"]["query"]>["details"]>()
      .toEqualTypeOf<boolean | undefined>();
  });

  it("types secret and config creation by the daemon's ID field", () => {
    expectTypeOf<operations["SecretCreate"]["responses"][201]["content"]["application/json"]>().toEqualTypeOf<{ ID: string }>();
    expectTypeOf<operations["ConfigCreate"]["responses"][201]["content"]["application/json"]>().toEqualTypeOf<{ ID: string }>();
  });

  it("keeps fields older engines send as optional, deprecated properties", async () => {
    type Schemas = components["schemas"];
    expectTypeOf<Schemas["NetworkSettings"]>().toHaveProperty("IPAddress").toEqualTypeOf<string | undefined>();
    expectTypeOf<Schemas["NetworkSettings"]>().toHaveProperty("SecondaryIPAddresses")
      .toEqualTypeOf<Schemas["Address"][] | null | undefined>();
    expectTypeOf<Schemas["ImageSummary"]>().toHaveProperty("VirtualSize").toEqualTypeOf<number | undefined>();
    expectTypeOf<Schemas["ImageInspect"]>().toHaveProperty("ContainerConfig")
      .toEqualTypeOf<Schemas["ContainerConfig"] | undefined>();
    expectTypeOf<Schemas["SystemInfo"]>().toHaveProperty("ClusterStore").toEqualTypeOf<string | undefined>();
    expectTypeOf<Schemas["Resources"]>().toHaveProperty("KernelMemory").toEqualTypeOf<number | undefined>();
    expectTypeOf<Schemas["BuildCache"]>().toHaveProperty("Parent").toEqualTypeOf<string | undefined>();
    // A current field stays as it was (required: every recorded engine sends it), and a restored
    // one carries our note and the deprecation tag.
    expectTypeOf<Schemas["NetworkSettings"]["SandboxKey"]>().toEqualTypeOf<string>();
    const source = await readFile(path.join(ROOT, "generated/engine.ts"), "utf8");
    expect(source).toMatch(/Only sent by older engines: the spec lists it up to API 1\.51\.\n\s+\* @deprecated\n\s+\*\/\n\s+IPAddress\?: string;/);
  });

  it("types byte bodies as streams, not strings", () => {
    expectTypeOf<operations["ContainerExport"]["responses"][200]["content"]["application/x-tar"]>()
      .toEqualTypeOf<BinaryStream>();
    expectTypeOf<NonNullable<operations["ImageBuild"]["requestBody"]>["content"]["application/octet-stream"]>()
      .toEqualTypeOf<BinaryBody>();
    expectTypeOf<BinaryStream>().not.toEqualTypeOf<string>();
  });

  it("types every error body as the JSON ErrorResponse", () => {
    expectTypeOf<operations["ContainerArchive"]["responses"][404]["content"]>()
      .toEqualTypeOf<{ "application/json": components["schemas"]["ErrorResponse"] }>();
  });
});
