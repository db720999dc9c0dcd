import { createHash } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, stat, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { gunzipSync } from "node:zlib";
import dockerignore from "@balena/dockerignore";
import type { HttpHandler } from "msw";
import { DOCKERIGNORE, parseDockerignore } from "../../build/dockerignore.js";
import { tarFs } from "../../build/tar.js";
import type { MockContainer } from "../container.js";
import {
  applyMetadata,
  BuildArgs,
  type Dockerfile,
  expand,
  expandWords,
  type Instruction,
  jsonArray,
  normalize,
  parseDockerfile,
  shellOf,
  type StageConfig,
  stageVars,
  type Stage,
  stagesUpTo,
} from "../dockerfile.js";
import { endpoint } from "../endpoint.js";
import { shortId } from "../ids.js";
import type { MockImage } from "../image.js";
import { liveStream } from "../live.js";
import { boolParam } from "../params.js";
import { familiar, parseRef } from "../refs.js";
import { DaemonError } from "../reply.js";
import type { MockState } from "../state.js";
import { pullStatus, pullWithProgress, type ProgressLine } from "./pull.js";
import type { DaemonSettings } from "./settings.js";

/** What the mock answers BuildKit with: it only implements the classic builder. */
const CLASSIC_ONLY = 'the mock daemon builds with the classic builder only (pass builder: "classic")';

/**
 * `POST /build` with the classic builder (API `version=1`), as dockerd 20.10 runs it: the tar
 * context (gzip too) is unpacked, the Dockerfile interpreted step by step with the daemon's
 * output, `RUN` executed by the mock's shell in an intermediate container, and every step
 * committed as an image. BuildKit (`POST /session`, `version=2`) answers 501.
 */
export function buildHandlers(state: MockState, settings: DaemonSettings): HttpHandler[] {
  return [
    endpoint.post("/session", () => {
      throw new DaemonError(501, CLASSIC_ONLY);
    }),
    endpoint.post("/build", async ({ request, query }) => {
      if (query.get("version") === "2") throw new DaemonError(501, CLASSIC_ONLY);
      if (query.get("remote")) throw new DaemonError(501, "the mock daemon builds from an uploaded context only, not from remote");
      const tags = query.getAll("t").map((tag) => {
        const ref = parseRef(tag);
        if (!ref || ref.digest) throw new DaemonError(400, `invalid reference format: repository name (${tag}) must be lowercase`);
        return familiar(ref);
      });
      const context = await mkdtemp(join(tmpdir(), "dockhand-mock-build-"));
      try {
        await unpack(request, context);
        const name = query.get("dockerfile") || "Dockerfile";
        const dockerfile = parseDockerfile(await readDockerfile(context, name));
        const stages = stagesUpTo(dockerfile, query.get("target") ?? undefined);
        const build = new ClassicBuild(state, query, context, dockerfile, stages, tags);
        const body = liveStream(settings.closing, (sink) => {
          void build
            .run((message) => sink.push(goJson(message)))
            .finally(() => {
              sink.close();
              void rm(context, { recursive: true, force: true });
            });
          return () => build.cancel();
        });
        return new Response(body, { headers: { "Content-Type": "application/json" } });
      } catch (error) {
        await rm(context, { recursive: true, force: true });
        throw error;
      }
    }),
  ];
}

/** Unpacks the request's tar (plain or gzip) into `dir` with tar-fs, as the daemon unpacks a context. */
async function unpack(request: Request, dir: string): Promise<void> {
  let archive = Buffer.from(await request.arrayBuffer());
  if (archive.byteLength === 0) return;
  if (archive[0] === 0x1f && archive[1] === 0x8b) archive = gunzipSync(archive);
  const { extract } = await tarFs();
  try {
    await pipeline(Readable.from([archive]), extract(dir, { umask: 0o022 }));
  } catch (error) {
    throw new DaemonError(500, `Error processing tar file(${(error as Error).message})`);
  }
}

/**
 * Reads the Dockerfile, then hides it and `.dockerignore` from `COPY` when `.dockerignore` lists
 * them, as the daemon does (the client sends them anyway, since the daemon needs them).
 */
async function readDockerfile(context: string, name: string): Promise<string> {
  const path = join(context, normalize(name));
  const text = await readFile(path, "utf8").catch(() => {
    throw new DaemonError(500, `Cannot locate specified Dockerfile: ${name}`);
  });
  const ignore = await readFile(join(context, DOCKERIGNORE), "utf8").catch(() => undefined);
  if (ignore !== undefined) {
    const matcher = dockerignore.default({ ignorecase: false }).add(parseDockerignore(ignore));
    for (const file of [normalize(name).slice(1), DOCKERIGNORE]) {
      if (matcher.ignores(file)) await unlink(join(context, file)).catch(() => undefined);
    }
  }
  return text;
}

