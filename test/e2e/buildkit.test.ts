// BuildKit builds through the Engine API session against a real engine: the context served over
// FileSync (with .dockerignore), a target stage, build args, labels, RUN output, a rebuild that
// sends only the changed file, abort and timeout leaving nothing behind, and — where the
// docker-buildx oracle is there (scripts/buildx.sh) — the same Dockerfile built by `docker buildx
// build` on the same daemon, compared by image config and file contents.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ArchiveExtractError, BuildError, DockerAbortError, DockerTimeoutError, Docker, type BuildParams } from "../../src/index.js";
import { TEST_IMAGE, describeEngine, engineHost } from "./engine.js";
import { diverges, why } from "./engines.js";
import { fixtureDir } from "./fixture-gate.js";

const run = promisify(execFile);
const TAG = `dockhand-e2e-buildkit:${process.pid}`;
const ORACLE_TAG = `dockhand-e2e-buildx:${process.pid}`;
const LABEL = "dockhand.test=buildkit-e2e";
/** `docker buildx` (scripts/buildx.sh up prints it), when available. */
const buildx = fixtureDir("DOCKHAND_BUILDX", "scripts/buildx.sh");

const DOCKERFILE = [
  `FROM ${TEST_IMAGE} AS base`,
  "ARG FLAVOUR=plain",
  "LABEL stage=base",
  "COPY . /app/",
  'RUN echo "flavour=$FLAVOUR" > /app/flavour && echo "run says $FLAVOUR"',
  'CMD ["sh", "-c", "cd /app && cat flavour && find . | sort && cat big.bin | md5sum && ls -l link"]',
  "FROM base AS extra",
  "RUN touch /app/extra-stage",
  "",
].join("\n");

/** Live handles of kinds a leaked session would hold. */
function handles(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === "PipeWrap" || kind === "TCPSocketWrap" || kind === "Http2Session").length;
}

/** Whether a process on this machine has `marker` in its command line (a build step's, when the engine is local). */
async function running(marker: string): Promise<boolean> {
  for (const pid of await readdir("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "latin1").catch(() => "");
    if (cmdline.includes(marker)) return true;
  }
  return false;
}

/** Every entry under `root` by relative path: type, mode bits, size, content hash, link target, mtime, hard link group. */
async function describeTree(root: string): Promise<Map<string, Record<string, unknown>>> {
  const tree = new Map<string, Record<string, unknown>>();
  const inodes = new Map<number, string[]>();
  const visit = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(root, rel))).sort()) {
      const path = rel === "" ? name : `${rel}/${name}`;
      const info = await lstat(join(root, path));
      const type = info.isDirectory() ? "dir" : info.isSymbolicLink() ? "symlink" : info.isFIFO() ? "fifo" : info.isFile() ? "file" : "other";
      const entry: Record<string, unknown> = { type, mode: info.mode & 0o7777 };
      if (type === "file") {
        entry["size"] = info.size;
        entry["sha256"] = createHash("sha256").update(await readFile(join(root, path))).digest("hex");
        entry["mtime"] = Math.floor(info.mtimeMs / 1000);
        inodes.set(info.ino, [...(inodes.get(info.ino) ?? []), path]);
      }
      if (type === "symlink") {
        entry["target"] = await readlink(join(root, path));
        delete entry["mode"]; // a symlink's own mode is the umask's, on either side
      }
      tree.set(path, entry);
      if (type === "dir") await visit(path);
    }
  };
  await visit("");
  for (const paths of inodes.values()) if (paths.length > 1) for (const path of paths) tree.get(path)!["links"] = [...paths].sort().join(" ");
  return tree;
}

