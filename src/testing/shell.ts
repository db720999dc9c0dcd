import { untilAborted } from "./pipe.js";
import type { StreamId } from "./stdio.js";
import { sleep } from "./time.js";

/** What a mock command can touch: its stdin, two output streams, its environment, and a kill switch. */
export interface ShellIO {
  stdin: AsyncIterable<Uint8Array>;
  write(stream: StreamId, data: string | Uint8Array): void;
  env: ReadonlyMap<string, string>;
  /** Aborted when the process is killed; long-running commands must stop then. */
  signal: AbortSignal;
}

/** A command; `name` is how it was invoked (`/bin/sh`), which a shell puts before its messages. */
type Command = (args: string[], io: ShellIO, name: string) => Promise<number>;

/**
 * A handful of busybox-like commands, enough for containers and execs in tests to do something
 * observable: `echo`, `printf`, `cat`, `wc`, `sleep`, `env`, `true`, `false` and `sh -c SCRIPT`
 * (sequences with `;`, `&&`, `||`, `exit N`, `$VAR`, and `>&2` / `2>&1` / `>/dev/null` redirects).
 * Anything else exits 127 with a "not found" message on stderr, as a shell would.
 */
export async function runCommand(argv: readonly string[], io: ShellIO): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) return 0;
  const command = lookup(name);
  if (!command) {
    io.write(2, `exec: "${name}": executable file not found in $PATH\n`);
    return 127;
  }
  return command(args, io, name);
}

/** The command for a name or path (`/bin/echo` is `echo`). */
function lookup(name: string): Command | undefined {
  const base = name.slice(name.lastIndexOf("/") + 1);
  return Object.hasOwn(COMMANDS, base) ? COMMANDS[base] : undefined;
}

const COMMANDS: Record<string, Command> = {
  async echo(args, io) {
    let newline = true;
    let escapes = false;
    while (args[0] === "-n" || args[0] === "-e") {
      if (args.shift() === "-n") newline = false;
      else escapes = true;
    }
    const text = args.join(" ");
    io.write(1, (escapes ? unescape(text) : text) + (newline ? "\n" : ""));
    return 0;
  },
  async printf(args, io) {
    const [format, ...values] = args;
    if (format === undefined) {
      io.write(2, "printf: usage: printf FORMAT [ARGUMENT...]\n");
      return 1;
    }
    io.write(1, printf(format, values));
    return 0;
  },
  async cat(args, io) {
    const files = args.filter((arg) => arg !== "-");
    if (files.length > 0) {
      for (const file of files) io.write(2, `cat: can't open '${file}': No such file or directory\n`);
      return 1;
    }
    for await (const chunk of untilAborted(io.stdin, io.signal)) io.write(1, chunk);
    return 0;
  },
  async wc(args, io) {
    const flag = args[0] ?? "-c";
    if (!["-c", "-l", "-w"].includes(flag)) {
      io.write(2, `wc: unrecognized option '${flag}'\n`);
      return 1;
    }
    const chunks: Uint8Array[] = [];
    for await (const chunk of untilAborted(io.stdin, io.signal)) chunks.push(chunk);
    const text = Buffer.concat(chunks);
    const count =
      flag === "-c"
        ? text.byteLength
        : flag === "-l"
          ? text.filter((byte) => byte === 10).length
          : text.toString("utf8").split(/\s+/).filter(Boolean).length;
    io.write(1, `${count}\n`);
    return 0;
  },
  async sleep(args, io) {
    const value = args[0] ?? "";
    const seconds = value === "infinity" ? Infinity : Number(value);
    if (value === "" || Number.isNaN(seconds) || seconds < 0) {
      io.write(2, `sleep: invalid number '${value}'\n`);
      return 1;
    }
    await sleep(seconds * 1000, io.signal);
    return 0;
  },
  async env(_args, io) {
    io.write(1, [...io.env].map(([key, value]) => `${key}=${value}\n`).join(""));
    return 0;
  },
  async true() {
    return 0;
  },
  async false() {
    return 1;
  },
  async sh(args, io, name) {
    if (args[0] !== "-c" || args[1] === undefined) {
      io.write(2, `${name}: only \`sh -c SCRIPT\` is supported by the mock daemon\n`);
      return 2;
    }
    return runScript(args[1], io, name);
  },
};

/** Backslash escapes understood by `echo -e` and `printf`. */
function unescape(text: string): string {
  const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", a: "\x07", b: "\b", "0": "\0" };
  return text.replace(/\\([ntr\\ab0])/g, (_, c: string) => map[c] as string);
}

/** `printf` with `%s %d %i %c %x %%`, reusing the format while arguments remain (as coreutils does). */
function printf(format: string, values: string[]): string {
  let out = "";
  let rest = [...values];
  do {
    let used = 0;
    out += unescape(format).replace(/%([%sdicx])/g, (_, conversion: string) => {
      if (conversion === "%") return "%";
      const value = rest[used++] ?? "";
      switch (conversion) {
        case "d":
        case "i":
          return String(Math.trunc(Number(value) || 0));
        case "x":
          return (Math.trunc(Number(value) || 0) >>> 0).toString(16);
        case "c":
          return value.charAt(0);
        default:
          return value;
      }
    });
    rest = rest.slice(used);
    if (used === 0) break;
  } while (rest.length > 0);
  return out;
}

