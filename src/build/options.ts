import type { AuthConfigs } from "../auth/auth-config.js";
import { DockerArgumentError } from "../core/errors.js";
import type { QueryParams, RequestOptions } from "../core/types.js";
import { compareVersions } from "../core/version.js";
import type { BuildSecret } from "../session/secrets.js";
import type { BuildSshAgent } from "../session/sshforward.js";
import type { BuildExport } from "./outputs.js";
import type { ByteSource } from "./source.js";

/** Build parameters the daemon takes as they are (same names as the API's query). */
type PlainBuildQuery = Omit<
  QueryParams<"ImageBuild">,
  "t" | "dockerfile" | "remote" | "buildargs" | "labels" | "cachefrom" | "extrahosts" | "pull" | "outputs"
>;

/**
 * Which builder runs a build: `"buildkit"` (the daemon's builtin BuildKit, through a session
 * dockhand serves) or `"classic"` (the legacy builder, the context uploaded as a tar).
 */
export type Builder = "buildkit" | "classic";

/** Checks a builder name given by an untyped caller. */
export function checkBuilder(builder: unknown): Builder {
  if (builder === "buildkit" || builder === "classic") return builder;
  throw new DockerArgumentError(`builder must be "buildkit" or "classic", got ${JSON.stringify(builder)}`);
}

/** The API version from which the daemon's BuildKit applies `shmsize` (engine 23.0). */
const BUILDKIT_SHMSIZE = "1.42";

/** The network modes the daemon's BuildKit takes; it refuses any other, which the classic builder joins. */
const BUILDKIT_NETWORKS = new Set(["", "default", "host", "none"]);

/**
 * The options in `params` that only the classic builder applies and the daemon's BuildKit would
 * ignore (or refuse, for a network), as they read in a message. `daemonApiVersion` is the
 * daemon's own highest API version; `undefined` when not known, which is only allowed when
 * `shmsize` is unset.
 */
export function classicOnlyOptions(params: BuildParams, daemonApiVersion: string | undefined): string[] {
  const found: string[] = [];
  // Zero is the daemon's "no limit", the same as leaving the option out.
  for (const name of ["memory", "memswap", "cpushares", "cpusetcpus", "cpuperiod", "cpuquota"] as const) {
    if (params[name] !== undefined && params[name] !== 0 && params[name] !== "") found.push(name);
  }
  if (params.networkmode !== undefined && !BUILDKIT_NETWORKS.has(params.networkmode)) found.push(`networkmode ${JSON.stringify(params.networkmode)}`);
  if (params.shmsize && daemonApiVersion !== undefined && compareVersions(daemonApiVersion, BUILDKIT_SHMSIZE) < 0) {
    found.push(`shmsize (BuildKit applies it from engine 23.0, API ${BUILDKIT_SHMSIZE})`);
  }
  return found;
}

/** The options in `params` that only BuildKit has. */
export function buildKitOnlyOptions(params: BuildParams): string[] {
  return (["secrets", "ssh", "outputs"] as const).filter((name) => params[name] !== undefined);
}

/**
 * What `images.build` builds: the context, and the API's query parameters, with structured values
 * where the API wants JSON text (`buildargs`, `labels`, `cachefrom`).
 */
