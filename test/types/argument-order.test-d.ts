// Type-level tests of the one argument order (path parameters, query, body, call options):
// checked by `npm run typecheck` (tsc), never run. Each refused form is the shape a method had
// before it was brought in line; every `@ts-expect-error` must still be an error.
import type { Readable } from "node:stream";
import type { AuthConfig, Docker } from "../../src/index.js";

declare const docker: Docker;
declare const auth: AuthConfig;
declare const signal: AbortSignal;
declare const tar: Readable;

export async function pullAndPush(): Promise<void> {
  // Registry credentials are call options on both, after the query.
  await docker.images.pull("ghcr.io/acme/app:1", { platform: "linux/arm64" }, { auth, signal, timeout: 60_000 });
  await docker.images.pull("busybox");
  await docker.images.push("ghcr.io/acme/app", { tag: "1" }, { auth, signal });
  await docker.images.pullIfMissing("busybox", {}, { auth: false });
  // @ts-expect-error credentials are not part of pull's query
  await docker.images.pull("ghcr.io/acme/app:1", { auth });
  // @ts-expect-error the platform is a query parameter, not a call option
  await docker.images.pull("ghcr.io/acme/app:1", {}, { platform: "linux/arm64" });
  // @ts-expect-error as for pull
  await docker.images.pullIfMissing("busybox", { auth: false });
  // @ts-expect-error nor is it part of push's query
  await docker.images.push("ghcr.io/acme/app", { auth });
  // @ts-expect-error create's call options carry no body (import uploads one)
  await docker.images.create({ fromSrc: "-" }, { body: tar });
}

export async function build(): Promise<void> {
  await docker.images.build({ context: "./app", tags: ["app:1"] }, { signal, timeout: 600_000, authConfigs: false });
  // @ts-expect-error signal is a call option, not a build parameter
  await docker.images.build({ context: "./app", signal });
  // @ts-expect-error nor is timeout
  await docker.images.build({ context: "./app", timeout: 1_000 });
  // @ts-expect-error credentials travel beside the build, in the call options
  await docker.images.build({ context: "./app", authConfigs: false });
  // @ts-expect-error build parameters are not call options
  await docker.images.build({}, { tags: ["app:1"] });
}

export async function streams(): Promise<void> {
  // The same order as every other method: the query, then call options.
  await docker.containers.logs("web", { follow: true, stdout: true }, { signal, timeout: 800, tty: false });
  // @ts-expect-error call options do not go into the query
  await docker.containers.logs("web", { follow: true, signal });
}

export async function uploads(): Promise<void> {
  // The query, then the body it describes.
  await docker.images.load({ quiet: true }, tar, { signal });
  await docker.images.load({}, tar);
  await docker.images.import({ repo: "mine/rootfs", tag: "1" }, tar);
  await docker.containers.putArchive("web", { path: "/srv", noOverwriteDirNonDir: true }, tar, { signal });
  // @ts-expect-error the archive (body) comes after the query
  await docker.images.load(tar);
  // @ts-expect-error as for load
  await docker.images.import(tar, { repo: "mine/rootfs" });
  // @ts-expect-error putArchive's query is an object: the path and how to extract
  await docker.containers.putArchive("web", "/srv", tar);
  // @ts-expect-error extraction flags are query parameters, not call options
  await docker.containers.putArchive("web", { path: "/srv" }, tar, { copyUIDGID: true });
  // The workflow keeps its settings beside the call options.
  await docker.containers.copyToContainer("web", "./conf", "/etc/app", { copyUIDGID: true, timeout: 10_000 });
}

export async function session(): Promise<void> {
  await docker.session.start({ name: "ctx", methods: ["/grpc.health.v1.Health/Check"] }, { signal });
  // @ts-expect-error what the session announces is not a call option
  await docker.session.start({}, { name: "ctx" });
  // @ts-expect-error call options come second
  await docker.session.start({ signal });
}
