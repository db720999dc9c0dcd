// Classic image builds in the mock daemon, driven through the real client: the daemon's output,
// the stored image (config, layers, history, tags, events), and the daemon's errors.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  BadRequestError,
  BuildError,
  DockerStreamError,
  InternalServerError,
  NotImplementedError,
  type Docker,
  type ProgressMessage,
} from "../../../src/index.js";
import { startMockDaemon, type MockEvent } from "../../../src/testing/index.js";
import { useMockDaemon } from "../../support/mock-daemon.js";
import { cleanup, craftTar, tempDir } from "../build/tar-helpers.js";

const mock = useMockDaemon({ apiVersion: "1.41" });
afterEach(() => cleanup());

/** A context directory holding `files` (name → content). */
async function contextDir(files: Record<string, string>): Promise<string> {
  const dir = await tempDir("dockhand-mock-build-");
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

/** The build's `stream` text, and its id or failure. */
async function build(docker: Docker, params: Parameters<Docker["images"]["build"]>[0]): Promise<{ text: string; id?: string; error?: unknown; messages: ProgressMessage[] }> {
  const messages: ProgressMessage[] = [];
  const stream = await docker.images.build({ ...params }, { authConfigs: false });
  try {
    const id = await stream.imageId((message) => messages.push(message));
    return { text: messages.map((m) => m.stream ?? "").join(""), id, messages };
  } catch (error) {
    return { text: messages.map((m) => m.stream ?? "").join(""), error, messages };
  }
}

const APP = {
  "Dockerfile": [
    "# syntax=docker/dockerfile:1",
    "ARG BASE=busybox",
    "FROM $BASE",
    "ARG FLAVOUR=plain",
    "ENV GREETING=hi \\",
    '    OTHER="two words"',
    "LABEL stage=final",
    "WORKDIR /app",
    "COPY app.sh lib/ ./",
    'RUN echo "flavour=$FLAVOUR $GREETING" && echo to-stderr >&2',
    "USER nobody",
    "EXPOSE 8080 53/udp",
    'ENTRYPOINT ["sh", "-c"]',
    'CMD ["echo $GREETING from $OTHER"]',
    "",
  ].join("\n"),
  "app.sh": "echo app\n",
  "lib/util.sh": "echo util\n",
};

describe("classic builds in the mock daemon", () => {
  it("runs a Dockerfile step by step with the daemon's output and stores the image", async () => {
    const docker = mock.client();
    const events: MockEvent[] = [];
    const unsubscribe = mock.daemon.state.events.subscribe((event) => events.push(event));
    const context = await contextDir(APP);
    const result = await build(docker, {
      context,
      tags: ["app:1", "app:latest"],
      buildargs: { FLAVOUR: "spicy", UNUSED: "x" },
      labels: { team: "core" },
    });
    unsubscribe();
    expect(result.error).toBeUndefined();
    const lines = result.text.split("\n");
    expect(lines.filter((line) => line.startsWith("Step "))).toEqual([
      `Step 1/13 : ARG BASE=busybox`,
      `Step 2/13 : FROM $BASE`,
      `Step 3/13 : ARG FLAVOUR=plain`,
      `Step 4/13 : ENV GREETING=hi     OTHER="two words"`,
      `Step 5/13 : LABEL stage=final`,
      `Step 6/13 : WORKDIR /app`,
      `Step 7/13 : COPY app.sh lib/ ./`,
      `Step 8/13 : RUN echo "flavour=$FLAVOUR $GREETING" && echo to-stderr >&2`,
      `Step 9/13 : USER nobody`,
      `Step 10/13 : EXPOSE 8080 53/udp`,
      `Step 11/13 : ENTRYPOINT ["sh", "-c"]`,
      `Step 12/13 : CMD ["echo $GREETING from $OTHER"]`,
      // The label option is a step of its own.
      `Step 13/13 : LABEL team=core`,
    ]);
    expect(result.text).toMatch(/Step 8\/13 : RUN .*\n ---> Running in [0-9a-f]{12}\nflavour=spicy hi\n\u001b\[91mto-stderr\n\u001b\[0mRemoving intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}\n/);
    const id = result.id!;
    expect(result.text.endsWith(
      `[Warning] One or more build-args [UNUSED] were not consumed\nSuccessfully built ${id.slice(7, 19)}\nSuccessfully tagged app:1\nSuccessfully tagged app:latest\n`,
    )).toBe(true);
    expect(result.messages.filter((m) => m.aux)).toEqual([{ aux: { ID: id } }]);

    // imageId() is the stored image, with the config the Dockerfile made.
    const image = await docker.images.inspect("app:1");
    expect(image.Id).toBe(id);
    expect(image.RepoTags).toEqual(["app:1", "app:latest"]);
    expect(image.Config).toMatchObject({
      Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "GREETING=hi", "OTHER=two words"],
      WorkingDir: "/app",
      User: "nobody",
      Entrypoint: ["sh", "-c"],
      Cmd: ["echo $GREETING from $OTHER"],
      ExposedPorts: { "8080/tcp": {}, "53/udp": {} },
      Labels: { stage: "final", team: "core" },
    });
    const base = await docker.images.inspect("busybox");
    // One layer for COPY, one for RUN, on top of the base's.
    expect(image.RootFS?.Layers).toEqual([...base.RootFS!.Layers!, expect.any(String), expect.any(String)]);
    expect(image.Parent).toMatch(/^sha256:/);

    const history = await docker.images.history("app:1");
    expect(history[0]).toMatchObject({ Id: id, CreatedBy: "/bin/sh -c #(nop)  LABEL team=core", Tags: ["app:1", "app:latest"], Size: 0 });
    expect(history.map((entry) => entry.CreatedBy)).toContain('|1 FLAVOUR=spicy /bin/sh -c echo "flavour=$FLAVOUR $GREETING" && echo to-stderr >&2');
    expect(history.map((entry) => entry.CreatedBy)).toContain('/bin/sh -c #(nop)  CMD ["echo $GREETING from $OTHER"]');
    expect(history.at(-1)).toMatchObject({ Id: base.Id, Tags: ["busybox:latest"] });
    expect(history.find((entry) => entry.CreatedBy.includes("COPY multi:"))?.Size).toBe(19);

    // Intermediate images show only with `all`; no intermediate container is left.
    expect((await docker.images.list()).map((summary) => summary.Id).sort()).toEqual([base.Id, id].sort());
    expect((await docker.images.list({ all: true })).length).toBe(12);
    expect(await docker.containers.list({ all: true })).toEqual([]);

    // The daemon's events: a container per step (the RUN one attached, started, dead), then the tags.
    const containerActions = events.filter((event) => event.type === "container").map((event) => event.action);
    expect(containerActions.filter((action) => action === "create")).toHaveLength(10);
    expect(containerActions.filter((action) => action === "destroy")).toHaveLength(10);
    expect(containerActions.filter((action) => action !== "create" && action !== "destroy")).toEqual(["attach", "start", "die"]);
    expect(events.filter((event) => event.type === "image").map((event) => [event.action, event.attributes])).toEqual([
      ["tag", { stage: "final", team: "core", name: "app:1" }],
      ["tag", { stage: "final", team: "core", name: "app:latest" }],
    ]);

    // A container of the built image runs its entrypoint and command.
    const { Id } = await docker.containers.create({ Image: "app:1" });
    await docker.containers.start(Id);
    expect((await docker.containers.wait(Id)).StatusCode).toBe(0);
    expect((await (await docker.containers.logs(Id, { stdout: true })).text()).stdout).toBe("hi from two words\n");
    await docker.containers.remove(Id);
    await docker.images.remove("app:latest");
    await docker.images.remove("app:1");
    expect(mock.daemon.state.images.size).toBe(1);
  });

  it("records the config and each step's history text as dockerd 20.10 does", async () => {
    const docker = mock.client();
    const context = await contextDir({
      "a.txt": "hello\n",
      "d/x.txt": "xx\n",
      "d/y.txt": "yyy\n",
      Dockerfile: [
        "FROM busybox",
        "ARG V=1",
        'ENV A=1 B="two words"',
        'LABEL "a b"="c d" e=f',
        "WORKDIR /app",
        "WORKDIR sub",
        "COPY a.txt .",
        "COPY d /d/",
        "COPY a.txt d/x.txt /m/",
        "ADD a.txt /b.txt",
        "RUN echo $V",
        'SHELL ["/bin/sh", "-c"]',
        "USER 1000:1000",
        "EXPOSE 80 53/UDP",
        "VOLUME /data",
        "STOPSIGNAL SIGINT",
        "ENTRYPOINT echo e",
        'CMD ["x"]',
        "MAINTAINER me",
        "",
      ].join("\n"),
    });
    const { id } = await build(docker, { context, buildargs: { V: "7" } });
    const image = await docker.images.inspect(id!);
    expect(image.Config).toMatchObject({
      User: "1000:1000",
      ExposedPorts: { "53/udp": {}, "80/tcp": {} },
      Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "A=1", "B=two words"],
      Cmd: ["x"],
      Volumes: { "/data": {} },
      WorkingDir: "/app/sub",
      Entrypoint: ["/bin/sh", "-c", "echo e"],
      Labels: { "a b": "c d", e: "f" },
      StopSignal: "SIGINT",
      Shell: ["/bin/sh", "-c"],
    });
    // What a real 20.10 daemon recorded for this Dockerfile (content hashes aside), newest first.
    const history = (await docker.images.history(id!)).slice(0, -1).map((entry) => [entry.Size, entry.CreatedBy.replace(/:[0-9a-f]{64} /, ":<hash> ")]);
    expect(history).toEqual([
      [0, "/bin/sh -c #(nop)  MAINTAINER me"],
      [0, '/bin/sh -c #(nop)  CMD ["x"]'],
      [0, '/bin/sh -c #(nop)  ENTRYPOINT ["/bin/sh" "-c" "echo e"]'],
      [0, "/bin/sh -c #(nop)  STOPSIGNAL SIGINT"],
      [0, "/bin/sh -c #(nop)  VOLUME [/data]"],
      [0, "/bin/sh -c #(nop)  EXPOSE 53/UDP 80"],
      [0, "/bin/sh -c #(nop)  USER 1000:1000"],
      [0, "/bin/sh -c #(nop)  SHELL [/bin/sh -c]"],
      [0, "|1 V=7 /bin/sh -c echo $V"],
      [6, "/bin/sh -c #(nop) ADD file:<hash> in /b.txt "],
      [9, "/bin/sh -c #(nop) COPY multi:<hash> in /m/ "],
      [7, "/bin/sh -c #(nop) COPY dir:<hash> in /d/ "],
      [6, "/bin/sh -c #(nop) COPY file:<hash> in . "],
      [0, "/bin/sh -c #(nop) WORKDIR /app/sub"],
      [0, "/bin/sh -c #(nop) WORKDIR /app"],
      [0, "/bin/sh -c #(nop)  LABEL a b=c d e=f"],
      [0, "/bin/sh -c #(nop)  ENV A=1 B=two words"],
      [0, "/bin/sh -c #(nop)  ARG V=1"],
    ]);
  });

  it("builds a tar stream context with a Dockerfile elsewhere in it, and a Dockerfile given as text", async () => {
    const docker = mock.client();
    const tar = await craftTar([
      { header: { name: "build/Dockerfile.dev" }, content: "FROM busybox\nCOPY src/main.txt /main.txt\nCMD [\"echo\", \"dev\"]\n" },
      { header: { name: "src/main.txt" }, content: "main\n" },
    ]);
    const fromTar = await build(docker, { context: tar, dockerfile: "build/Dockerfile.dev", tags: "dev:1" });
    expect(fromTar.error).toBeUndefined();
    expect((await docker.images.inspect("dev:1")).Config?.Cmd).toEqual(["echo", "dev"]);

    const inline = await build(docker, { dockerfileContent: "FROM busybox\nRUN echo inline\n", builder: "classic" });
    expect(inline.text).toContain("\ninline\n");
    expect((await docker.images.inspect(inline.id!)).Id).toBe(inline.id);
  });

  it("fails a RUN step with the classic builder's message, exit code and output", async () => {
    const docker = mock.client();
    const context = await contextDir({ Dockerfile: "FROM busybox\nRUN echo before-failing && exit 3\n" });
    const failed = await build(docker, { context });
    expect(failed.error).toBeInstanceOf(BuildError);
    const error = failed.error as BuildError;
    expect(error.message).toBe("The command '/bin/sh -c echo before-failing && exit 3' returned a non-zero code: 3");
    expect(error.code).toBe(3);
    expect(error.output).toContain("before-failing\n");
    // The client's forcerm default removes the failed step's container.
    expect(error.output).toMatch(/Removing intermediate container [0-9a-f]{12}\n$/);
    expect(await docker.containers.list({ all: true })).toEqual([]);

    // Without forcerm the daemon keeps it, exited, for debugging.
    const kept = await build(docker, { context, forcerm: false, rm: true });
    expect((kept.error as BuildError).code).toBe(3);
    const [container] = await docker.containers.list({ all: true });
    expect(container).toMatchObject({ State: "exited" });
    expect(container!.Command).toContain("echo before-failing && exit 3");
    await docker.containers.remove(container!.Id!);

    const missing = await build(docker, { context, dockerfileContent: "FROM busybox\nRUN frobnicate\n" });
    expect((missing.error as BuildError).message).toBe("The command '/bin/sh -c frobnicate' returned a non-zero code: 127");
    expect(missing.text).toContain("\u001b[91m/bin/sh: frobnicate: not found\n\u001b[0m");
  });

  it("keeps the steps' containers with rm: false, and pulls the base again with pull: true", async () => {
    const docker = mock.client();
    const result = await build(docker, { dockerfileContent: "FROM busybox\nENV A=1\nRUN true\n", builder: "classic", rm: false, pull: true });
    expect(result.error).toBeUndefined();
    expect(result.text).not.toContain("Removing intermediate container");
    expect(result.messages.map((m) => m.status).filter(Boolean)).toEqual(["Pulling from library/busybox", expect.stringMatching(/^Digest: /), "Status: Image is up to date for busybox:latest"]);
    const kept = await docker.containers.list({ all: true });
    expect(kept.map((container) => container.State).sort()).toEqual(["created", "exited"]);
    const metadata = await docker.containers.inspect(kept.find((container) => container.State === "created")!.Id!);
    // The daemon's own command for a step that only changes the config.
    expect(metadata.Config?.Cmd).toEqual(["/bin/sh", "-c", "#(nop) ", "ENV A=1"]);
    for (const container of kept) await docker.containers.remove(container.Id!);
  });

  it("stops the running step when the client goes away, leaving no container", async () => {
    const docker = mock.client();
    const controller = new AbortController();
    const stream = await docker.images.build({ dockerfileContent: "FROM busybox\nRUN echo started && sleep 60\n", builder: "classic" }, { signal: controller.signal });
    const failure = stream
      .imageId((message) => {
        if (message.stream === "started\n") controller.abort();
      })
      .catch((error: unknown) => error);
    expect(await failure).toBeInstanceOf(Error);
    await expect.poll(() => mock.daemon.state.containers.size, { timeout: 10_000 }).toBe(0);
  });

  it("fails COPY of what is not in the context, or outside it, as the classic builder words it", async () => {
    const docker = mock.client();
    const cases: Array<[string, string]> = [
      ["COPY nope.txt /x/", "COPY failed: file not found in build context or excluded by .dockerignore: stat nope.txt: file does not exist"],
      ["ADD *.md /docs/", "ADD failed: no source files were specified"],
      ["COPY ../secret /x", "COPY failed: forbidden path outside the build context: ../secret ()"],
      // The daemon hides a Dockerfile that .dockerignore lists.
      ["COPY Dockerfile /x", "COPY failed: file not found in build context or excluded by .dockerignore: stat Dockerfile: file does not exist"],
      ["RUN --mount=type=cache,target=/c true", "the --mount option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled"],
    ];
    for (const [step, message] of cases) {
      const context = await contextDir({ Dockerfile: `FROM busybox\n${step}\n`, ".dockerignore": "Dockerfile\n", "a.txt": "a" });
      const result = await build(docker, { context });
      expect(result.error, step).toBeInstanceOf(BuildError);
      expect((result.error as BuildError).message).toBe(message);
    }
    const ok = await build(docker, { context: await contextDir({ Dockerfile: "FROM busybox\nCOPY /a.txt *.txt /x/\n", "a.txt": "a", "b.txt": "b" }) });
    expect(ok.error).toBeUndefined();
  });

  it("rejects a Dockerfile the daemon cannot parse with its 400, before any output", async () => {
    const docker = mock.client();
    const cases: Array<[string, string]> = [
      ["FROM busybox\nFROB x\n", "dockerfile parse error line 2: unknown instruction: FROB"],
      ["FROM busybox\nENV\n", "dockerfile parse error line 2: ENV requires at least one argument"],
      ["FROM busybox\nENV A=1 B\n", `failed to parse Dockerfile: Syntax error - can't find = in "B". Must be of the form: name=value`],
      ["ENV A=b\nFROM busybox\n", "no build stage in current context"],
      ["# only a comment\n", "failed to parse Dockerfile: file with no instructions"],
    ];
    for (const [dockerfileContent, message] of cases) {
      const failure = await docker.images.build({ dockerfileContent, builder: "classic" }).catch((error: unknown) => error);
      expect(failure, dockerfileContent).toBeInstanceOf(BadRequestError);
      expect((failure as BadRequestError).message).toBe(message);
    }
    const target = await docker.images.build({ dockerfileContent: "FROM busybox AS a\n", target: "zz", builder: "classic" }).catch((error: unknown) => error);
    expect((target as BadRequestError).message).toBe("failed to reach build target zz in Dockerfile");
    const located = await docker.images.build({ context: await craftTar([{ header: { name: "x" }, content: "" }]), dockerfile: "Other" }).catch((error: unknown) => error);
    expect(located).toBeInstanceOf(InternalServerError);
    expect((located as InternalServerError).message).toBe("Cannot locate specified Dockerfile: Other");
  });

  it("builds the stages up to the target, with build args before FROM and COPY --from", async () => {
    const docker = mock.client();
    const dockerfileContent = [
      "ARG VARIANT=one",
      "FROM busybox AS base",
      "ARG VARIANT",
      "ENV VARIANT=$VARIANT",
      "RUN echo base-$VARIANT",
      "FROM base AS tools",
      "COPY --from=base /etc/passwd /copied",
      "RUN echo tools-$VARIANT",
      "FROM busybox",
      "RUN echo never-built",
      "",
    ].join("\n");
    const result = await build(docker, { dockerfileContent, builder: "classic", target: "tools", buildargs: { VARIANT: "two" }, labels: { built: "tools" } });
    expect(result.error).toBeUndefined();
    expect(result.text).toContain("Step 9/9 : LABEL built=tools\n");
    expect(result.text).toContain("\nbase-two\n");
    expect(result.text).toContain("\ntools-two\n");
    expect(result.text).not.toContain("never-built");
    expect(result.text).not.toContain("[Warning]");
    // Each stage reports its image; the last one is the build's.
    const ids = result.messages.filter((m) => m.aux).map((m) => (m.aux as { ID: string }).ID);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(result.id);
    const image = await docker.images.inspect(result.id!);
    expect(image.Config?.Env).toContain("VARIANT=two");
    expect(image.Config?.Labels).toEqual({ built: "tools" });
  });

  it("pulls a base image missing locally from the mock registry, and reports one the registry lacks", async () => {
    const docker = mock.client();
    const events: MockEvent[] = [];
    const unsubscribe = mock.daemon.state.events.subscribe((event) => events.push(event));
    const pulled = await build(docker, { dockerfileContent: "FROM alpine\nRUN echo on-alpine\n", builder: "classic" });
    unsubscribe();
    expect(pulled.error).toBeUndefined();
    expect(pulled.messages.map((m) => m.status).filter(Boolean)).toEqual(
      expect.arrayContaining(["Pulling from library/alpine", "Pull complete", "Status: Downloaded newer image for alpine:latest"]),
    );
    expect(events.find((event) => event.type === "image")).toMatchObject({ action: "pull", actorId: "alpine:latest" });
    expect((await docker.images.inspect("alpine")).RepoTags).toEqual(["alpine:latest"]);

    const missing = await build(docker, { dockerfileContent: "FROM nosuch/image:1\n", builder: "classic" });
    expect(missing.error).toBeInstanceOf(DockerStreamError);
    expect((missing.error as Error).message).toBe(
      "pull access denied for nosuch/image, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
    );
  });

  it("uses the cache for a step it built before unless nocache, and prints only the id when quiet", async () => {
    const docker = mock.client();
    const context = await contextDir({ Dockerfile: "FROM busybox\nCOPY a.txt /\nRUN echo slow\n", "a.txt": "a" });
    const first = await build(docker, { context });
    const second = await build(docker, { context });
    expect(second.id).toBe(first.id);
    expect(second.text).not.toContain("\nslow\n");
    expect(second.text.match(/ ---> Using cache\n/g)).toHaveLength(2);
    await writeFile(join(context, "a.txt"), "changed");
    const changed = await build(docker, { context });
    expect(changed.text.match(/Using cache/g)).toBeNull();
    const fresh = await build(docker, { context, nocache: true });
    expect(fresh.id).not.toBe(changed.id);
    expect(fresh.text).toContain("\nslow\n");

    // Quiet: the daemon sends the id as the only output, no aux message.
    const quiet = await docker.images.build({ context, q: true, nocache: true, tags: "quiet:1" }, { authConfigs: false });
    const messages: ProgressMessage[] = [];
    for await (const message of quiet) messages.push(message);
    const stored = await docker.images.inspect("quiet:1");
    expect(messages).toEqual([{ stream: `${stored.Id}\n` }]);
    // The client reads the id from that line, as it reads aux.ID from a verbose build.
    const again = await docker.images.build({ context, q: true, nocache: true, tags: "quiet:2" }, { authConfigs: false });
    expect(await again.imageId()).toBe((await docker.images.inspect("quiet:2")).Id);
  });
});

describe("BuildKit against the mock daemon", () => {
  it("answers a BuildKit build with a clear error, and builds when the client asks for the classic builder", async () => {
    const daemon = await startMockDaemon({ builderVersion: "2" });
    const { Docker } = await import("../../../src/index.js");
    const docker = new Docker({ host: daemon.host });
    try {
      const context = await contextDir({ Dockerfile: "FROM busybox\n" });
      const failure = await docker.images.build({ context }, { authConfigs: false }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(NotImplementedError);
      expect((failure as Error).message).toBe('the mock daemon builds with the classic builder only (pass builder: "classic")');
      const id = await (await docker.images.build({ context, builder: "classic" }, { authConfigs: false })).imageId();
      expect(daemon.state.findImage(id)).toBeDefined();
    } finally {
      await docker.close();
      await daemon.close();
    }
  });
});