/** JSON the way Go's encoder writes it (`<`, `>`, `&` escaped), one message per CRLF-ended line. */
function goJson(message: object): string {
  const text = JSON.stringify(message).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `${text}\r\n`;
}

/** A step that failed: the build's error line, with the exit code for a failed `RUN`. */
class StepFailure extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

/** What the build knows of a finished stage, for `FROM stage` and `COPY --from=stage`. */
interface StageResult {
  name: string | undefined;
  image: MockImage | undefined;
}

type Send = (message: ProgressLine & { stream?: string; aux?: object }) => void;

/** One classic build: the stages to run, its options, and where it is. */
class ClassicBuild {
  readonly #args: BuildArgs;
  readonly #labels: Array<[string, string]>;
  readonly #quiet: boolean;
  readonly #rm: boolean;
  readonly #forceRm: boolean;
  readonly #noCache: boolean;
  readonly #pull: boolean;
  readonly #total: number;
  #step = 0;
  #send: Send = () => undefined;
  /** The step's container while it exists, killed when the client goes away. */
  #container: MockContainer | undefined;
  #cancelled = false;

  constructor(
    private readonly state: MockState,
    query: URLSearchParams,
    private readonly context: string,
    private readonly file: Dockerfile,
    private readonly stages: Stage[],
    private readonly tags: string[],
  ) {
    this.#args = new BuildArgs(jsonParam<Record<string, string | null>>(query, "buildargs"));
    this.#labels = Object.entries(jsonParam<Record<string, string>>(query, "labels")).sort(([a], [b]) => (a < b ? -1 : 1));
    this.#quiet = boolParam(query, "q");
    // The API's default for rm is true.
    this.#rm = !query.has("rm") || boolParam(query, "rm");
    this.#forceRm = boolParam(query, "forcerm");
    this.#noCache = boolParam(query, "nocache");
    this.#pull = boolParam(query, "pull");
    // Label options become steps of the last stage built, one per label.
    this.#total = file.metaArgs.length + stages.reduce((sum, stage) => sum + 1 + stage.instructions.length, 0) + this.#labels.length;
  }

  /** The client went away: stop the step that runs. */
  cancel(): void {
    this.#cancelled = true;
    this.#container?.dispose();
  }

