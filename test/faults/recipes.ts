// How the garbage audit calls each public method: plausible arguments, and a full reading of
// whatever comes back (streams iterated to their end, sessions written to and read). Methods are
// found by walking a `Docker` instance, so one added without a recipe here fails the audit.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Docker } from "../../src/index.js";

/** A call of one public method, reading its result to the end. */
export type Recipe = (docker: Docker, host: HostFiles) => Promise<unknown>;

/** Host files some methods need: a build context, a file to copy in, a directory to copy into. */
export interface HostFiles {
  /** A directory with a Dockerfile and a file. */
  readonly context: string;
  /** A fresh empty directory for each call that writes on the host. */
  target(): string;
}

/** Makes the host files, under a fresh temporary directory. */
export function hostFiles(): HostFiles {
  const root = mkdtempSync(join(tmpdir(), "dockhand-recipes-"));
  const context = join(root, "context");
  mkdirSync(context);
  writeFileSync(join(context, "Dockerfile"), "FROM busybox:local\nCOPY hello.txt /\n");
  writeFileSync(join(context, "hello.txt"), "hello\n");
  let n = 0;
  return {
    context,
    target: () => {
      const dir = join(root, `out-${n++}`);
      mkdirSync(dir);
      return dir;
    },
  };
}

/** Methods that are not calls to the daemon: closing the client. */
export const NOT_CALLS: ReadonlySet<string> = new Set(["close", "closeGracefully"]);

/** Every public method of `docker`, as `group.method` (or `method` for the client's own). */
export function publicMethods(docker: Docker): string[] {
  const found = ownMethods(docker).filter((name) => !NOT_CALLS.has(name));
  for (const [group, value] of Object.entries(docker)) {
    if (value !== null && typeof value === "object") for (const name of ownMethods(value)) found.push(`${group}.${name}`);
  }
  return found.sort();
}

/** Method names along the prototype chain (class methods are not enumerable), `constructor` aside. */
function ownMethods(object: object): string[] {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(object); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name !== "constructor" && typeof (object as Record<string, unknown>)[name] === "function") names.add(name);
    }
  }
  return [...names];
}

/**
 * Reads a result to its end: iterates whatever is async-iterable (streams, archives, a session's
 * socket), descends into plain objects (a hijacked session's `output`, an archive's `archive`).
 */
export async function consume(value: unknown, depth = 0): Promise<void> {
  if (value === null || typeof value !== "object" || depth > 3) return;
  if (Symbol.asyncIterator in value) {
    for await (const _ of value as AsyncIterable<unknown>) {
      // Read to the end: decoding errors surface while iterating.
    }
    return;
  }
  for (const inner of Object.values(value)) await consume(inner, depth + 1);
}

const ID = "c0ffee";
const bytes = new TextEncoder().encode("not really a tar archive");
const auth = { auth: { username: "u", password: "p" } } as const;