export interface BuildParams extends Omit<PlainBuildQuery, "version"> {
  /**
   * The API's builder version.
   * @deprecated Use `builder`: `"2"` means `"buildkit"`, `"1"` means `"classic"`.
   */
  version?: "1" | "2";
  /**
   * The builder. Left out, the client's `builder` option decides, else the daemon's default as
   * its `/_ping` announces it (`Builder-Version: 2` means BuildKit), as the Docker CLI decides,
   * for a directory and a tar stream context alike. Options only one builder applies choose it
   * when none is named: `secrets`, `ssh` and `outputs` BuildKit; the build containers' limits
   * (`memory`, `memswap`, `cpushares`, `cpusetcpus`, `cpuperiod`, `cpuquota`), a `networkmode`
   * other than `default`, `host` or `none`, and `shmsize` on engines before 23.0 the classic
   * builder, as the daemon's BuildKit ignores them. With `"buildkit"` named, those classic-only
   * options are refused with a `DockerArgumentError` rather than silently ignored. A tar stream
   * under BuildKit is uploaded as the request body, which the daemon's BuildKit unpacks as the
   * context (applying no `.dockerignore` inside it, as BuildKit does for any context it does not
   * read through the session).
   */
  builder?: Builder;
  /**
   * BuildKit only: secrets for `RUN --mount=type=secret,id=…`, by id, like `--secret`: read from a
   * file (when the build asks), an environment variable, or given as the value. Values never
   * appear in errors or logs.
   * @example `secrets: { npmrc: { file: "~/.npmrc" }, token: { env: "GITHUB_TOKEN" } }`
   */
  secrets?: Readonly<Record<string, BuildSecret>>;
  /**
   * BuildKit only: export the result to the client instead of creating an image, like
   * `docker buildx build --output`: `[{ type: "local", dest: "./out" }]` writes its files into a
   * directory, `[{ type: "tar", dest: "out.tar" }]` writes them as one archive (or to a writable
   * stream). One output per build. The stream then reports no image: read it with `done()` or
   * `events()` (not `imageId()`); it ends once everything is written. When the result cannot be
   * written on the client, the build fails with a `BuildError` (its `step` the export) whose
   * `cause` is that failure: for a local output the `ArchiveExtractError` (a refused entry, or
   * reason `"filesystem"` with the system error as its own `cause`), for a tar output the error
   * writing `dest` (the file's system error, or the one the stream failed with).
   */
  outputs?: readonly BuildExport[];
  /**
   * BuildKit only: SSH agents for `RUN --mount=type=ssh[,id=…]`, by id, like `--ssh`: `true` for
   * the agent `SSH_AUTH_SOCK` names; a path, which is an agent's socket if it is a socket and a
   * private key file otherwise (as buildx tells them apart); `{ socketPath }`; or `{ keys }` for
   * one or more key files, served by an agent held in this process (ed25519, ECDSA or RSA, OpenSSH
   * or PEM format, no passphrase). The build may list the keys and have them signed, never add,
   * remove or lock keys. A missing or dead agent, or a key file that is missing, encrypted or not a
   * private key, fails the call before the build starts.
   * @example `ssh: { default: true }`, `ssh: { github: "/run/user/1000/gh-agent.sock" }`,
   * `ssh: { deploy: { keys: ["/home/me/.ssh/deploy_ed25519"] } }`
   */
  ssh?: Readonly<Record<string, BuildSshAgent>>;
  /**
   * The build context: a directory path (packed like `docker build DIR`, honouring its
   * `.dockerignore`; streamed, never buffered), or a tar archive (a `ByteSource`: Node `Readable`,
   * web `ReadableStream`, `Uint8Array`, async iterable). Leave it out with `dockerfileContent`
   * alone (a context holding just the Dockerfile) or with `remote`.
   */
  context?: string | ByteSource;
  /** Path of the Dockerfile inside the context, `/`-separated. Default `Dockerfile`. */
  dockerfile?: string;
  /**
   * The Dockerfile as text (like `docker build -f -`), e.g. one read from outside the context.
   * Only with a directory context or none.
   */
  dockerfileContent?: string;
  /** A Git repository or tarball URL the daemon fetches the context from, instead of `context`. */
  remote?: string;
  /** Name(s) for the image, `repo[:tag]`. */
  tags?: string | readonly string[];
  /** `ARG` values. */
  buildargs?: Readonly<Record<string, string>>;
  /** Labels to set on the image. */
  labels?: Readonly<Record<string, string>>;
  /** Images to consider as cache sources. */
  cachefrom?: readonly string[];
  /** Extra `/etc/hosts` entries for build containers, `host:ip`. */
  extrahosts?: readonly string[];
  /** Pull newer versions of the base images even when present. */
  pull?: boolean;
  /**
   * Remove the intermediate containers even when a step fails. Default `true` here: the daemon
   * (and `docker build --force-rm`, default false) otherwise leaves a failed step's container
   * behind; pass `false` to keep it for debugging.
   */
  forcerm?: boolean;
}

/** Call options of `images.build`: the usual ones, and the registry credentials sent beside the context. */
export interface BuildOptions extends RequestOptions {
  /**
   * Registry credentials for the base images, keyed by registry (`X-Registry-Config`). Left out,
   * every registry's credentials from the CLI config are sent, as `docker build` does; `false`
   * sends none. A BuildKit build asks for one registry at a time through its session, and gets
   * them from here when given, else from the same lookup `images.pull` makes; `false` pulls its
   * base images anonymously. An entry with a `registrytoken` (a ready bearer token) has its token
   * handed to the daemon whenever the registry asks for one, as `docker buildx` does.
   */
  authConfigs?: AuthConfigs | false;
}

/** The query of an `ImageBuild` call for `params`; `dockerfile` is the name the packed context uses. */
export function buildQuery(params: BuildParams, dockerfile: string | undefined): Record<string, unknown> {
  // Whatever is not the context is a query parameter.
  const {
    context: _context,
    dockerfileContent: _content,
    builder: _builder,
    version: _version,
    secrets: _secrets,
    outputs: _outputs,
    ssh: _ssh,
    tags,
    cachefrom,
    forcerm = true,
    ...query
  } = params;
  return {
    ...query,
    forcerm,
    dockerfile,
    t: tags,
    // The one JSON parameter given as a list: the query encoder would repeat the key instead.
    cachefrom: cachefrom && JSON.stringify(cachefrom),
  };
}