  /** Runs the build, writing the daemon's messages; a failed step ends it with an error line. */
  async run(send: Send): Promise<void> {
    this.#send = send;
    try {
      const meta = new Map<string, string>();
      for (const item of this.file.metaArgs) {
        this.#header(item.original);
        const [name, value] = this.#declare(item, meta);
        if (value !== undefined) meta.set(name, value);
      }
      const results: StageResult[] = [];
      for (const [index, stage] of this.stages.entries()) {
        const image = await this.#stage(stage, meta, results, index === this.stages.length - 1);
        results.push({ name: stage.name, image });
        if (!image) throw new StepFailure("No image was generated. Is your Dockerfile empty?");
        if (this.#quiet) continue;
        send({ aux: { ID: image.id } });
      }
      const image = results.at(-1)!.image!;
      const unused = this.#args.unused();
      if (unused.length > 0) this.#stream(`[Warning] One or more build-args [${unused.join(" ")}] were not consumed\n`);
      this.#stream(`Successfully built ${shortId(image.id)}\n`);
      for (const tag of this.tags) {
        this.state.tagImage(image, tag);
        this.#stream(`Successfully tagged ${tag}\n`);
      }
      if (this.#quiet) send({ stream: `${image.id}\n` });
    } catch (error) {
      if (this.#cancelled) return;
      if (!(error instanceof StepFailure || error instanceof DaemonError)) throw error;
      const code = error instanceof StepFailure ? error.code : undefined;
      send({ errorDetail: { ...(code === undefined ? {} : { code }), message: error.message }, error: error.message });
    }
  }

  /** Runs one stage and returns its image (undefined only for a bare `FROM scratch`). */
  async #stage(stage: Stage, meta: ReadonlyMap<string, string>, results: StageResult[], last: boolean): Promise<MockImage | undefined> {
    this.#header(stage.from.original);
    let image = await this.#base(expand(stage.from.args.trim().split(/\s+/)[0]!, meta), results);
    this.#stream(` ---> ${image ? shortId(image.id) : ""}\n`);
    const config: StageConfig = {
      Cmd: image?.config.Cmd ?? null,
      Entrypoint: image?.config.Entrypoint ?? null,
      Env: [...(image?.config.Env ?? [])],
      WorkingDir: image?.config.WorkingDir ?? "",
      User: image?.config.User ?? "",
      Labels: { ...(image?.labels ?? {}) },
      ExposedPorts: { ...(image?.config.ExposedPorts ?? {}) },
      Volumes: { ...(image?.config.Volumes ?? {}) },
      StopSignal: image?.config.StopSignal,
      Shell: image?.config.Shell,
      cmdSet: false,
    };
    const args = new Map<string, string>();
    const steps: Array<Instruction | [string, string]> = [...stage.instructions, ...(last ? this.#labels : [])];
    for (const item of steps) {
      if (this.#cancelled) return image;
      if (Array.isArray(item)) {
        const [key, value] = item;
        this.#header(`LABEL ${key}=${value}`);
        config.Labels[key] = value;
        image = await this.#commitMetadata(image, config, `/bin/sh -c #(nop)  LABEL ${key}=${value}`);
        continue;
      }
      this.#header(item.original);
      const vars = stageVars(config, args);
      if (item.keyword === "ARG") {
        const [name, value] = this.#declare(item, vars, meta);
        if (value !== undefined) args.set(name, value);
        else args.delete(name);
        image = await this.#commitMetadata(image, config, `/bin/sh -c #(nop)  ARG ${item.args.trim()}`);
      } else if (item.keyword === "RUN") image = await this.#run(item, image, config, args);
      else if (item.keyword === "COPY" || item.keyword === "ADD") image = await this.#copy(item, image, config, vars, results);
      else image = await this.#commitMetadata(image, config, applyMetadata(item, config, vars, this.file.escape));
    }
    return image;
  }

  /** `ARG NAME[=default]`: its value, from the build args or the default (expanded with `vars`). */
  #declare(item: Instruction, vars: ReadonlyMap<string, string>, meta?: ReadonlyMap<string, string>): [string, string | undefined] {
    const word = item.args.trim();
    const eq = word.indexOf("=");
    const name = eq < 0 ? word : word.slice(0, eq);
    // A stage's `ARG NAME` without default takes the value of a same-named `ARG` before `FROM`.
    const fallback = eq < 0 ? meta?.get(name) : expand(word.slice(eq + 1), vars, this.file.escape);
    return [name, this.#args.declare(name, fallback)];
  }

  /** The base of `FROM`: scratch, an earlier stage, a local image, or one pulled from the registry. */
  async #base(name: string, results: StageResult[]): Promise<MockImage | undefined> {
    if (name === "scratch") return undefined;
    const stage = results.find((result) => result.name === name.toLowerCase());
    if (stage) return stage.image;
    const local = this.#pull ? undefined : this.state.findImage(name);
    return local ?? this.#pullImage(name);
  }

  /** Pulls `name` with the pull's progress lines in the build output, as the classic builder does. */
  #pullImage(name: string): MockImage {
    const ref = parseRef(name);
    if (!ref) throw new StepFailure(`invalid reference format: repository name (${name}) must be lowercase`);
    const outcome = pullWithProgress(this.state, (message) => this.#progress(message), ref, familiar(ref));
    if ("error" in outcome) throw new StepFailure(outcome.error);
    this.#progress(pullStatus(outcome.fresh, familiar(ref)));
    return outcome.image;
  }

  /**
   * A step that only changes the config: the daemon commits it through a container made for the
   * step (created and, with `rm`, removed again) unless the cache has it.
   */
  async #commitMetadata(image: MockImage | undefined, config: StageConfig, createdBy: string): Promise<MockImage> {
    const cached = this.#cached(image, createdBy);
    if (cached) return cached;
    // The daemon's step command: history joins it with spaces, hence the double space after `#(nop)`.
    const nop = "/bin/sh -c #(nop)  ";
    const cmd = createdBy.startsWith(nop) ? ["/bin/sh", "-c", "#(nop) ", createdBy.slice(nop.length)] : ["/bin/sh", "-c", createdBy.slice("/bin/sh -c ".length)];
    const container = image && this.#createContainer(image, config, cmd);
    if (container) this.#stream(` ---> Running in ${shortId(container.id)}\n`);
    const committed = this.#commit(image, config, createdBy);
    if (container) await this.#removeContainer(container, this.#rm);
    this.#stream(` ---> ${shortId(committed.id)}\n`);
    return committed;
  }

  /** `RUN`: the command runs in a container of the current image; its output is the step's. */
  async #run(item: Instruction, image: MockImage | undefined, config: StageConfig, args: ReadonlyMap<string, string>): Promise<MockImage | undefined> {
    const [flag] = item.flags.keys();
    if (flag !== undefined) throw buildKitOnly(flag);
    const argv = jsonArray(item.args) ?? [...shellOf(config), item.args];
    const declared = [...args].filter(([name]) => !config.Env.some((entry) => entry.startsWith(`${name}=`)));
    const pairs = declared.map(([name, value]) => `${name}=${value}`);
    const createdBy = pairs.length > 0 ? `|${pairs.length} ${pairs.join(" ")} ${argv.join(" ")}` : argv.join(" ");
    const cached = this.#cached(image, createdBy);
    if (cached) return cached;
    if (!image) {
      throw new StepFailure(`failed to create shim: OCI runtime create failed: runc create failed: unable to start container process: exec: "${argv[0]}": stat ${argv[0]}: no such file or directory: unknown`);
    }
    const env = [...this.#args.builtins().map(([name, value]) => `${name}=${value}`), ...pairs, ...config.Env];
    const container = this.#createContainer(image, { ...config, Env: env }, argv);
    this.#stream(` ---> Running in ${shortId(container.id)}\n`);
    const decoders = { 1: new TextDecoder(), 2: new TextDecoder() };
    const exited = new Promise<number>((resolve) => {
      container.watch({
        output: (stream, chunk) => {
          const text = decoders[stream].decode(chunk, { stream: true });
          // The daemon colours the step's stderr red.
          if (text !== "") this.#stream(stream === 2 ? `\u001b[91m${text}\u001b[0m` : text);
        },
        exit: resolve,
        removed: () => resolve(-1),
      });
    });
    this.state.events.emit("container", "attach", container.id, container.attributes());
    container.start();
    const code = await exited;
    if (this.#cancelled) {
      await this.state.removeContainer(container, { force: true });
      return image;
    }
    if (code !== 0) {
      await this.#removeContainer(container, this.#forceRm);
      throw new StepFailure(`The command '${argv.join(" ")}' returned a non-zero code: ${code}`, code);
    }
    const committed = this.#commit(image, config, createdBy, 0);
    await this.#removeContainer(container, this.#rm);
    this.#stream(` ---> ${shortId(committed.id)}\n`);
    return committed;
  }

  /** `COPY`/`ADD`: the sources must be in the context (or come from a stage or image with `--from`). */
  async #copy(item: Instruction, image: MockImage | undefined, config: StageConfig, vars: ReadonlyMap<string, string>, results: StageResult[]): Promise<MockImage> {
    if (item.flags.has("chmod")) throw buildKitOnly("chmod");
    const words = jsonArray(item.args)?.map((word) => expand(word, vars, this.file.escape)) ?? expandWords(item.args, vars, this.file.escape);
    const sources = words.slice(0, -1);
    const dest = words.at(-1)!;
    const from = item.flags.get("from");
    const hash = createHash("sha256");
    let size = 0;
    let directory = false;
    if (from !== undefined) {
      const stage = results.find((result, index) => result.name === from.toLowerCase() || String(index) === from);
      if (!stage) {
        try {
          this.state.findImage(from) ?? this.#pullImage(from);
        } catch (error) {
          throw new StepFailure(`invalid from flag value ${from}: ${(error as Error).message}`);
        }
      }
      hash.update(`${from}\0${sources.join("\0")}`);
    } else {
      for (const source of sources) {
        const added = await this.#addSource(item.keyword, source, hash);
        size += added.size;
        directory = added.directory;
      }
    }
    const kind = sources.length > 1 ? "multi" : directory ? "dir" : "file";
    const createdBy = `/bin/sh -c #(nop) ${item.keyword} ${kind}:${hash.digest("hex")} in ${dest} `;
    const cached = this.#cached(image, createdBy);
    if (cached) return cached;
    const committed = this.#commit(image, config, createdBy, size);
    this.#stream(` ---> ${shortId(committed.id)}\n`);
    return committed;
  }

  /** Checks one `COPY` source in the context; adds its content to `hash` and says how big it is and whether a directory. */
  async #addSource(keyword: string, source: string, hash: ReturnType<typeof createHash>): Promise<{ size: number; directory: boolean }> {
    if (/^https?:\/\//.test(source)) {
      if (keyword === "ADD") throw new StepFailure(`the mock daemon cannot download ADD sources: ${source}`);
      throw new StepFailure(`${keyword} failed: source can't be a URL for COPY`);
    }
    // Relative to the context's root, which a leading `/` names too; `..` may not leave it.
    const relative = posix.relative("/", posix.join("/", posix.normalize(`./${source}`)));
    if (/^\.\.(\/|$)/.test(posix.normalize(`./${source}`))) {
      throw new StepFailure(`${keyword} failed: forbidden path outside the build context: ${source} ()`);
    }
    const path = join(this.context, relative);
    if (/[*?[]/.test(source)) {
      const pattern = globPattern(relative);
      const matches = (await walk(this.context)).filter((file) => pattern.test(file));
      if (matches.length === 0) throw new StepFailure(`${keyword} failed: no source files were specified`);
      let size = 0;
      for (const match of matches) size += await this.#hashFile(join(this.context, match), hash);
      return { size, directory: false };
    }
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new StepFailure(`${keyword} failed: file not found in build context or excluded by .dockerignore: stat ${source}: file does not exist`);
    if (!info.isDirectory()) return { size: await this.#hashFile(path, hash), directory: false };
    let size = 0;
    for (const file of await walk(path)) size += await this.#hashFile(join(path, file), hash);
    return { size, directory: true };
  }

  async #hashFile(path: string, hash: ReturnType<typeof createHash>): Promise<number> {
    const content = await readFile(path).catch(() => Buffer.alloc(0));
    hash.update(path.slice(this.context.length)).update(content);
    return content.byteLength;
  }

  /** The image an earlier build made from `image` with the same step, unless `nocache`. */
  #cached(image: MockImage | undefined, createdBy: string): MockImage | undefined {
    if (this.#noCache || !image) return undefined;
    const hit = this.state.childrenOf(image).find((child) => child.createdBy === createdBy);
    if (hit) {
      this.#stream(" ---> Using cache\n");
      this.#stream(` ---> ${shortId(hit.id)}\n`);
    }
    return hit;
  }

  #commit(image: MockImage | undefined, config: StageConfig, createdBy: string, layerSize?: number): MockImage {
    const { Labels, ExposedPorts, Volumes, StopSignal, Shell, cmdSet: _cmdSet, ...rest } = config;
    // Only what the Dockerfile set appears in the image's config, as with the daemon.
    const set = { ExposedPorts, Volumes, StopSignal, Shell };
    return this.state.commitImage(image, {
      config: { ...rest, ...Object.fromEntries(Object.entries(set).filter(([, value]) => value !== undefined && Object.keys(value).length > 0)) },
      labels: Labels,
      createdBy,
      ...(layerSize === undefined ? {} : { layerSize }),
    });
  }

  #createContainer(image: MockImage, config: StageConfig, cmd: string[]): MockContainer {
    this.#container = this.state.createContainer({ Image: image.id, Cmd: cmd, Entrypoint: [], Env: config.Env, WorkingDir: config.WorkingDir, User: config.User });
    return this.#container;
  }

