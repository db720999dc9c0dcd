// One argument order for every method that calls the daemon: path parameters, then the query,
// then the body, then call options (README, "One argument order"). The type checker walks every
// public method of `Docker` and of each resource group it hands out, overloads included, so a
// new method that strays fails here instead of in a user's code review.
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** What may sit in an operation's call options: nothing the daemon reads as a parameter. */
const CALL_OPTIONS = new Set(["signal", "timeout", "limits", "auth", "authConfigs", "tty"]);

/** Compositions of several calls: their settings share the options object with signal/timeout. */
const WORKFLOWS = new Set([
  "Docker.run",
  "Docker.removeByLabel",
  "Containers.waitHealthy",
  "Containers.waitFor",
  "Containers.copyToContainer",
  "Containers.copyFromContainer",
  "Exec.run",
  "System.prune",
]);

/** Methods that send nothing: no call options to take. */
const LOCAL = new Set(["Docker.close"]);

interface Walked {
  name: string;
  problems: string[];
}

let walked: Walked[];

function walk(): Walked[] {
  const program = ts.createProgram([path.join(root, "src/index.ts")], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
  });
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(path.join(root, "src/index.ts"))!;
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(index)!);
  const dockerSymbol = exports.find((s) => s.name === "Docker")!;
  const docker = checker.getDeclaredTypeOfSymbol(checker.getAliasedSymbol(dockerSymbol));

  const isPublicMethod = (symbol: ts.Symbol): boolean => {
    const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
    if (!decl || !ts.isMethodDeclaration(decl) || ts.isPrivateIdentifier(decl.name) || symbol.name.startsWith("__@")) return false;
    return !(ts.getCombinedModifierFlags(decl) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected | ts.ModifierFlags.Static));
  };
  const props = (type: ts.Type): string[] => type.isUnion()
    ? type.types.flatMap(props)
    : checker.getPropertiesOfType(type).map((p) => p.name);
  const typeOf = (param: ts.Symbol): ts.Type => checker.getNonNullableType(checker.getTypeOfSymbol(param));
  const declaredText = (param: ts.Symbol): string => {
    const decl = param.valueDeclaration;
    return decl && ts.isParameter(decl) && decl.type ? decl.type.getText() : "";
  };
  // What a parameter carries to the daemon, from its declared type.
  const role = (param: ts.Symbol): "query" | "body" | "string" | "other" => {
    const text = declaredText(param);
    if (/\bJsonBody<|\bByteSource\b|\bRequestBody\b|\bContainerCreateParams\b|\bBuildParams\b|\bExecStartParams\b/.test(text)) return "body";
    if (/\bQueryParams<|Query\b|\bSessionParams\b/.test(text)) return "query";
    return text === "string" ? "string" : "other";
  };

  const check = (group: string, type: ts.Type, out: Walked[]): void => {
    for (const method of checker.getPropertiesOfType(type).filter(isPublicMethod)) {
      const name = `${group}.${method.name}`;
      const problems: string[] = [];
      const methodType = checker.getTypeOfSymbol(method);
      for (const signature of methodType.getCallSignatures()) {
        const params = signature.getParameters();
        const where = `${name}(${params.map((p) => p.name).join(", ")})`;
        if (LOCAL.has(name)) {
          if (params.length) problems.push(`${where}: expected no parameters`);
          continue;
        }
        const last = params.at(-1);
        if (last?.name !== "options") {
          problems.push(`${where}: the last parameter is not \`options\``);
          continue;
        }
        const optionKeys = props(typeOf(last));
        for (const key of ["signal", "timeout"]) if (!optionKeys.includes(key)) problems.push(`${where}: options lack \`${key}\``);
        if (!WORKFLOWS.has(name)) {
          const strays = optionKeys.filter((k) => !CALL_OPTIONS.has(k));
          if (strays.length) problems.push(`${where}: request parameters among the call options: ${strays.join(", ")}`);
        }
        const before = params.slice(0, -1);
        for (const param of before) {
          if (param.name === "options") problems.push(`${where}: \`options\` is not last`);
          // The daemon's own `signal` (kill) and `timeout` (stop, plugin enable) query parameters are no call options.
          const abortable = checker.getPropertyOfType(typeOf(param), "signal");
          const takesAbort = abortable && checker.typeToString(checker.getTypeOfSymbol(abortable)).includes("AbortSignal");
          const timed = role(param) !== "query" && props(typeOf(param)).includes("timeout");
          if (takesAbort || timed) problems.push(`${where}: call options inside \`${param.name}\``);
        }
        const roles = before.map(role);
        const firstRequest = roles.findIndex((r) => r === "query" || r === "body");
        if (firstRequest >= 0 && roles.slice(firstRequest).includes("string")) {
          problems.push(`${where}: a path parameter after the query or body`);
        }
        if (roles.lastIndexOf("query") > Math.max(roles.indexOf("body"), -1) && roles.includes("body")) {
          problems.push(`${where}: the query after the body`);
        }
      }
      out.push({ name, problems });
    }
  };

  const out: Walked[] = [];
  check("Docker", docker, out);
  for (const group of checker.getPropertiesOfType(docker)) {
    const type = checker.getTypeOfSymbol(group);
    // A resource group: what `Docker` hands out as a property holding the request core.
    if (!checker.getPropertyOfType(type, "core")) continue;
    check(type.getSymbol()?.name ?? group.name, type, out);
  }
  return out;
}

describe("argument order", () => {
  beforeAll(() => {
    walked = walk();
  }, 60_000);

  it("walks every public method of the client and its resource groups", () => {
    const groups = new Set(walked.map((w) => w.name.split(".")[0]));
    expect([...groups].sort()).toEqual([
      "Configs", "Containers", "Distribution", "Docker", "Exec", "Images", "Networks", "Nodes",
      "Plugins", "Secrets", "Services", "Session", "Swarm", "System", "Tasks", "Volumes",
    ]);
    // Every operation has a method (operations-coverage.test.ts); with the workflows, more.
    expect(walked.length).toBeGreaterThan(115);
    const names = new Set(walked.map((w) => w.name));
    for (const name of [...WORKFLOWS, ...LOCAL]) expect(names, `${name} is listed but gone`).toContain(name);
  });

  it("is path parameters, then query, then body, then call options, for each of them", () => {
    expect(walked.flatMap((w) => w.problems)).toEqual([]);
  });
});
