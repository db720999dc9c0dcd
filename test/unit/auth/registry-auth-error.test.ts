// Every way a registry's refusal of credentials reaches the client — a status answer (500 from
// dockerd 20.10, 401 later, 404 from the containerd store), an error inside a pull/push/plugin
// progress stream, a failed base-image pull in a classic build, a login check — is one
// RegistryAuthError carrying the daemon's text, with the error it replaces as its cause.
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { isRegistryRefusal } from "../../../src/core/registry-errors.js";
import {
  BuildError,
  DockerStreamError,
  InternalServerError,
  NotFoundError,
  RegistryAuthError,
  UnauthorizedError,
} from "../../../src/index.js";
import { useMockDaemon } from "../../support/mock-daemon.js";

const mock = useMockDaemon({ apiVersion: "1.47" });

const PASSWORD = "s3cret-Pa55word";
const auth = { username: "me", password: PASSWORD, serveraddress: "registry.example:5000" };

const progress = (...messages: object[]) =>
  new HttpResponse(messages.map((m) => `${JSON.stringify(m)}\r\n`).join(""), { headers: { "Content-Type": "application/json" } });
const streamError = (message: string) => ({ errorDetail: { message }, error: message });

async function failure(work: () => Promise<unknown>): Promise<unknown> {
  return work().then(
    () => expect.fail("expected the call to fail"),
    (err: unknown) => err,
  );
}

function expectRefusal(err: unknown, text: string, cause: abstract new (...args: never[]) => Error): RegistryAuthError {
  expect(err).toBeInstanceOf(RegistryAuthError);
  const refusal = err as RegistryAuthError;
  expect(refusal.message).toBe(text);
  expect(refusal.cause).toBeInstanceOf(cause);
  expect(`${String(err)} ${JSON.stringify(err)} ${String(refusal.cause)}`).not.toContain(PASSWORD);
  return refusal;
}

describe("RegistryAuthError from pull", () => {
  const HEAD = 'Head "http://registry.example:5000/v2/team/app/manifests/1": unauthorized: authentication required';

  it.each([
    [500, "dockerd 20.10", InternalServerError],
    [401, "later engines", UnauthorizedError],
  ])("a %i answer (%s) that says unauthorized", async (status, _engine, cause) => {
    mock.daemon.use(http.post("*/images/create", () => HttpResponse.json({ message: HEAD }, { status })));
    const err = await failure(() => mock.client().images.pull("registry.example:5000/team/app:1", {}, { auth }));
    expect(expectRefusal(err, HEAD, cause).statusCode).toBe(status);
  });

  it("the containerd store's 404 when no credentials were sent", async () => {
    const text = "failed to resolve reference: authorization failed: no basic auth credentials";
    mock.daemon.use(http.post("*/images/create", () => HttpResponse.json({ message: text }, { status: 404 })));
    expectRefusal(await failure(() => mock.client().images.pull("registry.example:5000/team/app:1")), text, NotFoundError);
  });

  it("a refusal inside the progress stream", async () => {
    mock.daemon.use(http.post("*/images/create", () => progress({ status: "Pulling from team/app" }, streamError(HEAD))));
    const refusal = expectRefusal(await failure(() => mock.client().images.pull("registry.example:5000/team/app:1", {}, { auth })), HEAD, DockerStreamError);
    expect(refusal.statusCode).toBeUndefined();
  });

  it("keeps the ambiguous 'repository does not exist or may require docker login' a NotFoundError", async () => {
    const text =
      "pull access denied for nope, repository does not exist or may require 'docker login': denied: requested access to the resource is denied";
    mock.daemon.use(http.post("*/images/create", () => HttpResponse.json({ message: text }, { status: 404 })));
    const err = await failure(() => mock.client().images.pull("nope"));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).not.toBeInstanceOf(RegistryAuthError);
  });

  it("leaves other pull failures alone", async () => {
    mock.daemon.use(http.post("*/images/create", () => progress(streamError("manifest for app:1 not found: manifest unknown"))));
    const err = await failure(() => mock.client().images.pull("app:1"));
    expect(err).toBeInstanceOf(DockerStreamError);
    expect(err).not.toBeInstanceOf(RegistryAuthError);
  });
});