  async #removeContainer(container: MockContainer, remove: boolean): Promise<void> {
    this.#container = undefined;
    if (!remove) return;
    this.#stream(`Removing intermediate container ${shortId(container.id)}\n`);
    await this.state.removeContainer(container, { force: true });
  }

  /** `Step n/m : INSTRUCTION`, then the line end as a message of its own, as the daemon sends it. */
  #header(original: string): void {
    this.#step++;
    this.#stream(`Step ${this.#step}/${this.#total} : ${original}`);
    this.#stream("\n");
  }

  #stream(text: string): void {
    if (!this.#quiet && text !== "") this.#send({ stream: text });
  }

  #progress(message: ProgressLine): void {
    if (!this.#quiet) this.#send(message);
  }
}

/** Flags the classic builder parses but leaves to BuildKit. */
function buildKitOnly(flag: string): StepFailure {
  return new StepFailure(`the --${flag} option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled`);
}

/** A JSON-object query parameter (`buildargs`, `labels`); absent is empty, garbage a 400. */
function jsonParam<T extends object>(query: URLSearchParams, name: string): T {
  const text = query.get(name);
  if (!text) return {} as T;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as T;
  } catch {
    // Reported below.
  }
  throw new DaemonError(400, `invalid ${name} value: ${text}`);
}

/** Every file under `dir`, relative and `/`-separated, sorted. */
async function walk(dir: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await walk(dir, name)));
    else files.push(name);
  }
  return files.sort();
}

/** Go's `filepath.Match` pattern as a regular expression (`*` and `?` stop at `/`). */
function globPattern(glob: string): RegExp {
  const source = glob.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]");
  return new RegExp(`^${source}$`);
}