// ---- sh -c: just enough shell for one-liners in tests --------------------------------------------

/** A word whose `$NAME` parts are resolved when its command runs (so `$?` sees the last status). */
type Word = Array<string | { variable: string }>;
type Redirect = { from: StreamId; to: StreamId | null };
type Token = { kind: "word"; word: Word } | { kind: "op"; value: ";" | "&&" | "||" } | ({ kind: "redirect" } & Redirect);

/** Runs a script of simple commands joined by `;`, `&&`, `||` or newlines; `shell` prefixes its messages. */
async function runScript(script: string, io: ShellIO, shell: string): Promise<number> {
  let tokens: Token[];
  try {
    tokens = tokenize(script);
  } catch (error) {
    io.write(2, `${shell}: ${(error as Error).message}\n`);
    return 2;
  }
  let status = 0;
  let words: Word[] = [];
  let redirects: Redirect[] = [];
  let skip = false;
  for (const [index, token] of tokens.entries()) {
    if (token.kind === "word") words.push(token.word);
    else if (token.kind === "redirect") redirects.push(token);
    if (token.kind !== "op" && index < tokens.length - 1) continue;
    const argv = words.map((word) =>
      word.map((part) => (typeof part === "string" ? part : part.variable === "?" ? String(status) : (io.env.get(part.variable) ?? ""))).join(""),
    );
    const routes = redirects;
    words = [];
    redirects = [];
    if (argv.length > 0 && !skip) {
      if (io.signal.aborted) return status;
      if (argv[0] === "exit") return argv[1] === undefined ? status : Number(argv[1]) & 255;
      status = await runSimple(argv as [string, ...string[]], routes, io, shell);
    }
    if (token.kind === "op") skip = (token.value === "&&" && status !== 0) || (token.value === "||" && status === 0);
  }
  return status;
}

/** Runs one command with its redirections applied to its output. */
function runSimple(argv: [string, ...string[]], routes: Redirect[], io: ShellIO, shell: string): Promise<number> {
  const command = lookup(argv[0]);
  if (!command) {
    io.write(2, `${shell}: ${argv[0]}: not found\n`);
    return Promise.resolve(127);
  }
  const write: ShellIO["write"] = (stream, data) => {
    let target: StreamId | null = stream;
    for (const redirect of routes) if (redirect.from === stream) target = redirect.to;
    if (target !== null) io.write(target, data);
  };
  return command(argv.slice(1), { ...io, write }, argv[0]);
}

/** Splits a script into words (with quoting and `$VAR`), operators and redirections. */
function tokenize(script: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < script.length) {
    const c = script[i] as string;
    const two = script.slice(i, i + 2);
    const redirect = /^([12]?)>(?:&([12])|\s*\/dev\/null)/.exec(script.slice(i));
    if (c === " " || c === "\t") i++;
    else if (c === "\n" || c === ";") {
      tokens.push({ kind: "op", value: ";" });
      i++;
    } else if (two === "&&" || two === "||") {
      tokens.push({ kind: "op", value: two });
      i += 2;
    } else if (redirect) {
      const to = redirect[2] ? (Number(redirect[2]) as StreamId) : null;
      tokens.push({ kind: "redirect", from: redirect[1] === "2" ? 2 : 1, to });
      i += redirect[0].length;
    } else if (/[|&<>()`]/.test(c)) {
      throw new Error(`'${c}' is not supported by the mock daemon`);
    } else {
      const [word, next] = readWord(script, i);
      tokens.push({ kind: "word", word });
      i = next;
    }
  }
  return tokens;
}

/** Reads one word starting at `start`; returns it and the index after it. */
function readWord(script: string, start: number): [Word, number] {
  const word: Word = [];
  let i = start;
  const variable = (): void => {
    const match = /^\$(?:\{(\w+)\}|(\w+)|(\?))/.exec(script.slice(i));
    if (!match) {
      word.push("$");
      i++;
      return;
    }
    word.push({ variable: (match[1] ?? match[2] ?? match[3]) as string });
    i += match[0].length;
  };
  while (i < script.length && !/[\s;&|<>()`]/.test(script[i] as string)) {
    const c = script[i] as string;
    if (c === "'") {
      const end = script.indexOf("'", i + 1);
      if (end < 0) throw new Error("unterminated quoted string");
      word.push(script.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (script[i] !== '"') {
        if (i >= script.length) throw new Error("unterminated quoted string");
        if (script[i] === "\\" && /["\\$`]/.test(script[i + 1] ?? "")) {
          word.push(script[i + 1] as string);
          i += 2;
        } else if (script[i] === "$") variable();
        else word.push(script[i++] as string);
      }
      i++;
    } else if (c === "\\") {
      word.push(script[i + 1] ?? "");
      i += 2;
    } else if (c === "$") variable();
    else {
      word.push(c);
      i++;
    }
  }
  return [word, i];
}
