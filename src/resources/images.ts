import type { AttestationStatement, BuildPruneResponse, IDResponse, ImageDeleteResponseItem, ImageHistoryResponseItem, ImageInspect, ImagePruneResponse, ImageSearchResponseItem, ImageSummary } from "../../generated/schemas.js";
import type { PackedContext } from "../build/context.js";
import { type Builder, type BuildOptions, type BuildParams, buildKitOnlyOptions, buildQuery, checkBuilder, classicOnlyOptions } from "../build/options.js";
import { type ByteSource, byteSource, PackedUpload } from "../build/source.js";
import { BuildStream } from "../build/stream.js";
import { DockerArgumentError, type RequestFacts } from "../core/errors.js";
import type { PingInfo } from "../core/negotiate.js";
import type { JsonBody, QueryParams, RequestOptions } from "../core/types.js";
import type { RequestBody } from "../transport/types.js";
import type { ProgressMessage } from "../streams/progress.js";
import type { JsonStream } from "../streams/jsonlines.js";
import { type AuthOptions, buildAuthHeaders, registryAuthHeaders } from "./registry-auth.js";
import { parseReference } from "../auth/reference.js";
import { Resource } from "./resource.js";

/**
 * The image operations of the API: pull, push, inspect, tag, save/load, commit, remove
 * ({@link Images} adds the workflows built on them).
 *
 * @example
 * ```ts
 * await docker.images.pull("busybox:latest");
 * const images = await docker.images.list({ filters: { reference: ["busybox"] } });
 * ```
 */
export class ImageOperations extends Resource {
  /** Lists images. */
  list(query?: QueryParams<"ImageList">, options?: RequestOptions): Promise<ImageSummary[]> {
    return this.core.call("ImageList", { query }, options);
  }

  /** Returns low-level information about an image. */
  inspect(name: string, query?: QueryParams<"ImageInspect">, options?: RequestOptions): Promise<ImageInspect> {
    return this.core.call("ImageInspect", { path: { name }, query }, options);
  }

  /** Returns an image's layers and the commands that made them. */
  history(name: string, query?: QueryParams<"ImageHistory">, options?: RequestOptions): Promise<ImageHistoryResponseItem[]> {
    return this.core.call("ImageHistory", { path: { name }, query }, options);
  }

  /** Lists attestations (SBOM, provenance) attached to an image. */
  attestations(name: string, query?: QueryParams<"ImageAttestations">, options?: RequestOptions): Promise<AttestationStatement[]> {
    return this.core.call("ImageAttestations", { path: { name }, query }, options);
  }

  /**
   * Pulls (`fromImage`) or imports (`fromSrc`) an image and streams progress messages. An error
   * reported inside the stream (e.g. manifest unknown) is thrown by the iterator.
   * @example
   * ```ts
   * for await (const msg of await docker.images.create({ fromImage: "busybox", tag: "latest" })) console.log(msg.status);
   * ```
   */
  async create(query: QueryParams<"ImageCreate">, options?: RequestOptions & AuthOptions): Promise<JsonStream<ProgressMessage>> {
    return this.#create(query, undefined, options);
  }

  /**
   * Pulls an image and resolves once it is complete; rejects with the daemon's error otherwise.
   * @example `await docker.images.pull("registry.example.com/team/app:1.2", { platform: "linux/arm64" }, { auth })`
   */
  async pull(reference: string, query?: PullQuery, options?: RequestOptions & AuthOptions): Promise<void> {
    // Without a tag the daemon pulls every tag of the repository; like the CLI, mean `latest`.
    const { tag, digest } = parseReference(reference);
    const stream = await this.create({ fromImage: reference, tag: tag || digest ? undefined : "latest", platform: query?.platform }, options);
    await stream.done();
  }

  /**
   * Imports a root filesystem tarball as an image (`docker import`), uploading it as it is read;
   * streams progress. Name the image with `repo`/`tag`; `changes` applies Dockerfile instructions.
   * @example
   * ```ts
   * const progress = await docker.images.import({ repo: "mine/rootfs", tag: "1" }, createReadStream("rootfs.tar"));
   * await progress.done();
   * ```
   */
  import(
    query: Omit<QueryParams<"ImageCreate">, "fromImage" | "fromSrc"> | undefined,
    archive: ByteSource,
    options?: RequestOptions,
  ): Promise<JsonStream<ProgressMessage>> {
    return this.#create({ ...query, fromSrc: "-" }, byteSource(archive, "import archive"), options);
  }

  /** Pushes an image to its registry and streams progress. */
  async push(name: string, query?: QueryParams<"ImagePush">, options?: RequestOptions & AuthOptions): Promise<JsonStream<ProgressMessage>> {
    // The daemon requires the header even for anonymous pushes; an empty config is what the CLI sends.
    const headers = (await registryAuthHeaders(this.core, name, options)) ?? { "x-registry-auth": "e30=" };
    return this.core.call("ImagePush", { path: { name }, query, headers }, options);
  }

