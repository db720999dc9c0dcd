// Managed plugins end to end, with a plugin built here: busybox's filesystem (exported through
// the SDK from a created container) as rootfs, plus a config.json declaring a settable env var.
// Such a plugin cannot activate: the daemon waits for it to listen on its unix socket and busybox
// has nothing that listens on one. So enabling ends in the daemon's own error, which is asserted.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tar from "tar-fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ConflictError, DockerAPIError, Docker, NotFoundError } from "../../src/index.js";
import { TEST_IMAGE, engineHost } from "./engine.js";
import { describeEngineUnless, why } from "./engines.js";

const NAME = `dockhand-e2e/noop-${process.pid}:latest`;
const SOCKET = "noop.sock";

/** The plugin's config.json (the daemon reads it case-insensitively; the CLI's tooling writes lower case). */
const CONFIG = {
  description: "dockhand e2e plugin that never listens",
  documentation: "https://example.invalid/dockhand",
  // Exits promptly on SIGTERM, so a failed enable does not wait out the daemon's kill timeout.
  entrypoint: ["/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"],
  workdir: "/",
  interface: { types: ["docker.volumedriver/1.0"], socket: SOCKET },
  network: { type: "none" },
  env: [{ name: "DEBUG", description: "verbosity", settable: ["value"], value: "0" }],
  linux: { capabilities: [] },
  mounts: [],
};

describeEngineUnless("plugins")(`plugins${why("plugins")}`, () => {
  let docker: Docker;
  let work: string;

  beforeAll(async () => {
    docker = new Docker({ host: engineHost() });
    await docker.plugins.remove(NAME, { force: true }).catch((err: unknown) => {
      if (!(err instanceof NotFoundError)) throw err;
    });
    work = await mkdtemp(path.join(tmpdir(), "dockhand-plugin-"));
    const rootfs = path.join(work, "rootfs");
    await mkdir(rootfs);
    const { Id } = await docker.containers.create({ Image: TEST_IMAGE, Cmd: ["true"], Labels: { "dockhand.test": "plugins-e2e" } });
    try {
      // Device nodes are skipped (strict: false), as are absolute symlinks such as etc/mtab, which
      // tar-fs will not create: the daemon sets up /dev and /proc for the plugin itself.
      const absoluteLink = (_: string, header?: tar.Headers) =>
        header?.type === "symlink" && path.isAbsolute((header as { linkname?: string }).linkname ?? "");
      await pipeline(
        Readable.from(await docker.containers.export(Id)),
        tar.extract(rootfs, { strict: false, ignore: absoluteLink }),
      );
    } finally {
      await docker.containers.remove(Id, { force: true });
    }
    await writeFile(path.join(work, "config.json"), JSON.stringify(CONFIG));
  });

  afterAll(async () => {
    await docker.plugins.remove(NAME, { force: true }).catch(() => {});
    await rm(work, { recursive: true, force: true });
    await docker.close();
  });

  it("creates a plugin from a tar of config.json and rootfs/", async () => {
    // A Node stream iterates as `unknown` in @types/node; its chunks are Buffers.
    await docker.plugins.create({ name: NAME }, tar.pack(work) as AsyncIterable<Uint8Array>);
    const plugin = await docker.plugins.inspect(NAME);
    expect(plugin.Name).toBe(NAME);
    expect(plugin.Enabled).toBe(false);
    expect(plugin.Config.Interface.Types).toEqual(["docker.volumedriver/1.0"]);
    expect(plugin.Config.Interface.Socket).toBe(SOCKET);
    expect(plugin.Settings.Env).toEqual(["DEBUG=0"]);
  });

  it("lists it, also by capability and enabled state", async () => {
    expect((await docker.plugins.list()).map((p) => p.Name)).toContain(NAME);
    const volumeDrivers = await docker.plugins.list({ filters: { capability: ["volumedriver"], enabled: ["false"] } });
    expect(volumeDrivers.map((p) => p.Name)).toContain(NAME);
    expect((await docker.plugins.list({ filters: { enabled: ["true"] } })).map((p) => p.Name)).not.toContain(NAME);
  });

  it("sets a setting declared settable, and refuses one that is not", async () => {
    await docker.plugins.set(NAME, ["DEBUG=1"]);
    expect((await docker.plugins.inspect(NAME)).Settings.Env).toEqual(["DEBUG=1"]);
    const err = await docker.plugins.set(NAME, ["NOT_DECLARED=1"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerAPIError);
    expect((err as DockerAPIError).statusCode).toBeGreaterThanOrEqual(400);
    expect((err as Error).message).toMatch(/NOT_DECLARED/);
  });

  it("refuses to disable a plugin that is not enabled, with the daemon's typed error", async () => {
    const err = await docker.plugins.disable(NAME).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toMatch(/already disabled/);
  });

  it("fails to enable it with the daemon's error (nothing listens on the socket), leaving it disabled", { timeout: 90_000 }, async () => {
    const err = await docker.plugins.enable(NAME, { timeout: 5 }, { timeout: 80_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerAPIError);
    expect((err as DockerAPIError).statusCode).toBe(500);
    expect((err as Error).message).toContain(SOCKET);
    expect((err as Error).message).toMatch(/dial unix|connect/);
    expect((await docker.plugins.inspect(NAME)).Enabled).toBe(false);
  });

  it("removes it", async () => {
    await docker.plugins.remove(NAME);
    await expect(docker.plugins.inspect(NAME)).rejects.toBeInstanceOf(NotFoundError);
  });
});
