import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The dependency rules of src/ (README, "Architecture"), checked on the import statements
 * themselves — type-only imports included, since a rule that holds only at runtime still tangles
 * the reading order.
 */
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Every relative import and re-export of a file (static and dynamic), as src-relative paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+"(\.[^"]+)"/gms),
    ...text.matchAll(/\bimport\(\s*"(\.[^"]+)"\s*\)/g),
  ].map((m) => m[1]!);
  return specifiers
    .map((spec) => resolve(dirname(file), spec.replace(/\.js$/, ".ts")))
    .filter((path) => path.startsWith(SRC + "/"))
    .map((path) => relative(SRC, path));
}

const graph = new Map(sourceFiles(SRC).map((file) => [relative(SRC, file), importsOf(file)]));

/** One cycle per strongly connected group of files (Tarjan), each listed as a path a → … → a. */
function cycles(): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const dep of graph.get(node) ?? []) {
      if (!graph.has(dep)) continue;
      if (!index.has(dep)) {
        visit(dep);
        low.set(node, Math.min(low.get(node)!, low.get(dep)!));
      } else if (onStack.has(dep)) low.set(node, Math.min(low.get(node)!, index.get(dep)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    for (let top = stack.pop()!; ; top = stack.pop()!) {
      onStack.delete(top);
      group.push(top);
      if (top === node) break;
    }
    if (group.length > 1 || graph.get(node)!.includes(node)) found.push(group.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** Imports from files under `from` into files under `to`, as "file → import" lines. */
function crossings(from: string, to: string): string[] {
  return [...graph].flatMap(([file, deps]) =>
    file.startsWith(from + "/") ? deps.filter((d) => d.startsWith(to + "/")).map((d) => `${file} → ${d}`) : [],
  );
}

/**
 * What loading `file` loads at once: the runtime import statements (not `import type`, not a
 * dynamic `import()`), as raw specifiers, relative ones resolved to absolute .ts paths.
 */
function eagerImportsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^;]*?\sfrom\s+"([^"]+)"/gms)].map((m) => {
    const spec = m[1]!;
    return spec.startsWith(".") ? resolve(dirname(file), spec.replace(/\.js$/, ".ts")) : spec;
  });
}

/** Every module `import "dockhand"` loads before any call, relative files and packages alike. */
function eagerClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (module: string) => {
    if (seen.has(module)) return;
    seen.add(module);
    if (module.startsWith("/")) for (const dep of eagerImportsOf(module)) visit(dep);
  };
  visit(entry);
  return seen;
}

describe("src/ import structure", () => {
  it("loads the BuildKit decoder and protobuf only when a BuildKit build runs (dynamic import)", () => {
    const loaded = [...eagerClosure(join(SRC, "index.ts"))];
    expect(loaded).toContain(join(SRC, "build/stream.ts"));
    expect(loaded.filter((m) => m.includes("@bufbuild") || m.includes("generated/buildkit") || m.endsWith("build/trace.ts"))).toEqual([]);
  });

  it("reads the imports it checks", () => {
    expect(graph.get("docker.ts")).toContain("core/request.ts");
  });

  it("has no import circle", () => {
    expect(cycles()).toEqual([]);
  });

  it("keeps resources below workflows", () => {
    expect(crossings("resources", "workflows")).toEqual([]);
  });

  it("keeps transport below streams (transport hands back connections and bodies)", () => {
    expect(crossings("transport", "streams")).toEqual([]);
  });

  it("keeps the core below resources and workflows", () => {
    expect([...crossings("core", "resources"), ...crossings("core", "workflows")]).toEqual([]);
  });
});
