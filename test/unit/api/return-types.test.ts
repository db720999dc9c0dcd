// Every public method of the resource groups, the client and the workflows states its return
// type: an inferred one would put an anonymous shape (or a generic instantiation) into the .d.ts
// instead of a named type, and a refactor could change the public surface without a diff here.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../src");
const DIRECTORIES = ["resources", "workflows", "build", "streams"];

function sourceFiles(): string[] {
  const files = ["docker.ts"];
  for (const dir of DIRECTORIES) {
    for (const name of readdirSync(path.join(src, dir))) if (name.endsWith(".ts")) files.push(path.join(dir, name));
  }
  return files;
}

/** `file:line name` of each public class method and exported function without a return type. */
function inferred(file: string): string[] {
  const text = readFileSync(path.join(src, file), "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const report = (node: ts.Node, name: string) => {
    found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} ${name}`);
  };
  const visit = (node: ts.Node) => {
    if (ts.isClassDeclaration(node) && ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Export) {
      for (const member of node.members) {
        if (!ts.isMethodDeclaration(member) || member.type || !member.body) continue;
        const hidden = ts.isPrivateIdentifier(member.name)
          || ts.getCombinedModifierFlags(member) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected);
        if (!hidden) report(member, `${node.name?.text}.${member.name.getText(source)}`);
      }
    }
    if (ts.isFunctionDeclaration(node) && !node.type && ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Export) {
      report(node, node.name?.text ?? "default");
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("public methods", () => {
  it("state their return types", () => {
    expect(sourceFiles().flatMap(inferred)).toEqual([]);
  });
});