  /** Adds a tag (`repo[:tag]`) to an image. */
  tag(name: string, query: QueryParams<"ImageTag">, options?: RequestOptions): Promise<void> {
    return this.core.call("ImageTag", { path: { name }, query }, options);
  }

  /** Removes an image (or one of its tags); returns what was untagged and deleted. */
  remove(name: string, query?: QueryParams<"ImageDelete">, options?: RequestOptions): Promise<ImageDeleteResponseItem[]> {
    return this.core.call("ImageDelete", { path: { name }, query }, options);
  }

  /** Searches Docker Hub (through the daemon). */
  search(query: QueryParams<"ImageSearch">, options?: RequestOptions): Promise<ImageSearchResponseItem[]> {
    return this.core.call("ImageSearch", { query }, options);
  }

  /** Deletes unused images (dangling only, unless `dangling=false` filter). */
  prune(query?: QueryParams<"ImagePrune">, options?: RequestOptions): Promise<ImagePruneResponse> {
    return this.core.call("ImagePrune", { query }, options);
  }

  /** Creates an image from a container's changes (`docker commit`). */
  commit(query: QueryParams<"ImageCommit">, config: JsonBody<"ImageCommit"> = {}, options?: RequestOptions): Promise<IDResponse> {
    return this.core.call("ImageCommit", { query, body: config }, options);
  }

  /**
   * Streams one image (all its tags) as a tar archive (`docker save`), as the daemon produces it.
   * @example `await pipeline(await docker.images.get("busybox:latest"), createWriteStream("busybox.tar"))`
   */
  get(name: string, query?: QueryParams<"ImageGet">, options?: RequestOptions): Promise<AsyncIterable<Uint8Array>> {
    return this.core.call("ImageGet", { path: { name }, query }, options);
  }

  /**
   * Streams several images as one tar archive (`docker save a b c`).
   * @example `await pipeline(await docker.images.getAll({ names: ["a:1", "b:2"] }), createWriteStream("images.tar"))`
   */
  getAll(query: QueryParams<"ImageGetAll">, options?: RequestOptions): Promise<AsyncIterable<Uint8Array>> {
    return this.core.call("ImageGetAll", { query }, options);
  }

  /**
   * Loads images from an archive made by `get`/`getAll` (`docker load`), uploading it as it is
   * read; streams progress (`Loaded image: …`). A bad archive fails the stream with the daemon's
   * message.
   * @example `await (await docker.images.load({}, createReadStream("busybox.tar"))).done()`
   */
  async load(query: QueryParams<"ImageLoad"> | undefined, archive: ByteSource, options?: RequestOptions): Promise<JsonStream<ProgressMessage>> {
    return this.core.call("ImageLoad", { query, raw: byteSource(archive, "image archive") }, options);
  }