describeEngine("BuildKit builds through the session", () => {
  let docker: Docker;
  let context: string;

  const options = (extra: Partial<BuildParams> = {}): BuildParams => ({
    context,
    builder: "buildkit",
    tags: [TAG],
    target: "base",
    buildargs: { FLAVOUR: "spicy" },
    labels: { "org.example.stage": "e2e", "dockhand.test": "buildkit-e2e" },
    ...extra,
  });

  /** The image's default command's output. */
  async function contents(image: string): Promise<string> {
    const result = await docker.run(image, undefined, { labels: { "dockhand.test": "buildkit-e2e" } });
    expect(result.exitCode).toBe(0);
    return result.stdout;
  }

  beforeAll(async () => {
    docker = new Docker({ host: engineHost() });
    context = await mkdtemp(join(tmpdir(), "dockhand-e2e-buildkit-"));
    const files: Record<string, string | Uint8Array> = {
      Dockerfile: DOCKERFILE,
      ".dockerignore": "secret.env\n*.log\ncache\n!cache/keep.txt\n",
      "app.sh": "echo app\n",
      "secret.env": "TOKEN=do-not-ship\n",
      "debug.log": "noise\n",
      "cache/blob.bin": "never sent\n",
      "cache/keep.txt": "kept\n",
      "lib/a-b.sh": "echo dash\n",
      "lib/a/x.sh": "echo nested\n",
      "lib/a.sh": "echo dot\n",
      // Big enough that resending it would show in the rebuild's byte count.
      "big.bin": new Uint8Array(2 << 20).map((_, i) => (i * 7919) & 0xff),
    };
    for (const [name, content] of Object.entries(files)) {
      await mkdir(join(context, name, ".."), { recursive: true });
      await writeFile(join(context, name), content);
    }
    await run("ln", ["-s", "lib/a.sh", join(context, "link")]);
    await run("chmod", ["755", join(context, "app.sh")]);
  });

  afterAll(async () => {
    await docker.removeByLabel(LABEL).catch(() => {});
    for (const tag of [TAG, ORACLE_TAG]) await docker.images.remove(tag, { force: true }).catch(() => {});
    await docker.close();
    await rm(context, { recursive: true, force: true });
  });

  it.skipIf(diverges("session"))(`builds a target stage with build args and labels, the context filtered by .dockerignore${why("session")}`, { timeout: 120_000 }, async () => {
    const build = await docker.images.build(options({ nocache: true }));
    const messages: unknown[] = [];
    const id = await build.imageId((m) => messages.push(m));
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    // RUN output travels in the trace messages (base64 protobuf); its text is in there.
    const traces = messages.filter((m) => (m as { id?: string }).id === "moby.buildkit.trace");
    expect(traces.length).toBeGreaterThan(0);
    const decoded = traces.map((m) => Buffer.from((m as { aux: string }).aux, "base64").toString("latin1")).join("");
    expect(decoded).toContain("run says spicy");

    const image = await docker.images.inspect(TAG);
    expect(image.Id).toBe(id);
    expect(image.Config?.Labels).toMatchObject({ stage: "base", "org.example.stage": "e2e" });
    const listing = await contents(TAG);
    expect(listing).toContain("flavour=spicy\n");
    for (const kept of ["./app.sh", "./cache/keep.txt", "./lib/a-b.sh", "./lib/a/x.sh", "./lib/a.sh", "./big.bin", "./link"]) {
      expect(listing).toContain(`${kept}\n`);
    }
    for (const ignored of ["secret.env", "debug.log", "blob.bin", "extra-stage"]) expect(listing).not.toContain(ignored);
    expect(listing).toMatch(/link -> lib\/a\.sh/);
    // The context went through the session: every kept file, nothing ignored.
    expect(build.transfer?.bytes).toBeGreaterThanOrEqual(2 << 20);
    expect(build.transfer?.bytes).toBeLessThan((2 << 20) + 4096);
  });

  it.skipIf(diverges("session"))(`rebuilds sending only the file that changed${why("session")}`, { timeout: 120_000 }, async () => {
    await (await docker.images.build(options())).imageId();
    const unchanged = await docker.images.build(options());
    await unchanged.imageId();
    // Only the Dockerfile and .dockerignore are read again (they are asked for by name).
    expect(unchanged.transfer?.bytes).toBeLessThan(1024);

    await writeFile(join(context, "lib/a.sh"), "echo changed\n");
    const changed = await docker.images.build(options());
    await changed.imageId();
    expect(changed.transfer?.bytes).toBeLessThan(1024);
    expect(changed.transfer?.bytes).toBeGreaterThanOrEqual("echo changed\n".length);
    expect(await contents(TAG)).toContain("./lib/a.sh\n");
  });

  it.skipIf(diverges("session"))(`fails a broken RUN with BuildError${why("session")}`, { timeout: 120_000 }, async () => {
    const failure = await (await docker.images.build(options({ dockerfileContent: `FROM ${TEST_IMAGE}\nRUN echo before-failing && false\n`, target: undefined })))
      .imageId()
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(BuildError);
    expect((failure as Error).message).toMatch(/exit code: 1|returned a non-zero code: 1/);
  });

  it.skipIf(diverges("session"))(`builds a Dockerfile given as text, without a context directory${why("session")}`, { timeout: 120_000 }, async () => {
    const build = await docker.images.build({
      builder: "buildkit",
      dockerfileContent: `FROM ${TEST_IMAGE}\nRUN echo inline > /inline\nCMD ["cat", "/inline"]\n`,
      labels: { "dockhand.test": "buildkit-e2e" },
    });
    const id = await build.imageId();
    try {
      expect(await contents(id)).toBe("inline\n");
    } finally {
      await docker.images.remove(id, { force: true });
    }
  });

  it.skipIf(diverges("session"))(`builds a tar stream context, uploaded as the request body${why("session")}`, { timeout: 120_000 }, async () => {
    const { tarFs } = await import("../../src/build/tar.js");
    const dir = await mkdtemp(join(tmpdir(), "dockhand-e2e-buildkit-tar-"));
    try {
      await mkdir(join(dir, "sub"));
      await writeFile(join(dir, "sub", "Dockerfile.alt"), `FROM ${TEST_IMAGE}\nCOPY . /ctx/\nRUN cat /ctx/hello.txt > /seen\nCMD ["sh", "-c", "cat /seen && cd /ctx && find . | sort"]\n`);
      await writeFile(join(dir, "hello.txt"), "from the tar\n");
      await writeFile(join(dir, "skip.log"), "ignored\n");
      await writeFile(join(dir, ".dockerignore"), "*.log\n");
      const build = await docker.images.build({
        builder: "buildkit",
        context: (await tarFs()).pack(dir),
        dockerfile: "sub/Dockerfile.alt",
        labels: { "dockhand.test": "buildkit-e2e" },
      });
      const id = await build.imageId();
      try {
        // BuildKit applies no .dockerignore to an uploaded context (it filters local ones only).
        expect(await contents(id)).toBe("from the tar\n.\n./.dockerignore\n./hello.txt\n./skip.log\n./sub\n./sub/Dockerfile.alt\n");
        // Nothing went through the session's FileSync: the daemon read the body.
        expect(build.transfer?.entries).toBe(0);
      } finally {
        await docker.images.remove(id, { force: true });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("follows the daemon's default builder when none is named", { timeout: 120_000 }, async () => {
    const { builderVersion } = await docker.system.ping();
    const build = await docker.images.build({ ...options(), builder: undefined });
    await build.imageId();
    expect(build.transfer !== undefined).toBe(builderVersion === "2");
  });

  it("builds a tar stream context with the daemon's default builder when none is named", { timeout: 180_000 }, async () => {
    const { builderVersion } = await docker.system.ping();
    const buildKit = builderVersion === "2";
    const { tarFs } = await import("../../src/build/tar.js");
    const dir = await mkdtemp(join(tmpdir(), "dockhand-e2e-default-tar-"));
    const labels = { "dockhand.test": "buildkit-e2e" };
    try {
      await writeFile(join(dir, "Dockerfile"), `FROM ${TEST_IMAGE}\nCOPY hello.txt /hello.txt\nRUN echo "ran $(cat /hello.txt)" > /seen\nCMD ["cat", "/seen"]\n`);
      await writeFile(join(dir, "hello.txt"), `tar-${process.pid}`);
      const build = await docker.images.build({ context: (await tarFs()).pack(dir), labels, nocache: true });
      const kinds = new Set<string>();
      for await (const event of build.events()) kinds.add(event.type);
      const id = await build.imageId();
      try {
        expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(await contents(id)).toBe(`ran tar-${process.pid}\n`);
        // BuildKit reports steps; the classic builder its text.
        expect(kinds.has("vertex-completed")).toBe(buildKit);
        expect(kinds.has("output")).toBe(!buildKit);
        // The tar is the request body either way: nothing went through a session's FileSync.
        expect(build.transfer === undefined ? undefined : build.transfer.entries).toBe(buildKit ? 0 : undefined);
      } finally {
        await docker.images.remove(id, { force: true });
      }
      // A quiet build (q) answers the id alone, with either builder.
      const quiet = await docker.images.build({ context: (await tarFs()).pack(dir), labels, q: true });
      const quietId = await quiet.imageId();
      expect((await docker.images.inspect(quietId)).Id).toBe(quietId);
      await docker.images.remove(quietId, { force: true });
      // A limit only the classic builder applies picks it, on every engine.
      const limited = await docker.images.build({ context: (await tarFs()).pack(dir), labels, memory: 256 << 20 });
      const limitedKinds = new Set<string>();
      for await (const event of limited.events()) limitedKinds.add(event.type);
      expect([...limitedKinds]).toEqual(["output"]);
      await docker.images.remove(await limited.imageId(), { force: true });

      await writeFile(join(dir, "Dockerfile"), `FROM ${TEST_IMAGE}\nRUN echo before-failing-tar && false\n`);
      const failure = await (await docker.images.build({ context: (await tarFs()).pack(dir), labels }))
        .imageId()
        .catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(BuildError);
      const error = failure as BuildError;
      if (buildKit) {
        expect(error.step).toBe("[2/2] RUN echo before-failing-tar && false");
        expect(error.message).toMatch(/^\[2\/2\] RUN echo before-failing-tar && false: .*exit code: 1/);
      } else {
        expect(error.step).toBeUndefined();
        expect(error.message).toMatch(diverges("buildOutput") ? /exit status 1/ : /returned a non-zero code: 1/);
      }
      expect(error.output).toContain("before-failing-tar\n");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(diverges("session"))(`mounts secrets from a file, an environment variable and a value, never logging one${why("session")}`, { timeout: 120_000 }, async () => {
    const secretFile = join(context, "..", `dockhand-secret-${process.pid}`);
    await writeFile(secretFile, "from-a-file");
    process.env["DOCKHAND_E2E_SECRET"] = "from-the-env";
    const logged: string[] = [];
    const logging = new Docker({ host: engineHost(), logger: (entry) => logged.push(JSON.stringify(entry)) });
    try {
      const build = await logging.images.build({
        builder: "buildkit",
        dockerfileContent: [
          `FROM ${TEST_IMAGE}`,
          "RUN --mount=type=secret,id=file --mount=type=secret,id=env --mount=type=secret,id=value,target=/v \\",
          "    cat /run/secrets/file /run/secrets/env /v > /seen && ! test -e /run/secrets/value",
          'CMD ["cat", "/seen"]',
          "",
        ].join("\n"),
        secrets: { file: { file: secretFile }, env: { env: "DOCKHAND_E2E_SECRET" }, value: { value: "s3cr3t-VALUE" } },
        labels: { "dockhand.test": "buildkit-e2e" },
        nocache: true,
      });
      const id = await build.imageId();
      expect(await contents(id)).toBe("from-a-filefrom-the-envs3cr3t-VALUE");
      await docker.images.remove(id, { force: true });
      // A secret the Dockerfile requires but the build was not given fails the build by its id.
      const missing = await (
        await logging.images.build({
          builder: "buildkit",
          dockerfileContent: `FROM ${TEST_IMAGE}\nRUN --mount=type=secret,id=absent,required=true true\n`,
          secrets: { value: { value: "s3cr3t-VALUE" } },
        })
      )
        .imageId()
        .catch((err: unknown) => err);
      expect(missing).toBeInstanceOf(BuildError);
      expect(String((missing as Error).message)).toMatch(/absent/);
      expect(JSON.stringify(missing)).not.toContain("s3cr3t-VALUE");
      expect(logged.length).toBeGreaterThan(0);
      expect(logged.join("\n")).not.toMatch(/s3cr3t-VALUE|from-the-env|from-a-file/);
    } finally {
      await logging.close();
      await rm(secretFile, { force: true });
    }
  });

  it.skipIf(diverges("session"))(`keeps a RUN --mount=type=cache between builds${why("session")}`, { timeout: 120_000 }, async () => {
    const stamp = `stamp-${process.pid}-${Date.now()}`;
    const cached = (command: string) => `FROM ${TEST_IMAGE}\nRUN --mount=type=cache,id=dockhand-e2e-${process.pid},target=/cache ${command}\nCMD ["cat", "/seen"]\n`;
    const labels = { "dockhand.test": "buildkit-e2e" };
    await (await docker.images.build({ builder: "buildkit", dockerfileContent: cached(`echo ${stamp} > /cache/stamp`), labels })).imageId();
    const id = await (await docker.images.build({ builder: "buildkit", dockerfileContent: cached(`cp /cache/stamp /seen # ${stamp}`), labels })).imageId();
    try {
      expect(await contents(id)).toBe(`${stamp}\n`);
    } finally {
      await docker.images.remove(id, { force: true });
    }
  });

  it("runs heredocs where the daemon's Dockerfile frontend has them (BuildKit by default, engine 23+)", { timeout: 120_000 }, async (ctx) => {
    // Older builtin frontends need `# syntax=docker/dockerfile:1.4`, an image pull this offline test cannot make.
    if ((await docker.system.ping()).builderVersion !== "2") return ctx.skip();
    const dockerfile = `FROM ${TEST_IMAGE}\nRUN <<EOF\necho one > /heredoc\necho two >> /heredoc\nEOF\nCMD ["cat", "/heredoc"]\n`;
    const id = await (await docker.images.build({ builder: "buildkit", dockerfileContent: dockerfile, labels: { "dockhand.test": "buildkit-e2e" } })).imageId();
    try {
      expect(await contents(id)).toBe("one\ntwo\n");
    } finally {
      await docker.images.remove(id, { force: true });
    }
  });

  it("refuses a secret whose file or variable is missing before anything is sent, naming only the id", async () => {
    await expect(docker.images.build({ ...options(), secrets: { a: { file: "/nonexistent/dockhand" } } })).rejects.toThrow(
      /Build secret "a": cannot read \/nonexistent\/dockhand \(ENOENT\)/,
    );
    await expect(docker.images.build({ ...options(), secrets: { b: { env: "DOCKHAND_UNSET_VARIABLE" } } })).rejects.toThrow(
      /environment variable DOCKHAND_UNSET_VARIABLE is not set/,
    );
  });

  it.skipIf(diverges("session"))(`ends the build, its running step and the session on abort and on timeout, leaving no connection${why("session")}`, { timeout: 240_000 }, async () => {
    const before = handles();
    const own = new Docker({ host: engineHost() });
    // The step's shell stays alive while it sleeps, its command line naming the build.
    const slow = (marker: string) => ({ dockerfileContent: `FROM ${TEST_IMAGE}\nRUN sh -c 'sleep 60; echo ${marker}'\n`, target: undefined, nocache: true });
    for (const how of ["abort", "timeout"] as const) {
      const marker = `dockhand-${how}-${process.pid}-${Date.now()}`;
      const controller = new AbortController();
      const build = own.images
        .build(options(slow(marker)), how === "abort" ? { signal: controller.signal } : { timeout: 8000 })
        .then((b) => b.imageId());
      build.catch(() => {});
      // The engine runs on this machine: its build step is a process here.
      await expect.poll(() => running(marker), { timeout: 60_000, interval: 250 }).toBe(true);
      controller.abort();
      await expect(build).rejects.toBeInstanceOf(how === "abort" ? DockerAbortError : DockerTimeoutError);
      // POST /build/cancel stopped it: the step is gone long before its 60 s.
      await expect.poll(() => running(marker), { timeout: 15_000, interval: 250 }).toBe(false);
    }
    // Both engines also stop a build whose connection closed; images.cancelBuild stops one that
    // is still being read, by the id dockhand started it with.
    const marker = `dockhand-cancel-${process.pid}-${Date.now()}`;
    const reading = await own.images.build(options(slow(marker)));
    const outcome = reading.imageId().catch((err: unknown) => err);
    await expect.poll(() => running(marker), { timeout: 60_000, interval: 250 }).toBe(true);
    await own.images.cancelBuild(reading.buildId!);
    expect(await outcome).toBeInstanceOf(BuildError);
    expect(String(await outcome)).toMatch(/cancel/i);
    await expect.poll(() => running(marker), { timeout: 15_000, interval: 250 }).toBe(false);
    // The daemon is free for the next build.
    const next = await own.images.build({ builder: "buildkit", dockerfileContent: `FROM ${TEST_IMAGE}\nRUN echo next-${Date.now()}\n` }, { timeout: 60_000 });
    const id = await next.imageId();
    await docker.images.remove(id, { force: true });
    await own.close();
    await expect.poll(handles, { timeout: 10_000 }).toBeLessThanOrEqual(before);
  });

  it.skipIf(diverges("session"))(`fails a build whose export cannot be written with BuildError caused by the client's failure${why("session")}`, { timeout: 240_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "dockhand-e2e-buildkit-out-fail-"));
    const dockerfileContent = `FROM ${TEST_IMAGE} AS build\nRUN mkdir /out && echo hello > /out/hello.txt\nFROM scratch\nCOPY --from=build /out /\n`;
    const failure = (outputs: BuildParams["outputs"]) =>
      docker.images
        .build({ builder: "buildkit", dockerfileContent, outputs, labels: { "dockhand.test": "buildkit-e2e" } })
        .then((b) => b.done())
        .then(
          () => expect.unreachable("the export should have failed"),
          (err: unknown) => err as BuildError,
        );
    try {
      await writeFile(join(dir, "file"), "a file, not a directory\n");
      // A local dest whose parent is a file: the extraction's own error, with the system error under it.
      const notADirectory = await failure([{ type: "local", dest: join(dir, "file", "out") }]);
      expect(notADirectory).toBeInstanceOf(BuildError);
      expect(notADirectory.cause).toBeInstanceOf(ArchiveExtractError);
      expect(notADirectory.cause).toMatchObject({ reason: "filesystem", directory: join(dir, "file", "out"), written: [] });
      expect(((notADirectory.cause as Error).cause as NodeJS.ErrnoException).code).toBe("ENOTDIR");
      expect(notADirectory.message).toContain("could not create the directory");
      // An entry the extraction refuses: a directory where the export has a file.
      await mkdir(join(dir, "taken", "hello.txt"), { recursive: true });
      const conflict = await failure([{ type: "local", dest: join(dir, "taken") }]);
      expect(conflict).toBeInstanceOf(BuildError);
      expect(conflict.cause).toMatchObject({ reason: "conflict", entry: "hello.txt" });
      expect(conflict.cause).toBeInstanceOf(ArchiveExtractError);
      // A tar dest that cannot be created, and a stream that fails as a full disk would.
      const tarFile = await failure([{ type: "tar", dest: join(dir, "file", "out.tar") }]);
      expect(tarFile).toBeInstanceOf(BuildError);
      expect((tarFile.cause as NodeJS.ErrnoException).code).toBe("ENOTDIR");
      const full = Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
      const sink = new Writable({ write: (_chunk, _enc, done) => done(full) });
      const tarStream = await failure([{ type: "tar", dest: sink }]);
      expect(tarStream).toBeInstanceOf(BuildError);
      expect(tarStream.cause).toBe(full);
      expect(sink.destroyed).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(buildx === undefined || diverges("session"))("exports to a directory and to a tar as docker buildx build --output does", { timeout: 240_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "dockhand-e2e-buildkit-out-"));
    try {
      const ctx = join(dir, "ctx");
      await mkdir(ctx);
      await writeFile(
        join(ctx, "Dockerfile"),
        [
          `FROM ${TEST_IMAGE} AS build`,
          "RUN mkdir -p /out/sub/deep && echo hello > /out/hello.txt && ln -s hello.txt /out/link && ln -s /etc/passwd /out/abs-link \\",
          "    && ln /out/hello.txt /out/hard && seq 1 400000 > /out/big.txt && printf x > /out/sub/deep/x && chmod 0750 /out/sub \\",
          "    && printf '#!/bin/sh\\n' > /out/tool && chmod 4755 /out/tool && mkfifo /out/pipe && touch -t 200102030405.06 /out/hello.txt",
          "",
        ].join("\n"),
      );
      const env = { ...process.env, DOCKER_HOST: engineHost() };
      const build = (outputs: BuildParams["outputs"]) =>
        docker.images.build({ context: ctx, target: "build", outputs, labels: { "dockhand.test": "buildkit-e2e" } }).then((b) => b.done());
      const oracle = (output: string) => run(buildx!, ["build", "--target", "build", "--output", output, ctx], { env });

      await build([{ type: "local", dest: join(dir, "ours") }]);
      await oracle(`type=local,dest=${join(dir, "theirs")}`);
      const [ours, theirs] = await Promise.all([describeTree(join(dir, "ours")), describeTree(join(dir, "theirs"))]);
      expect(ours.get("out/tool")).toMatchObject({ type: "file", mode: 0o4755 });
      expect(ours.get("out/link")).toMatchObject({ type: "symlink", target: "hello.txt" });
      expect(ours.get("out/pipe")).toMatchObject({ type: "fifo" });
      expect(ours.get("out/hard")?.links).toBe("out/hard out/hello.txt");
      expect(ours.size).toBeGreaterThan(40); // the whole stage: busybox:local's tree and /out
      expect(Object.fromEntries(ours)).toEqual(Object.fromEntries(theirs));

      // A tar to a file, and the same archive to a stream.
      await build([{ type: "tar", dest: join(dir, "ours.tar") }]);
      const chunks: Buffer[] = [];
      const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (chunks.push(chunk), done()) });
      await build([{ type: "tar", dest: sink }]);
      await oracle(`type=tar,dest=${join(dir, "theirs.tar")}`);
      const [ourTar, theirTar] = await Promise.all([readFile(join(dir, "ours.tar")), readFile(join(dir, "theirs.tar"))]);
      expect(ourTar.length).toBeGreaterThan(1 << 20);
      expect(ourTar.equals(theirTar)).toBe(true);
      expect(Buffer.concat(chunks).equals(theirTar)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(buildx === undefined || diverges("session"))("builds what docker buildx builds from the same Dockerfile", { timeout: 180_000 }, async () => {
    await (await docker.images.build(options())).imageId();
    await run(
      buildx!,
      ["build", "--load", "-t", ORACLE_TAG, "--target", "base", "--build-arg", "FLAVOUR=spicy", "--label", "org.example.stage=e2e", "--label", "dockhand.test=buildkit-e2e", context],
      { env: { ...process.env, DOCKER_HOST: engineHost() } },
    );
    const [ours, theirs] = await Promise.all([docker.images.inspect(TAG), docker.images.inspect(ORACLE_TAG)]);
    expect(ours.Config?.Labels).toEqual(theirs.Config?.Labels);
    expect(ours.Config?.Cmd).toEqual(theirs.Config?.Cmd);
    expect(ours.Config?.Env).toEqual(theirs.Config?.Env);
    expect(await contents(TAG)).toBe(await contents(ORACLE_TAG));
  });
});
