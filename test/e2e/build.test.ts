// images.build with the classic builder against a real engine: a directory context with
// .dockerignore, build args, labels, a failing step, and a Dockerfile given as text. (BuildKit
// builds: buildkit.test.ts.)
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { BuildError, Docker, NotFoundError } from "../../src/index.js";
import { TEST_IMAGE, describeEngine, engineHost } from "./engine.js";
import { diverges } from "./engines.js";

const TAG = `dockhand-e2e-build:${process.pid}`;
const LABEL = { "dockhand.test": "build-e2e" };

describeEngine("image builds on a real engine", () => {
  let docker: Docker;
  let context: string;

  beforeAll(async () => {
    docker = new Docker({ host: engineHost(), builder: "classic" });
    context = await mkdtemp(join(tmpdir(), "dockhand-e2e-build-"));
    const files: Record<string, string> = {
      Dockerfile: [
        `FROM ${TEST_IMAGE}`,
        "ARG FLAVOUR=plain",
        "COPY . /app/",
        'RUN echo "flavour=$FLAVOUR" > /app/flavour && mkdir -p /app/made && echo built > /app/made/by-run',
        'CMD ["sh", "-c", "cat /app/flavour; cd /app && find . -type f | sort"]',
        "",
      ].join("\n"),
      // Listing the Dockerfile and .dockerignore must not keep them from the daemon.
      ".dockerignore": "# local junk\nsecret.env\n*.log\ncache\n!cache/keep.txt\nDockerfile\n.dockerignore\n",
      "app.sh": "echo app\n",
      "secret.env": "TOKEN=do-not-ship\n",
      "debug.log": "noise\n",
      "cache/blob.bin": "big\n",
      "cache/keep.txt": "kept\n",
      "lib/util.sh": "echo util\n",
    };
    for (const [name, content] of Object.entries(files)) {
      await mkdir(join(context, name, ".."), { recursive: true });
      await writeFile(join(context, name), content);
    }
  });

  afterAll(async () => {
    const leftovers = await docker.containers.list({ all: true, filters: { label: ["dockhand.test=build-e2e"] } });
    await Promise.all(leftovers.map((c) => docker.containers.remove(c.Id!, { force: true })));
    await docker.images.remove(TAG, { force: true }).catch((err: unknown) => {
      if (!(err instanceof NotFoundError)) throw err;
    });
    await docker.close();
    await rm(context, { recursive: true, force: true });
  });

  /** Runs `image` with its default command and returns its stdout. */
  async function run(image: string): Promise<string> {
    const { Id } = await docker.containers.create({ Image: image, Labels: LABEL });
    await docker.containers.start(Id);
    expect((await docker.containers.wait(Id)).StatusCode).toBe(0);
    const { stdout } = await (await docker.containers.logs(Id, { stdout: true, stderr: true })).text();
    await docker.containers.remove(Id);
    return stdout;
  }

  it("builds a directory context honouring .dockerignore, with build args and labels", async () => {
    const output: string[] = [];
    const build = await docker.images.build({
      context,
      tags: [TAG],
      buildargs: { FLAVOUR: "spicy" },
      labels: { "org.example.stage": "e2e" },
      nocache: true,
      rm: true,
    });
    const id = await build.imageId((message) => message.stream && output.push(message.stream));
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const step = diverges("buildOutput") ? /STEP \d+\/\d+: RUN echo "flavour=\$FLAVOUR"/ : /Step \d+\/\d+ : RUN echo "flavour=\$FLAVOUR"/;
    expect(output.join("")).toMatch(step);

    const image = await docker.images.inspect(TAG);
    expect(image.Id).toBe(id);
    expect(image.Config?.Labels).toMatchObject({ "org.example.stage": "e2e" });

    // Ignored files never left the host; the daemon hides the (listed) Dockerfile and .dockerignore from COPY.
    expect(await run(TAG)).toBe(
      ["flavour=spicy", "./app.sh", "./cache/keep.txt", "./flavour", "./lib/util.sh", "./made/by-run", ""].join("\n"),
    );
  });

  it("fails a broken step with BuildError carrying the daemon's message and the build output, leaving no container", async () => {
    const before = new Set((await docker.containers.list({ all: true })).map((c) => c.Id));
    const failure = await (
      await docker.images.build({ context, dockerfileContent: `FROM ${TEST_IMAGE}\nRUN echo before-failing && false\n` })
    )
      .imageId()
      .catch((err: unknown) => err);
    // forcerm defaults to true: the failed step's intermediate container is gone.
    const left = (await docker.containers.list({ all: true })).filter((c) => !before.has(c.Id));
    expect(left.filter((c) => c.Command?.includes("before-failing"))).toEqual([]);
    expect(failure).toBeInstanceOf(BuildError);
    const error = failure as BuildError;
    expect(error.message).toMatch(diverges("buildOutput") ? /exit status 1/ : /returned a non-zero code: 1/);
    expect(error.output).toContain("RUN echo before-failing && false");
    expect(error.output).toContain("before-failing\n");
  });

  it("builds from a Dockerfile given as text, without a context directory", async () => {
    const id = await (
      await docker.images.build({ dockerfileContent: `FROM ${TEST_IMAGE}\nRUN echo inline > /inline\nCMD ["cat", "/inline"]\n` })
    ).imageId();
    try {
      expect(await run(id)).toBe("inline\n");
    } finally {
      await docker.images.remove(id, { force: true });
    }
  });
});
