// images.build / load / import / get and the registry headers, against the mock daemon.
import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { decodeAuthConfig, decodeAuthConfigs } from "../../../src/auth/index.js";
import type { TarHeader } from "../../../src/build/tar.js";
import {
  BuildError,
  Docker,
  DockerArgumentError,
  DockerProtocolError,
  DockerStreamError,
} from "../../../src/index.js";
import type { BuildParams } from "../../../src/index.js";
import { route, startMockDaemon } from "../../../src/testing/index.js";
import { useMockDaemon } from "../../support/mock-daemon.js";
import { bytesOf, cleanup, tempDir, unpack } from "./tar-helpers.js";

// Announces BuildKit, as recent engines do, so that leaving the builder to the daemon means BuildKit.
const mock = useMockDaemon({ apiVersion: "1.47", builderVersion: "2" });
afterEach(() => cleanup());

/** A client whose CLI config (no credentials unless written) lives in a directory of its own. */
async function client(config?: object): Promise<Docker> {
  const configDir = await tempDir("dockhand-config-");
  if (config) await writeFile(join(configDir, "config.json"), JSON.stringify(config));
  return mock.client({ configDir, builder: "classic" });
}

/** JSON lines as the daemon streams them. */
const jsonLines = (messages: object[]) =>
  new HttpResponse(messages.map((m) => `${JSON.stringify(m)}\r\n`).join(""), { headers: { "Content-Type": "application/json" } });

/** What the mock `/build` received. */
interface BuildCall {
  query: URLSearchParams;
  headers: Headers;
  body: Uint8Array;
}

/** Answers `/build` with `messages` and records the request. */
function onBuild(messages: object[]): BuildCall[] {
  const calls: BuildCall[] = [];
  mock.daemon.use(
    http.post(route("/build"), async ({ request }) => {
      const body = new Uint8Array(await request.arrayBuffer());
      calls.push({ query: new URL(request.url).searchParams, headers: request.headers, body });
      return jsonLines(messages);
    }),
  );
  return calls;
}

/**
 * Answers `/session` with a 500 ("no sessions here": the mock cannot switch to h2c) and records
 * the gRPC methods each session announced.
 */
function refuseSessions(): string[] {
  const sessions: string[] = [];
  mock.daemon.use(
    http.post(route("/session"), ({ request }) => {
      sessions.push(request.headers.get("x-docker-expose-session-grpc-method") ?? "");
      return HttpResponse.json({ message: "no sessions here" }, { status: 500 });
    }),
  );
  return sessions;
}

const ID = `sha256:${"ab".repeat(32)}`;
const SUCCESS = [{ stream: "Step 1/1 : FROM busybox\n" }, { stream: " ---> 1234\n" }, { aux: { ID } }, { stream: `Successfully built 1234\n` }];

async function entries(body: Uint8Array): Promise<TarHeader[]> {
  return (await unpack([body] as unknown as AsyncIterable<Uint8Array>)).headers;
}

