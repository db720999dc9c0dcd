/**
 * The Dockerfile as the classic builder (dockerd 20.10) reads it: parser directives, comments,
 * line continuations, stages, `ARG` scoping and build args, word expansion (`$VAR`, `${VAR:-x}`,
 * quotes), and what each metadata instruction does to the image config. Running `RUN`, checking
 * `COPY` sources and storing images is the build handler's job (handlers/build.ts).
 */
import { DaemonError } from "./reply.js";

/** One instruction, continuation lines joined. */
export interface Instruction {
  /** Upper case: `RUN`. */
  keyword: string;
  /** The text after the keyword and its flags. */
  args: string;
  /** `--name=value` flags (`--from=builder`); a flag without value is `"true"`. */
  flags: Map<string, string>;
  /** The instruction as `Step n/m :` shows it. */
  original: string;
  /** Line where it starts (1-based). */
  line: number;
}

/** A build stage: its `FROM` and what follows until the next one. */
export interface Stage {
  /** The `AS` name, lower-cased as the builder keeps it. */
  name: string | undefined;
  from: Instruction;
  instructions: Instruction[];
}

/** A parsed Dockerfile. */
export interface Dockerfile {
  /** `ARG`s before the first `FROM`: usable in `FROM` lines only, unless a stage declares them again. */
  metaArgs: Instruction[];
  stages: Stage[];
  /** The escape character (`# escape=` directive): `\\` or `` ` ``. */
  escape: string;
}

const KNOWN = new Set(["ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"]);
/** Build args every build accepts without an `ARG`; they are never reported as unused. */
export const BUILTIN_ARGS = new Set(["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"]);

