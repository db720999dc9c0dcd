// The recorded answers of every supported engine (test/fixtures/answers, made by
// scripts/record-answers.mjs) replayed against the types: every field the generated result types
// require must be in every answer of every engine, and the mock daemon's client hands them back
// unchanged. The required sets come from these answers (openapi/required-fields.mjs); this test
// is what keeps a regenerated spec or a re-recorded engine from making a type lie.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { HttpResponse, http, type JsonBodyType } from "msw";
import { describe, expect, it } from "vitest";
import { useMockDaemon } from "../../support/mock-daemon.js";
import { UPSTREAM_SPEC, upstreamMissing } from "../../support/upstream.js";

interface Node {
  $ref?: string;
  type?: string;
  nullable?: boolean;
  required?: string[];
  properties?: Record<string, Node>;
  items?: Node;
  additionalProperties?: Node | boolean;
  allOf?: Node[];
}
interface Doc {
  components: { schemas: Record<string, Node> };
}

interface Answer {
  engine: string;
  operationId: string;
  file: string;
  value: unknown;
}
interface Spec {
  doc: unknown;
  version: string;
}

/** An openapi/ module (plain JS, no declarations), typed by the caller. */
const openapi = async <T>(file: string): Promise<T> =>
  (await import(pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../openapi", file)).href)) as T;
const { answerSchema, loadAnswers } = await openapi<{
  answerSchema(doc: Doc, operationId: string): Node;
  loadAnswers(): { engines: string[]; answers: Answer[] };
}>("required-fields.mjs");

const { engines, answers } = loadAnswers();

/** Every required field missing (or null where the schema does not allow null) in `value`, as paths. */
function missing(doc: Doc, node: Node | undefined, value: unknown, where: string, out: string[]): string[] {
  const schema = node?.$ref ? doc.components.schemas[node.$ref.slice("#/components/schemas/".length)] : node;
  if (!schema || value === null || value === undefined) return out;
  for (const part of schema.allOf ?? []) missing(doc, part, value, where, out);
  if (Array.isArray(value)) {
    value.forEach((item, i) => missing(doc, schema.items, item, `${where}[${i}]`, out));
    return out;
  }
  if (typeof value !== "object") return out;
  const record = value as Record<string, unknown>;
  for (const name of schema.required ?? []) {
    const field = schema.properties?.[name];
    const nullable = (field?.$ref ? doc.components.schemas[field.$ref.slice(21)] : field)?.nullable;
    if (record[name] === undefined || (record[name] === null && !nullable)) out.push(`${where}.${name}`);
  }
  for (const [name, child] of Object.entries(schema.properties ?? {})) missing(doc, child, record[name], `${where}.${name}`, out);
  if (typeof schema.additionalProperties === "object") {
    for (const [key, child] of Object.entries(record)) {
      if (!schema.properties?.[key]) missing(doc, schema.additionalProperties, child, `${where}[${key}]`, out);
    }
  }
  return out;
}

describe("recorded engine answers", () => {
  it("cover dockerd 20.10, dockerd 28.5 and podman 4.3, each with every read operation", () => {
    expect(engines).toEqual(["dockerd-20.10", "dockerd-28.5", "podman-4.3"]);
    const operations = (engine: string) => new Set(answers.filter((a) => a.engine === engine).map((a) => a.operationId));
    for (const engine of engines) expect(operations(engine)).toEqual(operations("dockerd-28.5"));
  });

  describe.skipIf(upstreamMissing())("against the generated types' required fields", () => {
    it("every required field is in every answer of every engine", async () => {
      const { loadHistory, loadSpec } = await openapi<{ loadSpec(file: string): Promise<Spec>; loadHistory(target: Spec): Promise<Spec[]> }>("spec.mjs");
      const { toOpenApi3 } = await openapi<{ toOpenApi3(doc: unknown): Promise<unknown> }>("convert.mjs");
      const { applyPatches } = await openapi<{ applyPatches(doc: unknown, context: object): Doc }>("patches.mjs");
      const target = await loadSpec(UPSTREAM_SPEC);
      const doc = applyPatches(await toOpenApi3(target.doc), { history: await loadHistory(target), targetVersion: target.version });
      const gaps = answers.flatMap(({ file, operationId, value }) => {
        const schema = answerSchema(doc, operationId);
        const isStream = Array.isArray(value) && (schema.$ref ? doc.components.schemas[schema.$ref.slice(21)] : schema)?.type !== "array";
        const messages: unknown[] = isStream ? (value as unknown[]) : [value];
        return messages.flatMap((message, i) => missing(doc, schema, message, isStream ? `${file}[${i}]` : file, []));
      });
      expect(gaps).toEqual([]);
    });
  });

  describe("replayed through the client", () => {
    const mock = useMockDaemon();
    for (const engine of engines) {
      it(`hands back ${engine}'s container list and inspect answers as sent`, async () => {
        const answer = (name: string) => answers.find((a) => a.file === `${engine}/${name}.json`)!.value as JsonBodyType;
        mock.daemon.use(
          http.get("*/containers/json", () => HttpResponse.json(answer("ContainerList"))),
          http.get("*/containers/:id/json", () => HttpResponse.json(answer("ContainerInspect.running"))),
        );
        const docker = mock.client();
        const list = await docker.containers.list({ all: true });
        expect(list).toEqual(answer("ContainerList"));
        for (const c of list) expect(c.Id.slice(0, 12)).toMatch(/^[0-9a-f]{12}$/);
        const inspected = await docker.containers.inspect(list[0]!.Id);
        expect(inspected).toEqual(answer("ContainerInspect.running"));
        expect(inspected.State.Health?.Status).toMatch(/^(starting|healthy)$/);
      });
    }
  });
});