  /**
   * Builds an image and streams its output. With BuildKit (`builder`; by default where the
   * daemon's ping says `Builder-Version: 2`, whatever the context) a context directory is served
   * to the daemon through a session, file by file and only what changed since the last build, and
   * a tar stream is uploaded as it is; secrets and SSH agents go through the session when asked for.
   * With the classic builder a directory is packed as `docker build DIR` would (`.dockerignore`
   * included) and a tar stream uploaded. Options one builder would ignore pick the other when
   * none is named, and are refused when the named one would ignore them. Either way, credentials for base images
   * come from the CLI config unless `options.authConfigs` says otherwise.
   * `(await build(…)).imageId()` waits for the end and gives the new image's id, or rejects with
   * `BuildError` carrying the build output when a step fails.
   * @example
   * ```ts
   * const build = await docker.images.build({ context: "./app", tags: ["app:dev"], buildargs: { VERSION: "1.2" } }, { timeout: 600_000 });
   * const id = await build.imageId((m) => process.stdout.write(m.stream ?? ""));
   * ```
   */
  async build(params: BuildParams, options?: BuildOptions): Promise<BuildStream> {
    if ((await this.#builder(params, options)) === "buildkit") {
      const { buildKitBuild } = await import("../build/buildkit.js");
      return buildKitBuild(this.core, params, options);
    }
    if (params.secrets !== undefined) throw new DockerArgumentError('Build secrets need builder: "buildkit"');
    if (params.outputs !== undefined) throw new DockerArgumentError('Build outputs need builder: "buildkit" (the classic builder ignores them)');
    if (params.ssh !== undefined) throw new DockerArgumentError('SSH agent forwarding needs builder: "buildkit"');
    const { context, dockerfileContent } = params;
    // The context is checked first: a bad path fails before any credential helper runs.
    let packed: PackedContext | undefined;
    let raw: RequestBody | undefined;
    if (typeof context === "string" || (context === undefined && dockerfileContent !== undefined)) {
      const { packBuildContext } = await import("../build/context.js");
      packed = await packBuildContext({ directory: context, dockerfile: params.dockerfile, dockerfileContent });
    } else if (dockerfileContent !== undefined) {
      throw new DockerArgumentError("dockerfileContent needs a directory context (or none); add the Dockerfile to the tar instead");
    } else if (context !== undefined) {
      raw = byteSource(context, "build context");
    }
    const headers = await buildAuthHeaders(this.core, options?.authConfigs, options?.signal);
    const query = buildQuery(params, packed?.dockerfile ?? params.dockerfile);
    const call = { ...options, decode: (body: AsyncIterable<Uint8Array>, facts: RequestFacts, maxLine: number) => new BuildStream(body, facts, { maxLine }) };
    const send = (body: RequestBody | undefined) => this.core.call("ImageBuild", { query, headers, raw: body }, call);
    const what = context === undefined ? "the Dockerfile" : `the build context ${context}`;
    return packed ? new PackedUpload(packed.open, what).send(send) : send(raw);
  }

  /**
   * The builder a build runs with: its own choice, the client's, else the one its options need,
   * else the daemon's default. Options the chosen builder would ignore are refused.
   */
  async #builder(params: BuildParams, options?: BuildOptions): Promise<Builder> {
    const named =
      params.builder !== undefined
        ? checkBuilder(params.builder)
        : params.version !== undefined
          ? params.version === "2"
            ? "buildkit"
            : "classic"
          : this.core.builder;
    // The classic builder refuses BuildKit's options itself (in build()).
    if (named === "classic") return named;
    const buildKitOnly = buildKitOnlyOptions(params);
    // Only a shmsize needs the daemon's version to tell; a named builder needs no ping otherwise.
    const daemon = params.shmsize || (named === undefined && buildKitOnly.length === 0) ? await this.#daemon(options) : undefined;
    const classicOnly = classicOnlyOptions(params, daemon?.apiVersion);
    if (named === undefined && buildKitOnly.length === 0) {
      if (classicOnly.length > 0) return "classic";
      return daemon?.builderVersion === "2" ? "buildkit" : "classic";
    }
    if (classicOnly.length > 0) {
      const them = classicOnly.length === 1 ? "it" : "them";
      const what = `Build option${classicOnly.length === 1 ? "" : "s"} ${classicOnly.join(", ")} ${classicOnly.length === 1 ? "is" : "are"} applied only by the classic builder (the daemon's BuildKit does not apply ${them})`;
      throw new DockerArgumentError(
        named === undefined
          ? `${what}, but ${buildKitOnly.join(", ")} ${buildKitOnly.length === 1 ? "needs" : "need"} BuildKit: leave one or the other out`
          : `${what}: pass builder: "classic" to build with ${them}`,
      );
    }
    return "buildkit";
  }

  /** What the daemon says of itself: the ping the version negotiation made, or one of its own (a pinned version makes none). */
  async #daemon(options?: BuildOptions): Promise<PingInfo> {
    await this.core.negotiator.version(options?.signal);
    return this.core.negotiator.info ?? (await this.core.ping(options)).info;
  }

  /**
   * Stops a running BuildKit build by its id (`POST /build/cancel`, as the CLI sends on
   * interrupt): a build's own abort, timeout or early end does this already; this is for
   * stopping it from elsewhere. An unknown or finished id is not an error.
   * @example `await docker.images.cancelBuild(build.buildId!)`
   */
  async cancelBuild(buildId: string, options?: RequestOptions): Promise<void> {
    await this.core.call("BuildCancel", { query: { id: buildId } }, options);
  }

  /** Deletes build cache. */
  pruneBuildCache(query?: QueryParams<"BuildPrune">, options?: RequestOptions): Promise<BuildPruneResponse> {
    return this.core.call("BuildPrune", { query }, options);
  }

  /** `ImageCreate`, uploading `raw` as the image's root filesystem when importing. */
  async #create(query: QueryParams<"ImageCreate">, raw: RequestBody | undefined, options: (RequestOptions & AuthOptions) | undefined): Promise<JsonStream<ProgressMessage>> {
    // The registry is all the credentials depend on; the tag (possibly a digest) is irrelevant.
    const headers = await registryAuthHeaders(this.core, query.fromImage, options);
    return this.core.call("ImageCreate", { query, headers, raw }, options);
  }
}

/** Query of `images.pull` besides the reference. */
export interface PullQuery {
  /** The platform to pull, `os[/arch[/variant]]`, when the image has several. */
  platform?: string;
}
