// The build figure's context: a deterministic tree of incompressible files, generated once into
// the OS temp dir (never committed) and copied for every build that must start cold.
import { cp, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** ≈ 200 MB in 5,000 files (full) or ≈ 4 MB in 200 files (quick). */
const SHAPES = {
  full: { dirs: 50, perDir: 100, maxKiB: 78 },
  quick: { dirs: 10, perDir: 20, maxKiB: 38 },
};
const BLOCK = 1 << 20;

/** `d07` (a directory) or `d07/f012.bin` (a file in it). */
function name(d, f) {
  const sub = `d${String(d).padStart(2, "0")}`;
  return f === undefined ? sub : `${sub}/f${String(f).padStart(3, "0")}.bin`;
}

const COPY_STEP = "COPY . /dockhand-bench-ctx";
const RUN_COMMAND = "du -s /dockhand-bench-ctx && find /dockhand-bench-ctx -type f | wc -l";

/** The Dockerfile all builders build: it copies the whole context and reads all of it. */
export const BUILD_DOCKERFILE = ["FROM busybox:local", COPY_STEP, `RUN ${RUN_COMMAND}`, ""].join("\n");

/**
 * BuildKit's descriptions of the build cache records a build of BUILD_DOCKERFILE leaves (the
 * COPY layer holds the whole context, ~200 MB), the RUN step first: a record is pruned only once
 * nothing is built on it.
 */
export const BUILD_CACHE_RECORDS = [`mount / from exec /bin/sh -c ${RUN_COMMAND}`, `[2/3] ${COPY_STEP}`];

/** xorshift32: the same bytes on every machine. */
function randomBlock(seed, length) {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  return out;
}

/**
 * Generates the template once into `<base>/build-context-<mode>` (reused while its marker says it
 * is complete); resolves with its directory, file count and total bytes.
 */
export async function ensureBuildContext(base, mode) {
  const shape = SHAPES[mode];
  const dir = join(base, `build-context-${mode}`);
  const marker = join(dir, ".complete");
  try {
    return JSON.parse(await readFile(marker, "utf8"));
  } catch {
    // not there yet
  }
  await rm(dir, { recursive: true, force: true });
  const block = randomBlock(0x5eed, BLOCK);
  const sizes = randomBlock(0xd0c4, shape.dirs * shape.perDir * 4);
  let files = 0;
  let bytes = 0;
  for (let d = 0; d < shape.dirs; d++) {
    await mkdir(join(dir, name(d)), { recursive: true });
    for (let f = 0; f < shape.perDir; f++) {
      const i = d * shape.perDir + f;
      const size = 1024 + (sizes.readUInt32LE(i * 4) % (shape.maxKiB * 1024));
      const offset = (i * 4099) % (BLOCK - size);
      await writeFile(join(dir, name(d, f)), block.subarray(offset, offset + size));
      files++;
      bytes += size;
    }
  }
  await writeFile(join(dir, "Dockerfile"), BUILD_DOCKERFILE);
  // The file a rebuild changes: one in the middle of the tree.
  const changed = name(shape.dirs >> 1, shape.perDir >> 1);
  const info = { dir, files: files + 1, bytes: bytes + BUILD_DOCKERFILE.length, changed };
  await writeFile(marker, JSON.stringify(info));
  return info;
}

/**
 * A fresh copy of the template at `dest` with a file only it has, so no builder finds this
 * context (or its layers) in the daemon's cache: every first build transfers and copies it all.
 */
export async function freshContext(template, dest) {
  await rm(dest, { recursive: true, force: true });
  await cp(template, dest, { recursive: true, filter: (src) => !src.endsWith(".complete") });
  await writeFile(join(dest, "fresh.txt"), `${dest} ${process.hrtime.bigint()}\n`);
}

/** Changes one file of `dir` (`changed`, relative) in place, same size, other bytes: what a rebuild has to send. */
export async function changeOneFile(dir, changed, salt) {
  const path = join(dir, changed);
  const { size } = await stat(path);
  await writeFile(path, randomBlock(salt, Math.ceil(size / 4) * 4).subarray(0, size));
}