/** Parses Dockerfile text; malformed text is the daemon's 400 with its wording. */
export function parseDockerfile(text: string): Dockerfile {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let escape = "\\";
  // Parser directives: `# name=value` lines at the very top.
  for (const line of lines) {
    const directive = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/.exec(line);
    if (!directive) break;
    if (directive[1]!.toLowerCase() !== "escape") continue;
    if (directive[2] !== "\\" && directive[2] !== "`") throw new DaemonError(400, `invalid ESCAPE '${directive[2]}'. Must be \` or \\`);
    escape = directive[2];
  }
  const continuation = new RegExp(`${escape === "\\" ? "\\\\" : "`"}[ \\t]*$`);
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  for (const [index, raw] of lines.entries()) {
    if (/^\s*#/.test(raw) || (raw.trim() === "" && pending === undefined)) continue;
    const text = (pending ? pending.text : "") + (pending ? raw : raw.trimStart());
    const line = pending?.line ?? index + 1;
    if (continuation.test(text) && index < lines.length - 1) {
      pending = { text: text.replace(continuation, ""), line };
      continue;
    }
    pending = undefined;
    instructions.push(instruction(text.replace(continuation, "").trimEnd(), line, escape));
  }
  if (pending) instructions.push(instruction(pending.text.trimEnd(), pending.line, escape));
  if (instructions.length === 0) throw new DaemonError(400, "failed to parse Dockerfile: file with no instructions");

  const metaArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const item of instructions) {
    if (item.keyword === "FROM") {
      const words = splitWords(item.args, escape);
      if (words.length !== 1 && !(words.length === 3 && words[1]!.toLowerCase() === "as")) {
        throw new DaemonError(400, "failed to parse Dockerfile: FROM requires either one or three arguments");
      }
      const name = words[2]?.toLowerCase();
      if (name !== undefined && !/^[a-z][a-z0-9-_.]*$/.test(name)) {
        throw new DaemonError(400, `failed to parse Dockerfile: invalid name for build stage: "${words[2]}", name can't start with a number or contain symbols`);
      }
      stages.push({ name, from: item, instructions: [] });
    } else if (stages.length > 0) stages.at(-1)!.instructions.push(item);
    else if (item.keyword === "ARG") metaArgs.push(item);
    else throw new DaemonError(400, "no build stage in current context");
  }
  for (const item of instructions) checkSyntax(item, escape);
  return { metaArgs, stages, escape };
}

/** The stages a build runs: all of them, or up to and including `target`. */
export function stagesUpTo(file: Dockerfile, target: string | undefined): Stage[] {
  if (!target) return file.stages;
  const index = file.stages.findIndex((stage) => stage.name === target.toLowerCase());
  if (index < 0) throw new DaemonError(400, `failed to reach build target ${target} in Dockerfile`);
  return file.stages.slice(0, index + 1);
}

function instruction(text: string, line: number, escape: string): Instruction {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(text)!;
  const keyword = match[1]!.toUpperCase();
  if (!KNOWN.has(keyword)) throw new DaemonError(400, `dockerfile parse error line ${line}: unknown instruction: ${keyword}`);
  let args = match[2]!;
  const flags = new Map<string, string>();
  for (let flag = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(args); flag; flag = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(args)) {
    flags.set(flag[1]!, flag[2] === undefined ? "true" : unquote(flag[2], escape));
    args = args.slice(flag[0].length);
  }
  if (args.trim() === "" && keyword !== "CMD" && keyword !== "ENTRYPOINT") {
    throw new DaemonError(400, `dockerfile parse error line ${line}: ${keyword} requires at least one argument`);
  }
  return { keyword, args, flags, original: text, line };
}

/** Errors the daemon reports before the build starts (its 400 `failed to parse Dockerfile: …`). */
function checkSyntax(item: Instruction, escape: string): void {
  const fail = (message: string) => new DaemonError(400, `failed to parse Dockerfile: ${message}`);
  const allowed: Record<string, string[]> = { FROM: ["platform"], COPY: ["from", "chown", "chmod"], ADD: ["chown", "chmod"], RUN: ["mount", "network", "security"] };
  for (const flag of item.flags.keys()) {
    if (!(allowed[item.keyword] ?? []).includes(flag)) throw fail(`Unknown flag: ${flag}`);
  }
  const words = splitWords(item.args, escape);
  if (item.keyword === "ENV" || item.keyword === "LABEL") keyValues(item, escape);
  if (item.keyword === "ARG" && words.length !== 1) throw fail("ARG requires exactly one argument");
  if ((item.keyword === "WORKDIR" || item.keyword === "USER") && words.length !== 1) throw fail(`${item.keyword} requires exactly one argument`);
  if ((item.keyword === "COPY" || item.keyword === "ADD") && (jsonArray(item.args) ?? words).length < 2) {
    throw fail(`${item.keyword} requires at least two arguments, but only one was provided. Destination could not be determined.`);
  }
  if (item.keyword === "SHELL" && jsonArray(item.args) === undefined) throw fail("SHELL requires the arguments to be in JSON form");
}

// ---- words -------------------------------------------------------------------------------------

/** Variables visible to word expansion. */
export type Vars = ReadonlyMap<string, string>;

/** Splits on unquoted whitespace, keeping quotes and escapes in the words (expanded later). */
function splitWords(text: string, escape: string): string[] {
  const words: string[] = [];
  let word = "";
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === escape && i + 1 < text.length && quote !== "'") {
      word += c + text[++i];
    } else if (quote) {
      word += c;
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
      word += c;
    } else if (/\s/.test(c)) {
      if (word) words.push(word);
      word = "";
    } else word += c;
  }
  if (word) words.push(word);
  return words;
}

/** Removes quotes and escapes of one word without expanding anything. */
function unquote(word: string, escape: string): string {
  return expand(word, new Map(), escape, false);
}

/**
 * The builder's word processing: quotes removed, the escape character honoured, and (when
 * `substitute`) `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}` and
 * `${NAME+word}` replaced. Single quotes keep everything literal.
 */