describe("RegistryAuthError from push, build, plugins, distribution and login", () => {
  it("push: an in-stream refusal, with or without credentials", async () => {
    for (const text of ["unauthorized: authentication required", "no basic auth credentials", "denied: requested access to the resource is denied"]) {
      mock.daemon.use(
        http.post("*/images/:name/push", () => progress({ status: "The push refers to repository [registry.example:5000/team/app]" }, streamError(text))),
      );
      const push = await mock.client().images.push("registry.example:5000/team/app", {}, { auth });
      expectRefusal(await failure(() => push.done()), text, DockerStreamError);
    }
  });

  it("build: a base image the registry refused; the cause keeps the build output", async () => {
    const text = 'Head "http://registry.example:5000/v2/base/manifests/1": unauthorized: incorrect username or password';
    mock.daemon.use(http.post("*/build", () => progress({ stream: "Step 1/2 : FROM registry.example:5000/base:1\n" }, streamError(text))));
    const build = await mock.client({ builder: "classic" }).images.build({ dockerfileContent: "FROM registry.example:5000/base:1\nRUN true\n" });
    const refusal = expectRefusal(await failure(() => build.imageId()), text, BuildError);
    expect((refusal.cause as BuildError).output).toContain("Step 1/2");
  });

  it("plugin pull: containerd's wordings, answered or streamed", async () => {
    const resolved =
      "error resolving plugin reference: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed";
    mock.daemon.use(http.post("*/plugins/pull", () => HttpResponse.json({ message: resolved }, { status: 500 })));
    expectRefusal(await failure(() => mock.client().plugins.pull({ remote: "registry.example:5000/team/plugin:1" }, [], { auth })), resolved, InternalServerError);

    const status = "unexpected status from HEAD request to http://registry.example:5000/v2/team/plugin/manifests/1: 401 Unauthorized";
    mock.daemon.use(http.post("*/plugins/pull", () => progress(streamError(status))));
    const pull = await mock.client().plugins.pull({ remote: "registry.example:5000/team/plugin:1" }, [], { auth });
    expectRefusal(await failure(() => pull.done()), status, DockerStreamError);
  });

  it("distribution inspect", async () => {
    const text = 'Head "http://registry.example:5000/v2/team/app/manifests/1": unauthorized: authentication required';
    mock.daemon.use(http.get("*/distribution/*", () => HttpResponse.json({ message: text }, { status: 401 })));
    expectRefusal(await failure(() => mock.client().distribution.inspect("registry.example:5000/team/app:1", { auth })), text, UnauthorizedError);
  });

  it("a login check (system.auth)", async () => {
    const text = "login attempt to http://registry.example:5000/v2/ failed with status: 401 Unauthorized";
    mock.daemon.use(http.post("*/auth", () => HttpResponse.json({ message: text }, { status: 500 })));
    expectRefusal(await failure(() => mock.client().system.auth(auth)), text, InternalServerError);
  });

  it("service create is not one: the daemon creates the service and warns that it could not resolve the image", async () => {
    const warning =
      "image registry.example:5000/team/app:1 could not be accessed on a registry to record\nits digest. Each node will access registry.example:5000/team/app:1 independently,\npossibly leading to different nodes running different\nversions of the image.\n";
    mock.daemon.use(http.post("*/services/create", () => HttpResponse.json({ ID: "svc1", Warnings: [warning] }, { status: 201 })));
    const created = await mock.client().services.create({ TaskTemplate: { ContainerSpec: { Image: "registry.example:5000/team/app:1" } } }, { auth });
    expect(created.Warnings).toEqual([warning]);
  });

  it("only calls that reach a registry: the same words from another call keep their class", async () => {
    mock.daemon.use(http.get("*/containers/json", () => HttpResponse.json({ message: "unauthorized: authentication required" }, { status: 401 })));
    const err = await failure(() => mock.client().containers.list());
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(err).not.toBeInstanceOf(RegistryAuthError);
  });
});

describe("isRegistryRefusal", () => {
  it.each([
    "unauthorized: authentication required",
    "Get \"https://registry-1.docker.io/v2/\": unauthorized: incorrect username or password",
    "no basic auth credentials",
    "login attempt to https://index.docker.io/v1/ failed with status: 401 Unauthorized",
    "failed to authorize: authorization failed",
    "denied: requested access to the resource is denied",
  ])("recognises %j", (text) => expect(isRegistryRefusal(text)).toBe(true));

  it.each([
    "manifest unknown",
    "pull access denied for nope, repository does not exist or may require 'docker login'",
    "pull access denied for nope, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
    "authorization denied by plugin authz: not allowed",
    "toomanyrequests: You have reached your pull rate limit",
  ])("does not take %j for one", (text) => expect(isRegistryRefusal(text)).toBe(false));
});
