import { afterAll, beforeAll, expect, it } from "vitest";
import { ConflictError, Docker, InternalServerError, NotFoundError } from "../../src/index.js";
import { TEST_IMAGE, describeEngine, engineHost, engineRequest } from "./engine.js";
import { diverges, taggedAs } from "./engines.js";

const label = { "dockhand.test": "client-e2e" };

describeEngine("client against a real engine", () => {
  let docker: Docker;
  let daemonVersion: string;

  beforeAll(async () => {
    docker = new Docker({ host: engineHost() });
    daemonVersion = (await engineRequest("/_ping")).headers["api-version"] as string;
  });

  afterAll(async () => {
    const leftovers = await docker.containers.list({ all: true, filters: { label: ["dockhand.test=client-e2e"] } });
    await Promise.all(leftovers.map((c) => docker.containers.remove(c.Id!, { force: true })));
    await docker.close();
  });

  it("negotiates the daemon's API version (capped at the client's)", async () => {
    const version = await docker.apiVersion();
    expect(version).toBe(Number(daemonVersion.split(".")[1]) > 55 ? "1.55" : daemonVersion);
  });

  it("pings and reads version and info", async () => {
    const ping = await docker.system.ping();
    expect(ping.apiVersion).toBe(daemonVersion);
    expect(ping.osType).toBe(diverges("pingOsType") ? undefined : "linux");
    const version = await docker.system.version();
    expect(version.ApiVersion).toBe(daemonVersion);
    const info = await docker.system.info();
    expect(typeof info.Containers).toBe("number");
  });

  it("honours a pinned API version (DOCKER_API_VERSION=1.40)", async () => {
    const pinned = new Docker({ host: engineHost(), env: { DOCKER_API_VERSION: "1.40" } });
    expect(await pinned.apiVersion()).toBe("1.40");
    const err = await pinned.containers.inspect("dockhand-no-such-container").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).path).toMatch(/^\/v1\.40\//);
    expect((err as NotFoundError).apiVersion).toBe("1.40");
    await pinned.close();
  });

  it("runs echo hello: create → start → wait → logs → remove", async () => {
    const { Id } = await docker.containers.create({ Image: TEST_IMAGE, Cmd: ["echo", "hello"], Labels: label });
    expect(await docker.containers.start(Id)).toEqual({ changed: true });
    const { StatusCode } = await docker.containers.wait(Id);
    expect(StatusCode).toBe(0);
    const logs = await docker.containers.logs(Id, { stdout: true, stderr: true });
    expect(await logs.text()).toEqual({ stdout: "hello\n", stderr: "" });
    await docker.containers.remove(Id);
    await expect(docker.containers.inspect(Id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("sends the create name as a query parameter, and start of a running container is a no-op", async () => {
    const name = `dockhand-e2e-${process.pid}-${Date.now()}`;
    const { Id } = await docker.containers.create({ name, Image: TEST_IMAGE, Cmd: ["sleep", "30"], Labels: label });
    const inspected = await docker.containers.inspect(name);
    expect(inspected.Id).toBe(Id);
    expect(inspected.Name).toBe(`/${name}`);
    expect(await docker.containers.start(Id)).toEqual({ changed: true });
    expect(await docker.containers.start(Id)).toEqual({ changed: false });
    const err = await docker.containers.remove(Id).catch((e: unknown) => e);
    const [Class, status] = diverges("conflictIs500") ? [InternalServerError, 500] : [ConflictError, 409];
    expect(err).toBeInstanceOf(Class);
    expect((err as ConflictError).statusCode).toBe(status);
    expect((err as ConflictError).message).toMatch(/running/i);
    expect(await docker.containers.stop(Id, { t: 0 })).toEqual({ changed: true });
    expect(await docker.containers.stop(Id, { t: 0 })).toEqual({ changed: false });
    await docker.containers.remove(Id, { force: true });
  });

  it("maps 404 to NotFoundError with the daemon's message", async () => {
    const err = await docker.containers.inspect("dockhand-no-such-container").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).message).toMatch(/no such container/i);
    expect((err as NotFoundError).path).toMatch(/^\/v1\.\d+\/containers\/dockhand-no-such-container\/json$/);
  });

  it("lists and inspects images", async () => {
    const images = await docker.images.list();
    expect(images.some((i) => i.RepoTags?.includes(taggedAs(TEST_IMAGE)))).toBe(true);
    const image = await docker.images.inspect(TEST_IMAGE);
    expect(image.Id).toMatch(/^sha256:/);
  });

  it("creates, inspects and removes a network and a volume", async () => {
    const name = `dockhand-e2e-${process.pid}`;
    const { Id } = await docker.networks.create({ Name: name, Labels: label });
    expect((await docker.networks.inspect(Id)).Name).toBe(name);
    await docker.networks.remove(Id);
    await expect(docker.networks.inspect(Id)).rejects.toBeInstanceOf(NotFoundError);

    const volume = await docker.volumes.create({ Name: name, Labels: label });
    expect(volume.Name).toBe(name);
    expect((await docker.volumes.inspect(name)).Labels).toEqual(label);
    await docker.volumes.remove(name);
    await expect(docker.volumes.inspect(name)).rejects.toBeInstanceOf(NotFoundError);
  });
});