describe("images.build", () => {
  it("packs the directory, maps the options onto the query, and resolves with the image id", async () => {
    const calls = onBuild(SUCCESS);
    const dir = await tempDir();
    await writeFile(join(dir, "Dockerfile"), "FROM busybox\n");
    await writeFile(join(dir, "app.txt"), "app\n");
    await writeFile(join(dir, "skip.txt"), "skip\n");
    await writeFile(join(dir, ".dockerignore"), "skip.txt\n");
    const docker = await client();
    const seen: string[] = [];
    const build = await docker.images.build({
      context: dir,
      tags: ["app:1", "app:latest"],
      buildargs: { VERSION: "1.2", EMPTY: "" },
      labels: { team: "core" },
      cachefrom: ["app:cache"],
      extrahosts: ["db:10.0.0.2", "cache:10.0.0.3"],
      target: "final",
      nocache: true,
      pull: true,
    }, { authConfigs: false });
    expect(await build.imageId((m) => m.stream && seen.push(m.stream))).toBe(ID);
    expect(seen.join("")).toContain("Successfully built");
    const [call] = calls;
    expect(call!.query.getAll("t")).toEqual(["app:1", "app:latest"]);
    expect(JSON.parse(call!.query.get("buildargs")!)).toEqual({ VERSION: "1.2", EMPTY: "" });
    expect(JSON.parse(call!.query.get("labels")!)).toEqual({ team: "core" });
    expect(JSON.parse(call!.query.get("cachefrom")!)).toEqual(["app:cache"]);
    expect(call!.query.getAll("extrahosts")).toEqual(["db:10.0.0.2", "cache:10.0.0.3"]);
    expect(Object.fromEntries(["dockerfile", "target", "nocache", "pull", "forcerm"].map((k) => [k, call!.query.get(k)]))).toEqual({
      dockerfile: "Dockerfile",
      target: "final",
      nocache: "true",
      pull: "true",
      // A failed step's container is removed unless asked to keep it.
      forcerm: "true",
    });
    expect(call!.headers.get("content-type")).toBe("application/x-tar");
    expect(call!.headers.has("x-registry-config")).toBe(false);
    expect((await entries(call!.body)).map((h) => h.name).sort()).toEqual([".dockerignore", "Dockerfile", "app.txt"]);
  });

  it("sends every registry's credentials from the client's config directory as X-Registry-Config", async () => {
    const calls = onBuild(SUCCESS);
    const auth = Buffer.from("me:s3cret").toString("base64");
    const docker = await client({ auths: { "registry.example.com": { auth }, "https://index.docker.io/v1/": { auth } } });
    await (await docker.images.build({ dockerfileContent: "FROM registry.example.com/base\n" })).imageId();
    expect(decodeAuthConfigs(calls[0]!.headers.get("x-registry-config")!)).toEqual({
      "registry.example.com": { username: "me", password: "s3cret", serveraddress: "registry.example.com" },
      "https://index.docker.io/v1/": { username: "me", password: "s3cret", serveraddress: "https://index.docker.io/v1/" },
    });
    expect(calls[0]!.query.get("dockerfile")).toMatch(/^\.dockerfile\./);
  });

  it("sends explicit authConfigs as given", async () => {
    const calls = onBuild(SUCCESS);
    const docker = await client();
    const authConfigs = { "ghcr.io": { username: "bot", password: "tok" } };
    await (await docker.images.build({ dockerfileContent: "FROM ghcr.io/x\n" }, { authConfigs })).imageId();
    expect(decodeAuthConfigs(calls[0]!.headers.get("x-registry-config")!)).toEqual(authConfigs);
  });

  it("streams a tar context through untouched", async () => {
    const calls = onBuild(SUCCESS);
    const tar = new Uint8Array(2048).fill(0);
    tar.set(new TextEncoder().encode("not really a tar"), 0);
    const docker = await client();
    async function* chunks() {
      yield tar.subarray(0, 1000);
      yield tar.subarray(1000);
    }
    await (await docker.images.build({ context: chunks(), dockerfile: "build/Dockerfile" }, { authConfigs: false })).imageId();
    expect(Buffer.compare(Buffer.from(calls[0]!.body), Buffer.from(tar))).toBe(0);
    expect(calls[0]!.query.get("dockerfile")).toBe("build/Dockerfile");
  });

  it("picks the builder: the call's, else the client's, else BuildKit when the daemon's ping says Builder-Version 2", async () => {
    const builds = onBuild(SUCCESS);
    // The mock daemon announces BuildKit but cannot switch a session to h2c: a BuildKit build fails there.
    const sessions = refuseSessions();
    const dir = await tempDir();
    await writeFile(join(dir, "Dockerfile"), "FROM busybox\n");
    const daemonDefault = mock.client({ configDir: await tempDir("dockhand-config-") });
    await expect(daemonDefault.images.build({ context: dir }, { authConfigs: false })).rejects.toThrow(/no sessions here/);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toContain("/moby.filesync.v1.FileSync/DiffCopy");
    expect(sessions[0]).toContain("/grpc.health.v1.Health/Check");
    expect(builds).toHaveLength(0);
    // A tar stream follows the daemon too, as the body of a BuildKit build (no FileSync served).
    await expect(daemonDefault.images.build({ context: new Uint8Array(1024) }, { authConfigs: false })).rejects.toThrow(/no sessions here/);
    expect(sessions).toHaveLength(2);
    expect(sessions[1]).toContain("/grpc.health.v1.Health/Check");
    expect(sessions[1]).not.toContain("FileSync");
    // The deprecated version "1" means the classic builder.
    await (await daemonDefault.images.build({ context: dir, version: "1" }, { authConfigs: false })).imageId();
    expect(builds.map((b) => b.query.get("version"))).toEqual([null]);
    // The client's default, and the call's own choice over it.
    const classic = mock.client({ builder: "classic" });
    await (await classic.images.build({ context: dir }, { authConfigs: false })).imageId();
    await (await classic.images.build({ context: new Uint8Array(1024) }, { authConfigs: false })).imageId();
    await expect(classic.images.build({ context: dir, builder: "buildkit" })).rejects.toThrow(/no sessions here/);
    expect(builds).toHaveLength(3);
    expect(sessions).toHaveLength(3);
    await expect(classic.images.build({ context: dir, builder: "kaniko" as "classic" })).rejects.toThrow(DockerArgumentError);
    expect(() => new Docker({ builder: "v2" as "classic" })).toThrow(/builder must be "buildkit" or "classic"/);
    // A tar stream under BuildKit is the request body: the session serves no FileSync.
    await expect(classic.images.build({ context: new Uint8Array(10), builder: "buildkit" })).rejects.toThrow(/no sessions here/);
    expect(sessions.at(-1)).not.toContain("FileSync");
    await expect(classic.images.build({ context: new Uint8Array(10), builder: "buildkit", dockerfileContent: "FROM busybox\n" })).rejects.toThrow(
      /add the Dockerfile to the tar instead/,
    );
    await expect(classic.images.build({ context: new Uint8Array(10), builder: "buildkit", remote: "https://example.com/c.tar" })).rejects.toThrow(/a context or a remote, not both/);
    expect(sessions).toHaveLength(4);
  });

  it("builds options only the classic builder applies with it when no builder is named, and refuses them under a named BuildKit", async () => {
    const builds = onBuild(SUCCESS);
    const sessions = refuseSessions();
    const daemonDefault = mock.client({ configDir: await tempDir("dockhand-config-") });
    const tar = () => new Uint8Array(1024);
    // The daemon's BuildKit would ignore these (or refuse the network): they pick the classic builder.
    const classicOnly: Array<Partial<BuildParams>> = [{ memory: 1 << 28 }, { memswap: -1 }, { cpushares: 512 }, { cpusetcpus: "0" }, { cpuperiod: 100_000 }, { cpuquota: 50_000 }, { networkmode: "bridge" }];
    for (const extra of classicOnly) await (await daemonDefault.images.build({ context: tar(), ...extra }, { authConfigs: false })).imageId();
    expect(builds).toHaveLength(classicOnly.length);
    expect(builds.every((b) => b.query.get("version") === null)).toBe(true);
    expect(builds[0]!.query.get("memory")).toBe(String(1 << 28));
    // What BuildKit applies too, or a zero (the daemon's "no limit"), leaves the choice to the daemon.
    for (const extra of [{ networkmode: "host" }, { shmsize: 1 << 26 }, { memory: 0, cpusetcpus: "" }]) {
      await expect(daemonDefault.images.build({ context: tar(), ...extra }, { authConfigs: false })).rejects.toThrow(/no sessions here/);
    }
    expect(sessions).toHaveLength(3);
    // Named BuildKit (per call or per client) never ignores them silently.
    const named = /^Build options memory, networkmode "mynet" are applied only by the classic builder \(the daemon's BuildKit does not apply them\): pass builder: "classic" to build with them$/;
    const failure = await daemonDefault.images.build({ context: tar(), builder: "buildkit", memory: 1 << 28, networkmode: "mynet" }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DockerArgumentError);
    expect((failure as Error).message).toMatch(named);
    await expect(mock.client({ builder: "buildkit" }).images.build({ context: tar(), cpushares: 2 })).rejects.toThrow(/option cpushares is applied only by the classic builder.*pass builder: "classic" to build with it$/);
    // Options of both builders at once cannot be built.
    await expect(daemonDefault.images.build({ context: tar(), memory: 1 << 28, secrets: { a: { value: "x" } } })).rejects.toThrow(
      /memory is applied only by the classic builder .*, but secrets needs BuildKit: leave one or the other out/,
    );
    expect(sessions).toHaveLength(3);
    expect(builds).toHaveLength(classicOnly.length);
  });

  it("counts shmsize as classic-only on engines whose BuildKit ignores it (before 23.0, API 1.42)", async () => {
    const old = await startMockDaemon({ apiVersion: "1.41", builderVersion: "2" });
    const docker = new Docker({ host: old.host, configDir: await tempDir("dockhand-config-") });
    try {
      const { id } = await docker.images.build({ dockerfileContent: "FROM busybox\n", shmsize: 1 << 26 }, { authConfigs: false }).then(async (b) => ({ id: await b.imageId() }));
      expect(old.state.findImage(id)).toBeDefined();
      await expect(docker.images.build({ dockerfileContent: "FROM busybox\n", shmsize: 1 << 26, builder: "buildkit" })).rejects.toThrow(
        /option shmsize \(BuildKit applies it from engine 23.0, API 1.42\) is applied only by the classic builder/,
      );
    } finally {
      await docker.close();
      await old.close();
    }
  });

  it("exports to the client with BuildKit only, one local or tar output with a dest, refused before anything is sent", async () => {
    const builds = onBuild(SUCCESS);
    const sessions = refuseSessions();
    const dir = await tempDir();
    await writeFile(join(dir, "Dockerfile"), "FROM busybox\n");
    const docker = await client();
    // The classic builder would ignore them; left to choose, outputs pick BuildKit.
    await expect(docker.images.build({ context: dir, builder: "classic", outputs: [{ type: "local", dest: "out" }] })).rejects.toThrow(
      /outputs need builder: "buildkit"/,
    );
    const daemonDefault = mock.client({ configDir: await tempDir("dockhand-config-") });
    await expect(daemonDefault.images.build({ context: dir, outputs: [{ type: "tar", dest: "out.tar" }] })).rejects.toThrow(/no sessions here/);
    expect(sessions[0]).toContain("/moby.filesync.v1.FileSend/DiffCopy");
    const refusals: Array<[unknown, RegExp]> = [
      [[{ type: "local", dest: "a" }, { type: "tar", dest: "b" }], /one output, got 2/],
      [[{ type: "image", dest: "a" }], /type must be "local" or "tar", got "image"/],
      [[{ type: "local", dest: "" }], /a local output needs dest, a directory path/],
      [[{ type: "local", dest: process.stdout }], /a local output needs dest/],
      [[{ type: "tar" }], /a tar output needs dest, a file path or a writable stream/],
      [{ type: "local", dest: "a" }, /outputs must be an array/],
    ];
    for (const [outputs, message] of refusals) {
      await expect(docker.images.build({ context: dir, builder: "buildkit", outputs: outputs as [] })).rejects.toThrow(message);
    }
    expect(sessions).toHaveLength(1);
    expect(builds).toHaveLength(0);
    // What the daemon is told: the exporter, never the client's path.
    const { exportTarget } = await import("../../../src/build/outputs.js");
    expect(exportTarget([{ type: "local", dest: "/home/me/out" }])?.query).toBe('[{"Type":"local","Attrs":{}}]');
  });

  it("announces the SSH and Auth services on BuildKit's session only when they are served; SSH needs BuildKit", async () => {
    const builds = onBuild(SUCCESS);
    const sessions = refuseSessions();
    const dir = await tempDir();
    await writeFile(join(dir, "Dockerfile"), "FROM busybox\n");
    const agent = createServer((socket) => socket.destroy());
    agent.listen(join(dir, "agent.sock"));
    await once(agent, "listening");
    try {
      const docker = await client();
      await expect(docker.images.build({ context: dir, ssh: { default: join(dir, "agent.sock") } })).rejects.toThrow(/SSH agent forwarding needs builder: "buildkit"/);
      // Left to choose, ssh picks BuildKit.
      const daemonDefault = mock.client({ configDir: await tempDir("dockhand-config-") });
      await expect(daemonDefault.images.build({ context: dir, ssh: { default: join(dir, "agent.sock") } })).rejects.toThrow(/no sessions here/);
      expect(sessions[0]).toContain("/moby.sshforward.v1.SSH/CheckAgent");
      expect(sessions[0]).toContain("/moby.sshforward.v1.SSH/ForwardAgent");
      expect(sessions[0]).toContain("/moby.filesync.v1.Auth/Credentials");
      await expect(daemonDefault.images.build({ context: dir, builder: "buildkit" }, { authConfigs: false })).rejects.toThrow(/no sessions here/);
      expect(sessions[1]).not.toContain("Auth");
      expect(sessions[1]).not.toContain("sshforward");
      expect(builds).toHaveLength(0);
    } finally {
      agent.close();
    }
  });

  it("cancels a build by its id with POST /build/cancel", async () => {
    const ids: Array<string | null> = [];
    mock.daemon.use(http.post(route("/build/cancel"), ({ request }) => {
      ids.push(new URL(request.url).searchParams.get("id"));
      return new HttpResponse(null, { status: 200 });
    }));
    await (await client()).images.cancelBuild("0123abcd");
    expect(ids).toEqual(["0123abcd"]);
  });

  it("rejects with BuildError carrying the output when a step fails", async () => {
    onBuild([
      { stream: "Step 1/2 : FROM busybox\n" },
      { stream: "Step 2/2 : RUN false\n" },
      { stream: " ---> Running in 42\n" },
      { errorDetail: { code: 1, message: "The command '/bin/sh -c false' returned a non-zero code: 1" }, error: "The command '/bin/sh -c false' returned a non-zero code: 1" },
    ]);
    const docker = await client();
    const failure = await (await docker.images.build({ dockerfileContent: "FROM busybox\nRUN false\n" }))
      .imageId()
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(BuildError);
    expect(failure).toMatchObject({
      message: "The command '/bin/sh -c false' returned a non-zero code: 1",
      code: 1,
      output: "Step 1/2 : FROM busybox\nStep 2/2 : RUN false\n ---> Running in 42\n",
    });
  });

  it("keeps a failed step's container only when asked (forcerm: false)", async () => {
    const calls = onBuild(SUCCESS);
    const docker = await client();
    await (await docker.images.build({ dockerfileContent: "FROM busybox\n", forcerm: false }, { authConfigs: false })).imageId();
    expect(calls[0]!.query.get("forcerm")).toBe("false");
  });

  it("fails with DockerProtocolError when the build ends without an image id", async () => {
    onBuild([{ stream: "Step 1/1 : FROM busybox\n" }]);
    const docker = await client();
    await expect((await docker.images.build({ dockerfileContent: "FROM busybox\n" })).imageId()).rejects.toThrow(DockerProtocolError);
  });

  it("refuses bad contexts before sending anything", async () => {
    const docker = await client();
    const dir = await tempDir();
    await expect(docker.images.build({ context: new Uint8Array(10), dockerfileContent: "FROM x\n" })).rejects.toThrow(DockerArgumentError);
    await expect(docker.images.build({ context: join(dir, "missing") })).rejects.toThrow(/cannot be read/);
    await expect(docker.images.build({ context: dir, dockerfile: "../Dockerfile" })).rejects.toThrow(/inside the build context/);
    await expect(docker.images.build({ context: 42 as unknown as string })).rejects.toThrow(/async iterable of bytes/);
    expect(mock.daemon.requests.filter((r) => r.path === "/build")).toEqual([]);
  });

  it("sends a remote context as the remote parameter with no body", async () => {
    const calls = onBuild(SUCCESS);
    const docker = await client();
    await (await docker.images.build({ remote: "https://example.com/repo.git#main" }, { authConfigs: false })).imageId();
    expect(calls[0]!.query.get("remote")).toBe("https://example.com/repo.git#main");
    expect(calls[0]!.body.length).toBe(0);
  });
});

describe("registry credentials", () => {
  it("pulls with X-Registry-Auth from the client's config directory, and none with auth: false", async () => {
    mock.daemon.state.addRemoteImage("registry.example.com/team/app:1", { layers: 1, size: 10 });
    const auth = Buffer.from("me:pw").toString("base64");
    const docker = await client({ auths: { "registry.example.com": { auth } } });
    await docker.images.pull("registry.example.com/team/app:1");
    const pull = mock.daemon.requests.find((r) => r.path === "/images/create")!;
    expect(decodeAuthConfig(pull.headers["x-registry-auth"]!)).toEqual({
      username: "me",
      password: "pw",
      serveraddress: "registry.example.com",
    });
    expect(pull.url).not.toContain("pw");
    mock.daemon.clearRequests();
    await docker.images.pull("registry.example.com/team/app:1", {}, { auth: false });
    expect(mock.daemon.requests.find((r) => r.path === "/images/create")!.headers["x-registry-auth"]).toBeUndefined();
  });

  it("sends the image's registry credentials on service create/update, plugin pull and distribution inspect", async () => {
    const seen = new Map<string, string | null>();
    const record = (name: string, reply: () => Response) => async ({ request }: { request: Request }) => {
      seen.set(name, request.headers.get("x-registry-auth"));
      return reply();
    };
    mock.daemon.use(
      http.post(route("/services/create"), record("service create", () => HttpResponse.json({ ID: "s1" }, { status: 201 }))),
      http.post(route("/services/:id/update"), record("service update", () => HttpResponse.json({ Warnings: [] }))),
      http.post(route("/plugins/pull"), record("plugin pull", () => jsonLines([{ status: "Download complete" }]))),
      http.get(route("/distribution/:name+/json"), record("distribution inspect", () =>
        HttpResponse.json({ Descriptor: { mediaType: "m", digest: `sha256:${"0".repeat(64)}`, size: 1 }, Platforms: [] }),
      )),
    );
    const auth = Buffer.from("me:pw").toString("base64");
    const docker = await client({ auths: { "registry.example.com": { auth } } });
    const spec = { TaskTemplate: { ContainerSpec: { Image: "registry.example.com/team/app:1" } } };
    await docker.services.create(spec);
    await docker.services.update("s1", { version: 1 }, spec);
    await (await docker.plugins.pull({ remote: "registry.example.com/team/plugin:1" })).done();
    await docker.distribution.inspect("registry.example.com/team/app:1");
    expect([...seen.keys()]).toEqual(["service create", "service update", "plugin pull", "distribution inspect"]);
    for (const header of seen.values()) {
      expect(decodeAuthConfig(header!)).toEqual({ username: "me", password: "pw", serveraddress: "registry.example.com" });
    }
  });
});

describe("images.load, import, get", () => {
  it("uploads the archive as a stream and reads the progress", async () => {
    let received: Uint8Array | undefined;
    mock.daemon.use(
      http.post(route("/images/load"), async ({ request }) => {
        received = new Uint8Array(await request.arrayBuffer());
        return jsonLines([{ stream: "Loaded image: busybox:local\n" }]);
      }),
    );
    const docker = await client();
    const archive = new Uint8Array(100_000).map((_, i) => i % 251);
    async function* chunks() {
      for (let i = 0; i < archive.length; i += 30_000) yield archive.subarray(i, i + 30_000);
    }
    const messages = await (await docker.images.load({}, chunks())).collect();
    expect(messages).toEqual([{ stream: "Loaded image: busybox:local\n" }]);
    expect(Buffer.compare(Buffer.from(received!), Buffer.from(archive))).toBe(0);
  });

  it("fails the load stream with the daemon's message", async () => {
    mock.daemon.use(http.post(route("/images/load"), () => jsonLines([{ errorDetail: { message: "unexpected EOF" }, error: "unexpected EOF" }])));
    const docker = await client();
    const failure = (await docker.images.load({}, new Uint8Array(10))).done();
    await expect(failure).rejects.toThrow(DockerStreamError);
    await expect(failure).rejects.toThrow("unexpected EOF");
  });

  it("refuses a path or text where an archive belongs", async () => {
    const docker = await client();
    await expect(docker.images.load({}, "busybox.tar" as unknown as Uint8Array)).rejects.toThrow(/got a string/);
    async function* text() {
      yield "text" as unknown as Uint8Array;
    }
    await expect(docker.images.load({}, text())).rejects.toThrow(/yielded string chunks/);
  });

  it("imports a root filesystem with fromSrc=-", async () => {
    let query: URLSearchParams | undefined;
    let size = 0;
    mock.daemon.use(
      http.post(route("/images/create"), async ({ request }) => {
        query = new URL(request.url).searchParams;
        size = (await request.arrayBuffer()).byteLength;
        return jsonLines([{ status: `sha256:${"cd".repeat(32)}` }]);
      }),
    );
    const docker = await client();
    await (await docker.images.import({ repo: "mine/rootfs", tag: "1", changes: ["CMD [\"sh\"]"] }, new Uint8Array(4096))).done();
    expect(Object.fromEntries(query!)).toEqual({ fromSrc: "-", repo: "mine/rootfs", tag: "1", changes: 'CMD ["sh"]' });
    expect(size).toBe(4096);
  });

  it("streams a saved image as bytes", async () => {
    const tar = new Uint8Array(70_000).fill(7);
    mock.daemon.use(http.get(route("/images/:name/get"), () => new HttpResponse(tar, { headers: { "Content-Type": "application/x-tar" } })));
    const docker = await client();
    expect((await bytesOf(await docker.images.get("busybox:local"))).length).toBe(70_000);
  });
});
