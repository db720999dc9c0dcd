// `npm run generate` writes generated/buildkit/ (protobuf-es message and service code) from the
// BuildKit and fsutil .proto files in ../shared/buildkit-proto (or $BUILDKIT_PROTO);
// `npm run generate:check` regenerates into a temporary folder and fails if generated/buildkit/ differs.
//
// The .proto files are never copied into the project: they are staged into a temporary folder laid
// out by their import paths, with Go-only vtprotobuf options and upstream comments removed, next to
// dockhand's own definitions in protobuf/own/, and `buf generate` runs protoc-gen-es over them.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, "..");
const OUT = path.join(REPO_ROOT, "generated/buildkit");
const DEFAULT_PROTO = path.resolve(REPO_ROOT, "../shared/buildkit-proto");

/** Folders of the shared copy and the import-path prefix their files are imported by. */
const ROOTS = {
  buildkit: "github.com/moby/buildkit",
  fsutil: "github.com/tonistiigi/fsutil",
};

/** What a BuildKit build needs; buf adds the files these import (ops, worker, policy, wire, stat, status). */
const TARGETS = [
  "github.com/moby/buildkit/api/services/control/control.proto",
  "github.com/moby/buildkit/session/filesync/filesync.proto",
  "github.com/moby/buildkit/session/auth/auth.proto",
  "github.com/moby/buildkit/session/secrets/secrets.proto",
  "github.com/moby/buildkit/session/sshforward/ssh.proto",
  "github.com/moby/buildkit/session/exporter/exporter.proto",
  "grpc/health/v1/health.proto",
];

const VTPROTO_IMPORT = /^import\s+"github\.com\/planetscale\/vtprotobuf\/vtproto\/ext\.proto";\n/gm;
const VTPROTO_OPTION = /^\s*option\s+\(vtproto\.[a-z_]+\)\s*=\s*[a-z]+;\n/gm;

function protoDir(env = process.env) {
  return env.BUILDKIT_PROTO ? path.resolve(env.BUILDKIT_PROTO) : DEFAULT_PROTO;
}

/** Removes // and /* *\/ comments outside string literals, so no upstream prose reaches generated code. */
function stripComments(text) {
  let out = "";
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (text.startsWith("//", i)) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) throw new Error("unterminated /* comment");
      i = end + 2;
    } else {
      out += c;
      i += 1;
    }
  }
  return out.replace(/[ \t]+$/gm, "");
}

/** The upstream file as dockhand generates from it: comments and Go-only vtprotobuf options removed. */
function stage(text, file) {
  const staged = stripComments(text).replace(VTPROTO_IMPORT, "").replace(VTPROTO_OPTION, "");
  // An option spelled differently upstream must not slip through as an unresolvable import.
  if (staged.includes("vtproto")) throw new Error(`${file}: a vtprotobuf reference is left after staging`);
  return staged;
}

async function listFiles(dir, base = dir) {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const nested = await Promise.all(entries.map((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  }));
  return nested.flat().sort();
}

async function stageInto(source, staging) {
  for (const [folder, importPrefix] of Object.entries(ROOTS)) {
    for (const relative of await listFiles(path.join(source, folder))) {
      if (!relative.endsWith(".proto")) continue;
      const from = path.join(source, folder, relative);
      const to = path.join(staging, importPrefix, relative);
      await mkdir(path.dirname(to), { recursive: true });
      await writeFile(to, stage(await readFile(from, "utf8"), path.join(folder, relative)));
    }
  }
  await cp(path.join(HERE, "own"), staging, { recursive: true });
}

async function runBuf(staging, out) {
  const bin = path.join(REPO_ROOT, "node_modules/.bin");
  const args = ["generate", staging, "--template", path.join(HERE, "buf.gen.yaml"), "--output", out, "--include-imports"];
  for (const target of TARGETS) args.push("--path", path.join(staging, target));
  try {
    await promisify(execFile)(path.join(bin, "buf"), args, {
      cwd: staging,
      // protoc-gen-es is found on PATH; buf's cache stays in the temporary folder.
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`, BUF_CACHE_DIR: path.join(out, "..", "cache") },
    });
  } catch (error) {
    throw new Error(`buf generate failed: ${error.stderr?.trim() || error.message}`);
  }
}

async function main(args) {
  const unknown = args.filter((arg) => arg !== "--check");
  if (unknown.length > 0) throw new Error(`unknown argument(s): ${unknown.join(" ")} (only --check is accepted)`);
  const check = args.includes("--check");
  const source = protoDir();
  if (!existsSync(source)) {
    const absent = `${path.relative(REPO_ROOT, source)} not found (the BuildKit .proto files beside the checkout; CI has them)`;
    if (!check || process.env.BUILDKIT_PROTO || /^(1|true)$/i.test(process.env.DOCKHAND_REQUIRE_FIXTURES?.trim() ?? "")) {
      throw new Error(`${absent}; set BUILDKIT_PROTO=path/to/buildkit-proto or put them in ../shared/buildkit-proto`);
    }
    console.log(`generate:check skipped: ${absent}; generated/buildkit/ is committed and used as is`);
    return 0;
  }

  const temp = await mkdtemp(path.join(tmpdir(), "dockhand-proto-"));
  try {
    const staging = path.join(temp, "proto");
    const out = path.join(temp, "out");
    await stageInto(source, staging);
    await runBuf(staging, out);

    const fresh = await listFiles(out);
    const committed = await listFiles(OUT);
    const stale = [];
    for (const relative of fresh) {
      const text = await readFile(path.join(out, relative), "utf8");
      if ((await readFile(path.join(OUT, relative), "utf8").catch(() => undefined)) !== text) stale.push(relative);
    }
    const extra = committed.filter((relative) => !fresh.includes(relative));

    if (check) {
      if (stale.length + extra.length === 0) {
        console.log("generated/buildkit/ is up to date");
        return 0;
      }
      const lines = [...stale, ...extra.map((relative) => `${relative} (not generated any more)`)];
      console.error(`generated/buildkit/ is stale; run \`npm run generate\`. Differing files:\n${lines.map((f) => `  ${f}`).join("\n")}`);
      return 1;
    }
    await rm(OUT, { recursive: true, force: true });
    await cp(out, OUT, { recursive: true });
    console.log(stale.length + extra.length > 0 ? `updated generated/buildkit/ (${stale.length + extra.length} files)` : "generated/buildkit/ already up to date");
    return 0;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error) => {
    console.error(`generate (buildkit) failed: ${error instanceof Error ? error.message : error}`);
    process.exitCode = 1;
  },
);
