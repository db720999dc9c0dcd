import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OPERATIONS } from "../../generated/operations.js";

const root = new URL("../../src/", import.meta.url).pathname;

async function sources(dir: string): Promise<string> {
  const entries = await readdir(join(root, dir), { withFileTypes: true });
  const texts = await Promise.all(
    entries.filter((e) => e.isFile() && e.name.endsWith(".ts")).map((e) => readFile(join(root, dir, e.name), "utf8")),
  );
  return texts.join("\n");
}

describe("every Engine API operation has a method", () => {
  it("names each generated operation in a resource (or the core's ping)", async () => {
    const resources = await sources("resources");
    const core = await sources("core");
    const named = new Set<string>();
    for (const [, id] of resources.matchAll(/"([A-Z][A-Za-z]+)"/g)) named.add(id!);
    for (const [, id] of core.matchAll(/OPERATIONS\.([A-Z][A-Za-z]+)/g)) named.add(id!);
    const missing = Object.keys(OPERATIONS).filter((id) => !named.has(id));
    expect(missing).toEqual([]);
    expect(Object.keys(OPERATIONS)).toHaveLength(109);
  });
});