export function expand(word: string, vars: Vars, escape = "\\", substitute = true): string {
  let out = "";
  let i = 0;
  const variable = (): string => {
    const rest = word.slice(i + 1);
    const simple = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (simple) {
      i += 1 + simple[0].length;
      return vars.get(simple[0]) ?? "";
    }
    const braced = /^\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}/.exec(rest);
    if (!braced) {
      i++;
      return "$";
    }
    i += 1 + braced[0].length;
    const value = vars.get(braced[1]!);
    const set = braced[2]?.startsWith(":") ? value !== undefined && value !== "" : value !== undefined;
    if (braced[2]?.endsWith("-")) return set ? value! : expand(braced[3]!, vars, escape);
    if (braced[2]?.endsWith("+")) return set ? expand(braced[3]!, vars, escape) : "";
    return value ?? "";
  };
  while (i < word.length) {
    const c = word[i]!;
    if (c === "'") {
      const end = word.indexOf("'", i + 1);
      out += word.slice(i + 1, end < 0 ? word.length : end);
      i = end < 0 ? word.length : end + 1;
    } else if (c === '"') {
      i++;
      while (i < word.length && word[i] !== '"') {
        if (word[i] === escape && /["$\\`]/.test(word[i + 1] ?? "")) {
          out += word[i + 1];
          i += 2;
        } else if (word[i] === "$" && substitute) out += variable();
        else out += word[i++];
      }
      i++;
    } else if (c === escape && i + 1 < word.length) {
      out += word[i + 1];
      i += 2;
    } else if (c === "$" && substitute) out += variable();
    else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Words of `args`, each expanded. */
export function expandWords(args: string, vars: Vars, escape = "\\"): string[] {
  return splitWords(args, escape).map((word) => expand(word, vars, escape));
}

/**
 * `ENV`/`LABEL` pairs: `KEY=value …`, or the legacy `KEY value with spaces`; values (and keys)
 * expanded against `vars`.
 */
export function keyValues(item: Instruction, escape = "\\", vars: Vars = new Map()): Array<[string, string]> {
  const words = splitWords(item.args, escape);
  if (!words[0]!.includes("=")) {
    const [key, value] = item.args.trim().split(/\s+(.*)/s);
    if (value === undefined) throw new DaemonError(400, `failed to parse Dockerfile: ${item.keyword} must have two arguments`);
    return [[expand(key!, vars, escape), expand(value.trim(), vars, escape)]];
  }
  return words.map((word) => {
    const eq = word.indexOf("=");
    if (eq < 0) throw new DaemonError(400, `failed to parse Dockerfile: Syntax error - can't find = in "${word}". Must be of the form: name=value`);
    return [expand(word.slice(0, eq), vars, escape), expand(word.slice(eq + 1), vars, escape)];
  });
}

/** The JSON (exec) form of `RUN`/`CMD`/`ENTRYPOINT`/`SHELL`/`COPY`, if the arguments are one. */
export function jsonArray(args: string): string[] | undefined {
  if (!args.trimStart().startsWith("[")) return undefined;
  try {
    const value: unknown = JSON.parse(args);
    return Array.isArray(value) && value.every((item) => typeof item === "string") ? value : undefined;
  } catch {
    return undefined;
  }
}

// ---- build args ----------------------------------------------------------------------------------

/** The build's args: values given with the request, and which of them an `ARG` asked for. */
export class BuildArgs {
  readonly #given: Map<string, string | null>;
  readonly #consumed = new Set<string>();

  constructor(given: Record<string, string | null>) {
    this.#given = new Map(Object.entries(given));
  }

  /** The value of a declared `ARG NAME[=default]`: the build arg if given, else the default. */
  declare(name: string, fallback: string | undefined): string | undefined {
    this.#consumed.add(name);
    const given = this.#given.get(name);
    return given === undefined || given === null ? fallback : given;
  }

  /** Proxy args given with the request: every `RUN` sees them without an `ARG`. */
  builtins(): Array<[string, string]> {
    return [...this.#given].filter((entry): entry is [string, string] => BUILTIN_ARGS.has(entry[0]) && entry[1] !== null);
  }

  /** Given args no `ARG` asked for, in the order given (the daemon's warning lists them). */
  unused(): string[] {
    return [...this.#given.keys()].filter((name) => !this.#consumed.has(name) && !BUILTIN_ARGS.has(name));
  }
}

// ---- image config ----------------------------------------------------------------------------

/** The config a stage builds up, as the image stores it. */
export interface StageConfig {
  Cmd: string[] | null;
  Entrypoint: string[] | null;
  Env: string[];
  WorkingDir: string;
  User: string;
  Labels: Record<string, string>;
  ExposedPorts: Record<string, Record<string, never>>;
  Volumes: Record<string, Record<string, never>>;
  StopSignal: string | undefined;
  /** The shell of shell-form instructions, once `SHELL` set one (else `/bin/sh -c`). */
  Shell: string[] | undefined;
  /** `CMD` was set in this stage (`ENTRYPOINT` then keeps it). */
  cmdSet: boolean;
}

/** A stage's variables for expansion: its `ENV`, then its declared args (ENV wins). */
export function stageVars(config: StageConfig, args: ReadonlyMap<string, string>): Map<string, string> {
  const vars = new Map(args);
  for (const entry of config.Env) {
    const eq = entry.indexOf("=");
    vars.set(eq < 0 ? entry : entry.slice(0, eq), eq < 0 ? "" : entry.slice(eq + 1));
  }
  return vars;
}

/** Sets `KEY=value` in an env list, replacing an earlier value in place. */
export function setEnv(env: string[], key: string, value: string): string[] {
  const entry = `${key}=${value}`;
  const index = env.findIndex((item) => item.split("=")[0] === key);
  return index < 0 ? [...env, entry] : env.map((item, i) => (i === index ? entry : item));
}

/** The shell of shell-form `RUN`, `CMD` and `ENTRYPOINT`. */
export function shellOf(config: StageConfig): string[] {
  return config.Shell ?? ["/bin/sh", "-c"];
}

/**
 * Applies a metadata instruction (everything but `FROM`, `RUN`, `COPY`, `ADD`, `ARG`) to
 * `config`; returns the history text (`/bin/sh -c #(nop)  ENV A=b`).
 */
export function applyMetadata(item: Instruction, config: StageConfig, vars: Vars, escape: string): string {
  const exec = (form: string[]) => `[${form.map((part) => JSON.stringify(part)).join(" ")}]`;
  // Go's `%v` of a string slice, which some history texts use.
  const goList = (list: string[]) => `[${list.join(" ")}]`;
  const command = () => jsonArray(item.args) ?? (item.args.trim() === "" ? [] : [...shellOf(config), item.args]);
  let text: string;
  switch (item.keyword) {
    case "ENV": {
      const pairs = keyValues(item, escape, vars);
      for (const [key, value] of pairs) config.Env = setEnv(config.Env, key, value);
      text = `ENV ${pairs.map(([key, value]) => `${key}=${value}`).join(" ")}`;
      break;
    }
    case "LABEL": {
      const pairs = keyValues(item, escape, vars);
      for (const [key, value] of pairs) config.Labels[key] = value;
      text = `LABEL ${pairs.map(([key, value]) => `${key}=${value}`).join(" ")}`;
      break;
    }
    case "MAINTAINER":
      text = `MAINTAINER ${item.args.trim()}`;
      break;
    case "WORKDIR": {
      const dir = expandWords(item.args, vars, escape)[0]!;
      config.WorkingDir = dir.startsWith("/") ? normalize(dir) : normalize(`${config.WorkingDir || "/"}/${dir}`);
      // The daemon writes this one with a single space after `#(nop)`.
      return `/bin/sh -c #(nop) WORKDIR ${config.WorkingDir}`;
    }
    case "USER":
      config.User = expandWords(item.args, vars, escape)[0]!;
      text = `USER ${config.User}`;
      break;
    case "EXPOSE": {
      const ports = expandWords(item.args, vars, escape).sort();
      for (const port of ports) config.ExposedPorts[port.includes("/") ? port.toLowerCase() : `${port}/tcp`] = {};
      text = `EXPOSE ${ports.join(" ")}`;
      break;
    }
    case "CMD":
      config.Cmd = command();
      config.cmdSet = true;
      text = `CMD ${exec(config.Cmd)}`;
      break;
    case "ENTRYPOINT":
      config.Entrypoint = command();
      // A new entrypoint drops an inherited CMD, unless this stage set one.
      if (!config.cmdSet) config.Cmd = null;
      text = `ENTRYPOINT ${exec(config.Entrypoint)}`;
      break;
    case "SHELL":
      config.Shell = jsonArray(item.args)!;
      text = `SHELL ${goList(config.Shell)}`;
      break;
    case "VOLUME": {
      const paths = (jsonArray(item.args) ?? splitWords(item.args, escape)).map((path) => expand(path, vars, escape));
      for (const path of paths) config.Volumes[path] = {};
      text = `VOLUME ${goList(paths)}`;
      break;
    }
    case "STOPSIGNAL":
      config.StopSignal = expandWords(item.args, vars, escape)[0]!;
      text = `STOPSIGNAL ${config.StopSignal}`;
      break;
    default:
      // HEALTHCHECK, ONBUILD: recorded in history, not modelled by the mock.
      text = item.original;
  }
  return `/bin/sh -c #(nop)  ${text}`;
}

/** A `/`-separated absolute path cleaned like Go's `path.Clean`. */
export function normalize(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== "" && part !== ".") parts.push(part);
  }
  return `/${parts.join("/")}`;
}
