import type { DocumentKind } from "../../generated/operations.js";
import { DockerProtocolError, type RequestFacts } from "./errors.js";

/*
 * The shape of the daemon's JSON answers, where dockhand relies on it. Every JSON document is
 * checked for the type the spec gives it (an object, a list of objects, a string) as it is read;
 * code that reads further into an answer (a workflow using `State.Health.Log`) declares the
 * fields it uses and has them checked. A daemon (or proxy) that lies gets a DockerProtocolError
 * with the call's facts, never a TypeError from deep inside the client. Nothing else is
 * validated: fields the client only hands over are the daemon's business.
 */

/** The call each JSON answer came from, so that a check made later can name it. */
const ORIGINS = new WeakMap<object, RequestFacts>();

/** A field's JSON type, as a workflow expects it: `"object[]"` is a list of objects. */
export type FieldKind = DocumentKind | "string[]";

/** Fields of an answer by dotted path (`"State.Health.Log"`), each with the type it must have when present. */
export type AnswerFields = Readonly<Record<string, FieldKind>>;

/**
 * Checks a whole JSON document against its operation's documented type and remembers the call's
 * facts for later checks of its fields (see {@link checkFields}).
 */
export function checkDocument(op: string, value: unknown, expected: DocumentKind | undefined, facts: RequestFacts): void {
  if (expected !== undefined && !isKind(value, expected)) {
    throw new DockerProtocolError(`The daemon's answer to ${op} is ${typeName(value)} where ${KIND_NAMES[expected]} is expected`, { ...facts });
  }
  if (typeof value === "object" && value !== null) ORIGINS.set(value, facts);
}

/**
 * Checks the fields a caller is about to rely on: each one present (not `undefined` or `null`)
 * must have its type, and the objects on its path must be objects; a step ending in `[]` is a
 * list whose every entry is checked (`"State.Health.Log[].Output"`). The DockerProtocolError
 * carries the facts of the call `answer` came from.
 */
export function checkFields(answer: object, fields: AnswerFields): void {
  for (const path in fields) walk(answer, answer, path.split("."), 0, fields[path]!);
}

/** A boolean setting read off an answer (`"Config.Tty"`): checked, `undefined` when absent. */
export function flagOf(answer: object, path: string): boolean | undefined {
  checkFields(answer, { [path]: "boolean" });
  let node: unknown = answer;
  for (const step of path.split(".")) node = (node as Record<string, unknown> | null | undefined)?.[step];
  return (node ?? undefined) as boolean | undefined;
}

/** A field the caller cannot do without: present, and of its type (else a DockerProtocolError). */
export function requireField<K extends "string" | "number">(answer: object, name: string, kind: K): K extends "string" ? string : number {
  const value = (answer as Record<string, unknown>)[name];
  if (typeof value !== kind) throw malformed(answer, name, kind, value);
  return value as K extends "string" ? string : number;
}

function walk(answer: object, node: unknown, steps: readonly string[], index: number, kind: FieldKind): void {
  if (node === undefined || node === null) return;
  const here = () => steps.slice(0, index).join(".");
  if (index === steps.length) {
    if (!isKind(node, kind)) throw malformed(answer, here(), kind, node);
    return;
  }
  if (!isKind(node, "object")) throw malformed(answer, here(), "object", node);
  const step = steps[index]!;
  if (!step.endsWith("[]")) return walk(answer, (node as Record<string, unknown>)[step], steps, index + 1, kind);
  const list = (node as Record<string, unknown>)[step.slice(0, -2)];
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) throw malformed(answer, `${here()}${index ? "." : ""}${step.slice(0, -2)}`, "array", list);
  for (const item of list) walk(answer, item, steps, index + 1, kind);
}

function malformed(answer: object, path: string, kind: FieldKind, value: unknown): DockerProtocolError {
  const facts = ORIGINS.get(answer) ?? {};
  const what = facts.operation ? `The daemon's answer to ${facts.operation}` : "The daemon's answer";
  return new DockerProtocolError(`${what} has ${typeName(value)} in ${path} where ${KIND_NAMES[kind]} is expected`, { ...facts });
}

const KIND_NAMES: Record<FieldKind, string> = {
  object: "an object",
  array: "a list",
  "object[]": "a list of objects",
  "string[]": "a list of strings",
  string: "a string",
  number: "a number",
  boolean: "a boolean",
};

function isKind(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "object[]":
      return Array.isArray(value) && value.every((item) => typeof item === "object" && item !== null && !Array.isArray(item));
    case "string[]":
      return Array.isArray(value) && value.every((item) => typeof item === "string");
    default:
      return typeof value === kind;
  }
}

/** `a list`, `null`, `a string`, … for messages (never the value: it may be long or sensitive). */
function typeName(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
