// Bad input — from JavaScript callers without types, or values an attacker controls — fails with a
// dockhand error that says what is wrong before anything is sent (not even the version ping), and
// no header can be split into two.
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { Docker, DockerArgumentError, DockerConfigError, type DockerError } from "../../../src/index.js";
import { route } from "../../../src/testing/index.js";
import { useMockDaemon } from "../../support/mock-daemon.js";

const mock = useMockDaemon({ apiVersion: "1.47" });

/** A client nobody has used yet: its first call would ping, so "nothing sent" is observable. */
const fresh = mock.client;
// Plays a caller without types.
const untyped = <T>(value: unknown) => value as T;

async function refused(call: (docker: Docker) => Promise<unknown>, Class: typeof DockerArgumentError | typeof DockerConfigError, message: RegExp, docker = fresh()): Promise<DockerError> {
  const err = await call(docker).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Class);
  expect((err as Error).message).toMatch(message);
  expect(mock.daemon.requests, "nothing may reach the daemon").toEqual([]);
  await docker.close();
  return err as DockerError;
}

describe("arguments of the wrong type", () => {
  const cases: [string, (d: Docker) => Promise<unknown>, RegExp][] = [
    ["a missing id", (d) => d.containers.inspect(untyped(undefined)), /Path parameter "id" must be a string, got undefined/],
    ["an object for an id", (d) => d.containers.inspect(untyped({ id: "x" })), /Path parameter "id" must be a string, got object/],
    ["a string for the query", (d) => d.containers.list(untyped("all")), /Query parameters .* must be an object, got string/],
    ["a function as a query value", (d) => d.containers.list(untyped({ all: () => true })), /Query parameter "all" .* got function/],
    ["a symbol as a query value", (d) => d.containers.list(untyped({ all: Symbol("x") })), /Query parameter "all" .* got symbol/],
    ["NaN as a query value", (d) => d.containers.logs("web", untyped({ tail: Number.NaN })), /Query parameter "tail" .* got NaN/],
    ["a list of objects as a query value", (d) => d.containers.list(untyped({ all: [{}] })), /Query parameter "all" .* got object/],
    ["a BigInt inside a JSON query value", (d) => d.images.list(untyped({ filters: "{}", x: { n: 1n } })), /Query parameter "x" cannot be sent as JSON/],
    ["filters of the wrong shape", (d) => d.containers.list(untyped({ filters: ["status=running"] })), /filters of ContainerList must be an object/],
    ["a body with a cycle", (d) => {
      const labels: Record<string, unknown> = {};
      labels["self"] = labels;
      return d.containers.create(untyped({ Image: "busybox", Labels: labels }));
    }, /body of ContainerCreate cannot be sent as JSON/],
    ["a body with a BigInt", (d) => d.volumes.create(untyped({ Name: "v", DriverOpts: { size: 10n } })), /body of VolumeCreate cannot be sent as JSON/],
  ];
  it.each(cases)("%s", async (_name, call, message) => {
    await refused(call, DockerArgumentError, message);
  });
});

describe("invalid image references", () => {
  it.each(["", "a:b:c", "Has Space", "repo@sha256:zz", "x".repeat(300) + ":tag:more"])("%j", async (reference) => {
    await refused((d) => d.images.pull(reference), DockerArgumentError, /invalid image reference/);
  });
});

describe("header values that could split the request", () => {
  it("a User-Agent with CR LF is refused, naming the header but not its value", async () => {
    const err = await refused((d) => d.system.version(), DockerArgumentError, /user-agent header/, fresh({ userAgent: "ok\r\nX-Injected: yes" }));
    expect(err.message).not.toContain("X-Injected");
  });

  it("the same for a hijacked (attach) request, whose head dockhand writes itself", async () => {
    const docker = fresh({ userAgent: "ok\nX-Injected: yes", apiVersion: "1.47" });
    await refused((d) => d.containers.attach("web", { stdin: true }, { tty: false }), DockerArgumentError, /user-agent header/, docker);
  });

  it("registry credentials with CR LF travel base64-encoded in one header, intact", async () => {
    const auth = { username: "alice\r\nX-Injected: yes", password: "p\r\nw", serveraddress: "registry.example.com" };
    let header: string | null = null;
    mock.daemon.use(
      http.post(route("/images/create"), ({ request }) => {
        header = request.headers.get("x-registry-auth");
        return HttpResponse.json({ message: "stop here" }, { status: 500 });
      }),
    );
    const docker = fresh();
    await docker.images.pull("registry.example.com/app:1", {}, { auth }).catch(() => undefined);
    const create = mock.daemon.requests.find((r) => r.path === "/images/create");
    expect(create?.headers["x-injected"]).toBeUndefined();
    expect(header).toMatch(/^[A-Za-z0-9_-]+=*$/);
    expect(JSON.parse(Buffer.from(header ?? "", "base64url").toString("utf8"))).toMatchObject({ username: auth.username, password: auth.password });
    await docker.close();
  });
});

describe("invalid DOCKER_HOST", () => {
  it.each([
    ["ftp://example.com", /DOCKER_HOST/],
    ["tcp://example.com:notaport", /DOCKER_HOST/],
    ["http://example.com:99999", /port "99999" is not a number from 1 to 65535/],
    ["fd://", /clients cannot connect through it/],
    ["tcp://admin:hunter2@example.com:2376", /credentials in the address are not supported/],
  ])("%s", async (host, message) => {
    const docker = new Docker({ env: { DOCKER_HOST: host } });
    const err = await docker.system.version().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerConfigError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain("hunter2");
    await docker.close();
  });
});
