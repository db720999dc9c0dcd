/**
 * Build an image with BuildKit and print its progress the way `docker build --progress=plain` does,
 * from dockhand's typed build events.
 *
 *   DOCKER_HOST=unix:///var/run/docker.sock npx tsx examples/build-progress.ts          # a small demo build
 *   DOCKER_HOST=… npx tsx examples/build-progress.ts ./my-app                           # your own context
 *   DOCKER_HOST=… npx tsx examples/build-progress.ts --fail                             # a failing RUN
 *
 * The demo Dockerfile starts FROM $IMAGE (default busybox:local), so nothing is pulled.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { BuildError, Docker, type BuildEvent } from "../src/index.js";

const arg = process.argv[2];
const fail = arg === "--fail";
let context = arg && !fail ? arg : undefined;
let demo: string | undefined;
if (!context) {
  demo = context = await mkdtemp(path.join(tmpdir(), "dockhand-build-"));
  const base = process.env["IMAGE"] ?? "busybox:local";
  await writeFile(path.join(demo, "message.txt"), "hello from the build context\n");
  await writeFile(
    path.join(demo, "Dockerfile"),
    [
      `FROM ${base}`,
      "COPY message.txt /message.txt",
      "RUN cat /message.txt && echo 'a line on stderr' >&2",
      fail ? "RUN echo 'about to fail' && exit 3" : `RUN echo built at ${Date.now()}`,
      "",
    ].join("\n"),
  );
}

/** Prints events as `#N …` lines, like buildx's plain progress. */
class PlainProgress {
  readonly #started = new Map<number, number>();
  readonly #shown = new Set<number>();
  readonly #warnings: string[] = [];

  print(event: BuildEvent): void {
    if (event.type === "output") return void process.stdout.write(event.text);
    if (event.type === "warning") return void this.#warnings.push(event.message);
    const n = event.index;
    if (!this.#shown.has(n)) {
      this.#shown.add(n);
      console.log(`\n#${n} ${event.name}`);
    }
    switch (event.type) {
      case "vertex-started":
        this.#started.set(n, event.started.getTime());
        break;
      case "vertex-cached":
        console.log(`#${n} CACHED`);
        break;
      case "vertex-completed":
        console.log(`#${n} DONE ${this.#seconds(n, event.completed)}`);
        break;
      case "vertex-error":
        console.log(`#${n} ERROR: ${event.error}`);
        break;
      case "log":
        for (const line of event.text.split("\n").filter(Boolean)) console.log(`#${n} ${this.#seconds(n, event.time, 3)} ${line}`);
        break;
      case "status": {
        const unit = event.id.startsWith("transferring") ? "B" : "";
        const amount = event.total ? ` ${event.current}${unit}/${event.total}${unit}` : event.current ? ` ${event.current}${unit}` : "";
        if (event.completed) console.log(`#${n} ${event.id}${amount} ${this.#seconds(n, event.completed)} done`);
        break;
      }
    }
  }

  finish(): void {
    if (this.#warnings.length === 0) return;
    console.log(`\n${this.#warnings.length} warning(s) found:`);
    for (const warning of this.#warnings) console.log(` - ${warning}`);
  }

  /** Time since the step started, in seconds. */
  #seconds(n: number, at: Date, digits = 1): string {
    const started = this.#started.get(n) ?? at.getTime();
    return `${((at.getTime() - started) / 1000).toFixed(digits)}${digits === 1 ? "s" : ""}`;
  }
}

const docker = Docker.fromEnv();
const progress = new PlainProgress();
try {
  // BuildKit through a session: the daemon fetches the context file by file, like `docker buildx build`.
  const build = await docker.images.build({ context, builder: "buildkit", tags: ["dockhand-example/build-progress:latest"] });
  for await (const event of build.events()) progress.print(event);
  progress.finish();
  console.log(`\nbuilt ${await build.imageId()}`);
} catch (error) {
  progress.finish();
  if (!(error instanceof BuildError)) throw error;
  console.error(`\nERROR: failed to build: ${error.message}`);
  if (error.output) console.error(`------\n > ${error.step ?? "output"}:\n${error.output.trimEnd()}\n------`);
  process.exitCode = 1;
} finally {
  if (demo) await rm(demo, { recursive: true, force: true });
  await docker.close();
}
