// Response shapes across versions: the types come from the newest spec, but a client talking to
// an older daemon receives that version's objects. A field the generated types mark required must
// therefore exist in every older spec that has the object; fields newer APIs added stay optional.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { API_VERSIONS } from "../../../generated/since.js";
import { UPSTREAM_DIR, upstreamMissing } from "../../support/upstream.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** Required (no `?`) properties of each object schema in generated/engine.ts `components.schemas`. */
async function requiredBySchema(): Promise<Map<string, string[]>> {
  const file = path.join(root, "generated/engine.ts");
  const source = ts.createSourceFile(file, await readFile(file, "utf8"), ts.ScriptTarget.Latest, true);
  const components = source.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === "components",
  );
  const schemas = components?.members.find((m) => m.name?.getText(source) === "schemas");
  if (!schemas || !ts.isPropertySignature(schemas) || !schemas.type || !ts.isTypeLiteralNode(schemas.type)) {
    throw new Error("generated/engine.ts has no components.schemas object");
  }
  const result = new Map<string, string[]>();
  for (const schema of schemas.type.members) {
    if (!ts.isPropertySignature(schema) || !schema.type) continue;
    // `{ … } | null` objects count too; aliases and intersections have no own fields here.
    const types: readonly ts.TypeNode[] = ts.isUnionTypeNode(schema.type) ? schema.type.types : [schema.type];
    const required = types
      .filter((t): t is ts.TypeLiteralNode => ts.isTypeLiteralNode(t))
      .flatMap((literal) => [...literal.members])
      .filter((m): m is ts.PropertySignature => ts.isPropertySignature(m) && m.questionToken === undefined)
      .map((m) => m.name.getText(source).replace(/^"|"$/g, ""));
    if (required.length) result.set(schema.name.getText(source), required);
  }
  return result;
}

type Definitions = Record<string, { properties?: Record<string, unknown> }>;

describe.skipIf(upstreamMissing())("generated response types across API versions", () => {
  let required: Map<string, string[]>;
  const definitions = new Map<string, Definitions>();

  beforeAll(async () => {
    required = await requiredBySchema();
    for (const version of API_VERSIONS) {
      const doc = YAML.parse(await readFile(path.join(UPSTREAM_DIR, `v${version}.yaml`), "utf8")) as { definitions: Definitions };
      definitions.set(version, doc.definitions);
    }
  });

  it("reads a good number of object schemas with required fields", () => {
    expect(required.size).toBeGreaterThan(20);
    expect(required.get("ImageSummary")).toEqual(expect.arrayContaining(["Id", "RepoTags", "Size", "Containers"]));
  });

  it("marks required only fields every older spec with the object already had", () => {
    const missing: string[] = [];
    let compared = 0;
    for (const [schema, fields] of required) {
      for (const version of API_VERSIONS) {
        const properties = definitions.get(version)?.[schema]?.properties;
        if (!properties) continue;
        for (const field of fields) {
          compared++;
          if (!(field in properties)) missing.push(`${schema}.${field} (absent in v${version})`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(compared).toBeGreaterThan(500);
  });

  it("keeps fields added after 1.40 optional (a sample checked by hand against the CHANGELOG)", () => {
    const added: [schema: string, field: string, since: string][] = [
      ["ImageSummary", "Manifests", "1.47"],
      ["ImageSummary", "Descriptor", "1.48"],
      ["ContainerSummary", "ImageManifestDescriptor", "1.48"],
      ["SystemInfo", "CgroupVersion", "1.41"],
      ["SystemInfo", "Containerd", "1.46"],
      ["SystemInfo", "FirewallBackend", "1.49"],
      ["SystemInfo", "DiscoveredDevices", "1.50"],
      ["SystemInfo", "NRI", "1.53"],
      ["EndpointSettings", "DNSNames", "1.44"],
      ["EndpointSettings", "GwPriority", "1.48"],
    ];
    for (const [schema, field, since] of added) {
      const older = API_VERSIONS[API_VERSIONS.indexOf(since as (typeof API_VERSIONS)[number]) - 1]!;
      expect(definitions.get(older)?.[schema]?.properties, `${schema} in v${older}`).not.toHaveProperty(field);
      expect(definitions.get(since)?.[schema]?.properties, `${schema} in v${since}`).toHaveProperty(field);
      expect(required.get(schema) ?? [], `${schema}.${field} is optional`).not.toContain(field);
    }
  });
});