/** One recipe per public method; the value is awaited, then read with {@link consume}. */
export const RECIPES: Readonly<Record<string, Recipe>> = {
  apiVersion: (d) => d.apiVersion(),
  run: (d) => d.run("busybox:local", ["true"], { pull: "never", timeout: 10_000 }),
  removeByLabel: async (d) => {
    // Volumes alone first: their list is an object, where the other kinds' are lists.
    await d.removeByLabel("ci-job=1", { only: ["volumes"] });
    return d.removeByLabel("ci-job=1");
  },
  "containers.list": (d) => d.containers.list({ all: true }),
  "containers.create": (d) => d.containers.create({ name: "web", Image: "busybox:local" }),
  "containers.inspect": (d) => d.containers.inspect(ID),
  "containers.top": (d) => d.containers.top(ID),
  "containers.logs": (d) => d.containers.logs(ID, { stdout: true, stderr: true }),
  "containers.attach": async (d) => {
    const session = await d.containers.attach(ID, { stdin: true });
    await session.write("hi\n");
    await session.end();
    await consume(session.output);
    return session.close();
  },
  "containers.attachWebsocket": async (d) => {
    const ws = await d.containers.attachWebsocket(ID);
    await ws.send("hi\n");
    return ws;
  },
  "containers.changes": (d) => d.containers.changes(ID),
  "containers.export": (d) => d.containers.export(ID),
  "containers.statPath": (d) => d.containers.statPath(ID, "/etc/hosts"),
  "containers.getArchive": (d) => d.containers.getArchive(ID, "/etc"),
  "containers.putArchive": (d) => d.containers.putArchive(ID, { path: "/srv" }, bytes),
  "containers.copyToContainer": (d, host) => d.containers.copyToContainer(ID, host.context, "/srv"),
  "containers.copyFromContainer": (d, host) => d.containers.copyFromContainer(ID, "/etc", host.target()),
  "containers.stats": async (d) => {
    await d.containers.stats(ID, { stream: false });
    return d.containers.stats(ID);
  },
  "containers.resize": (d) => d.containers.resize(ID, { h: 24, w: 80 }),
  "containers.start": (d) => d.containers.start(ID),
  "containers.stop": (d) => d.containers.stop(ID),
  "containers.restart": (d) => d.containers.restart(ID),
  "containers.kill": (d) => d.containers.kill(ID),
  "containers.update": (d) => d.containers.update(ID, { Memory: 1 << 26 }),
  "containers.rename": (d) => d.containers.rename(ID, "new-name"),
  "containers.pause": (d) => d.containers.pause(ID),
  "containers.unpause": (d) => d.containers.unpause(ID),
  "containers.wait": (d) => d.containers.wait(ID),
  "containers.remove": (d) => d.containers.remove(ID, { force: true }),
  "containers.prune": (d) => d.containers.prune(),
  "containers.waitHealthy": (d) => d.containers.waitHealthy(ID, { interval: 10, timeout: 10_000 }),
  "containers.waitFor": (d) => d.containers.waitFor(ID, { log: /never printed/, timeout: 10_000 }),
  "images.list": (d) => d.images.list(),
  "images.inspect": (d) => d.images.inspect("busybox:local"),
  "images.history": (d) => d.images.history("busybox:local"),
  "images.attestations": (d) => d.images.attestations("busybox:local"),
  "images.create": (d) => d.images.create({ fromImage: "busybox", tag: "latest" }, auth),
  "images.pull": (d) => d.images.pull("busybox:latest", undefined, auth),
  "images.pullIfMissing": (d) => d.images.pullIfMissing("busybox:latest", undefined, auth),
  "images.import": (d) => d.images.import({ repo: "mine/rootfs" }, bytes),
  "images.push": (d) => d.images.push("registry.example/app:1", undefined, auth),
  "images.tag": (d) => d.images.tag("busybox:local", { repo: "mine/busybox", tag: "1" }),
  "images.remove": (d) => d.images.remove("busybox:local"),
  "images.search": (d) => d.images.search({ term: "busybox" }),
  "images.prune": (d) => d.images.prune(),
  "images.commit": (d) => d.images.commit({ container: ID, repo: "mine/snap" }),
  "images.get": (d) => d.images.get("busybox:local"),
  "images.getAll": (d) => d.images.getAll({ names: ["busybox:local"] }),
  "images.load": (d) => d.images.load(undefined, bytes),
  "images.build": async (d, host) => {
    // Both builders: the classic one (a packed context) and BuildKit (a session the daemon calls back over).
    await (await d.images.build({ context: host.context, tags: ["app:1"], builder: "classic" })).imageId();
    return (await d.images.build({ context: host.context, tags: ["app:1"], builder: "buildkit" }, { timeout: 10_000 })).imageId();
  },
  "images.pruneBuildCache": (d) => d.images.pruneBuildCache(),
  "images.cancelBuild": (d) => d.images.cancelBuild("0123abcd"),
  "networks.list": (d) => d.networks.list(),
  "networks.inspect": (d) => d.networks.inspect("net"),
  "networks.create": (d) => d.networks.create({ Name: "net" }),
  "networks.remove": (d) => d.networks.remove("net"),
  "networks.connect": (d) => d.networks.connect("net", { Container: ID }),
  "networks.disconnect": (d) => d.networks.disconnect("net", { Container: ID }),
  "networks.prune": (d) => d.networks.prune(),
  "volumes.list": (d) => d.volumes.list(),
  "volumes.create": (d) => d.volumes.create({ Name: "vol" }),
  "volumes.inspect": (d) => d.volumes.inspect("vol"),
  "volumes.update": (d) => d.volumes.update("vol", { version: 1 }, { Spec: {} }),
  "volumes.remove": (d) => d.volumes.remove("vol"),
  "volumes.prune": (d) => d.volumes.prune(),
  "exec.run": (d) => d.exec.run(ID, ["cat"], { stdin: "hello", timeout: 10_000 }),
  "exec.create": (d) => d.exec.create(ID, { Cmd: ["ls"], AttachStdout: true }),
  "exec.start": async (d) => {
    await d.exec.start("e1", { Detach: true });
    await consume(await d.exec.start("e1"));
    const session = await d.exec.start("e1", { stdin: true });
    await session.write("x");
    await session.end();
    return session.output;
  },
  "exec.inspect": (d) => d.exec.inspect("e1"),
  "exec.resize": (d) => d.exec.resize("e1", { h: 24, w: 80 }),
  "system.ping": (d) => d.system.ping(),
  "system.version": (d) => d.system.version(),
  "system.info": (d) => d.system.info(),
  "system.auth": (d) => d.system.auth({ username: "u", password: "p", serveraddress: "registry.example" }),
  "system.dataUsage": (d) => d.system.dataUsage(),
  "system.events": (d) => d.system.events({ since: "0" }),
  "system.prune": (d) => d.system.prune({ volumes: true }),
  "swarm.inspect": (d) => d.swarm.inspect(),
  "swarm.init": (d) => d.swarm.init({ ListenAddr: "0.0.0.0:2377" }),
  "swarm.join": (d) => d.swarm.join({ ListenAddr: "0.0.0.0:2377", RemoteAddrs: ["10.0.0.1:2377"], JoinToken: "token" }),
  "swarm.leave": (d) => d.swarm.leave({ force: true }),
  "swarm.update": (d) => d.swarm.update({ version: 1 }, {}),
  "swarm.unlockKey": (d) => d.swarm.unlockKey(),
  "swarm.unlock": (d) => d.swarm.unlock({ UnlockKey: "key" }),
  "nodes.list": (d) => d.nodes.list(),
  "nodes.inspect": (d) => d.nodes.inspect("n1"),
  "nodes.update": (d) => d.nodes.update("n1", { version: 1 }, { Role: "worker" }),
  "nodes.remove": (d) => d.nodes.remove("n1"),
  "services.list": (d) => d.services.list(),
  "services.create": (d) => d.services.create({ Name: "svc", TaskTemplate: { ContainerSpec: { Image: "busybox:local" } } }),
  "services.inspect": (d) => d.services.inspect("svc"),
  "services.update": (d) => d.services.update("svc", { version: 1 }, { TaskTemplate: { ContainerSpec: { Image: "busybox:local" } } }),
  "services.remove": (d) => d.services.remove("svc"),
  "services.logs": (d) => d.services.logs("svc", { stdout: true }),
  "tasks.list": (d) => d.tasks.list(),
  "tasks.inspect": (d) => d.tasks.inspect("t1"),
  "tasks.logs": (d) => d.tasks.logs("t1", { stdout: true }),
  "secrets.list": (d) => d.secrets.list(),
  "secrets.create": (d) => d.secrets.create({ Name: "s", Data: "aGk=" }),
  "secrets.inspect": (d) => d.secrets.inspect("s"),
  "secrets.update": (d) => d.secrets.update("s", { version: 1 }, { Name: "s" }),
  "secrets.remove": (d) => d.secrets.remove("s"),
  "configs.list": (d) => d.configs.list(),
  "configs.create": (d) => d.configs.create({ Name: "c", Data: "aGk=" }),
  "configs.inspect": (d) => d.configs.inspect("c"),
  "configs.update": (d) => d.configs.update("c", { version: 1 }, { Name: "c" }),
  "configs.remove": (d) => d.configs.remove("c"),
  "plugins.list": (d) => d.plugins.list(),
  "plugins.privileges": (d) => d.plugins.privileges({ remote: "vieux/sshfs" }),
  "plugins.pull": (d) => d.plugins.pull({ remote: "vieux/sshfs" }, [], auth),
  "plugins.inspect": (d) => d.plugins.inspect("sshfs"),
  "plugins.remove": (d) => d.plugins.remove("sshfs"),
  "plugins.enable": (d) => d.plugins.enable("sshfs"),
  "plugins.disable": (d) => d.plugins.disable("sshfs"),
  "plugins.upgrade": (d) => d.plugins.upgrade("sshfs", { remote: "vieux/sshfs" }, [], auth),
  "plugins.create": (d) => d.plugins.create({ name: "mine" }, bytes),
  "plugins.push": (d) => d.plugins.push("sshfs", auth),
  "plugins.set": (d) => d.plugins.set("sshfs", ["DEBUG=1"]),
  "distribution.inspect": (d) => d.distribution.inspect("busybox:latest", auth),
  "session.start": (d) => d.session.start({ name: "audit" }),
};
