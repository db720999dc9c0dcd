// Credentials and secrets given to the client travel only where they must (the X-Registry-Auth
// header, the request body) and nowhere a failure can show them: not in error messages, stacks,
// cause chains, JSON or util.inspect output of errors, not in the debug log, not in URLs.
import { inspect } from "node:util";
import { http, HttpResponse } from "msw";
import { beforeAll, describe, expect, it } from "vitest";
import { Docker, DockerError } from "../../../src/index.js";
import type { RequestLogEntry } from "../../../src/core/log.js";
import { fault, route } from "../../../src/testing/index.js";
import { useMockDaemon } from "../../support/mock-daemon.js";

const PASSWORD = "pw-Zq8!x7#s3cret";
const IDENTITY_TOKEN = "idtok-Aa1Bb2Cc3Dd4";
const CONFIG_PASSWORD = "cfgpass-77665544";
const ENV_SECRET = "envsecret-9f8e7d6c";
const auth = { username: "alice", password: PASSWORD, serveraddress: "registry.example.com" };
const tokenAuth = { identitytoken: IDENTITY_TOKEN, serveraddress: "registry.example.com" };
const b64 = (text: string) => Buffer.from(text).toString("base64");
const b64url = (text: string) => Buffer.from(text).toString("base64url");

/** Every form in which a secret could leak: as given, encoded as the header or config carries it. */
const FORMS = [
  PASSWORD,
  encodeURIComponent(PASSWORD),
  IDENTITY_TOKEN,
  CONFIG_PASSWORD,
  ENV_SECRET,
  b64(`bob:${CONFIG_PASSWORD}`),
  b64url(JSON.stringify(auth)),
  b64(JSON.stringify(auth)),
  b64url(JSON.stringify(tokenAuth)),
];

const mock = useMockDaemon({ apiVersion: "1.47" });
const logged: RequestLogEntry[] = [];
let docker: Docker;
beforeAll(() => {
  docker = mock.client({
    timeout: 300,
    logger: (entry) => logged.push(entry),
    // Credentials the CLI way, as CI systems pass them; for registry.internal only.
    env: { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { "registry.internal": { auth: b64(`bob:${CONFIG_PASSWORD}`) } } }) },
  });
});

/** Everything a failure lets a user (or their log aggregator) see. */
function observable(err: unknown): string {
  const parts = [String(err), inspect(err, { depth: Infinity, showHidden: true })];
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const error = e as Error;
    parts.push(error.message ?? "", error.stack ?? "", inspect(error, { depth: Infinity }));
    try {
      parts.push(JSON.stringify(error));
    } catch {
      // A cycle: inspect above already covered it.
    }
  }
  return parts.join("\n");
}

function expectNoSecret(text: string, where: string): void {
  for (const form of FORMS) expect(text.includes(form), `${where} shows a secret (${form.slice(0, 6)}…)`).toBe(false);
}

const failures: [string, () => void, () => Promise<unknown>][] = [
  [
    "pull with explicit credentials, refused by the registry (401 relayed)",
    () => mock.daemon.use(http.post(route("/images/create"), () => HttpResponse.json({ message: "unauthorized: incorrect username or password" }, { status: 401 }))),
    () => docker.images.pull("registry.example.com/app:1", {}, { auth }),
  ],
  [
    "pull with an identity token, the connection reset mid-stream",
    () => mock.daemon.use(http.post(route("/images/create"), () => fault.truncate(HttpResponse.text('{"status":"Pulling"}\r\n{"status":"Down'), 30))),
    () => docker.images.pull("registry.example.com/app:1", {}, { auth: tokenAuth }),
  ],
  [
    "pull with DOCKER_AUTH_CONFIG credentials, failing inside the stream",
    () => mock.daemon.use(http.post(route("/images/create"), () => HttpResponse.text('{"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"}\r\n'))),
    () => docker.images.pull("registry.internal/team/app:2"),
  ],
  [
    "push with explicit credentials, the daemon never answering (timeout)",
    () => mock.daemon.use(http.post(route("/images/:name+/push"), () => fault.hang())),
    () => docker.images.push("registry.example.com/app:1", undefined, { auth }),
  ],
  [
    "service create with credentials, the daemon answering malformed JSON",
    () => mock.daemon.use(http.post(route("/services/create"), () => HttpResponse.text("{not json", { headers: { "Content-Type": "application/json" } }))),
    () => docker.services.create({ Name: "web", TaskTemplate: { ContainerSpec: { Image: "registry.example.com/app:1" } } }, { auth }),
  ],
  [
    "container create with a secret in Env, the daemon failing with 500",
    () => mock.daemon.use(http.post(route("/containers/create"), () => HttpResponse.json({ message: "failed to create task" }, { status: 500 }))),
    () => docker.containers.create({ Image: "busybox:latest", Env: [`TOKEN=${ENV_SECRET}`] }),
  ],
  [
    "container create with a secret in Env, the connection reset",
    () => mock.daemon.use(http.post(route("/containers/create"), () => fault.reset())),
    () => docker.containers.create({ Image: "busybox:latest", Env: [`TOKEN=${ENV_SECRET}`] }),
  ],
  [
    "exec create with a secret in Env, no such container",
    () => undefined,
    () => docker.exec.create("missing", { Cmd: ["env"], Env: [`TOKEN=${ENV_SECRET}`] }),
  ],
  [
    "a bad argument next to credentials",
    () => undefined,
    () => docker.images.pull("registry.example.com/App Name", {}, { auth }),
  ],
];

describe("secrets never show in failures", () => {
  it.each(failures)("%s", async (_name, arrange, call) => {
    arrange();
    mock.daemon.clearRequests();
    logged.length = 0;
    const err = await call().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DockerError);
    expectNoSecret(observable(err), "the error");
    expectNoSecret(JSON.stringify(logged), "the debug log");
    expectNoSecret(mock.daemon.requests.map((r) => r.url).join("\n"), "a request URL");
  });

  it("while the daemon did receive them where they belong (so the checks above are not vacuous)", async () => {
    mock.daemon.use(http.post(route("/images/create"), () => HttpResponse.json({ message: "stop" }, { status: 500 })));
    mock.daemon.clearRequests();
    await docker.images.pull("registry.example.com/app:1", {}, { auth }).catch(() => undefined);
    await docker.images.pull("registry.internal/team/app:2").catch(() => undefined);
    const headers = mock.daemon.requests.filter((r) => r.path === "/images/create").map((r) => JSON.parse(Buffer.from(r.headers["x-registry-auth"] ?? "", "base64url").toString()));
    expect(headers).toEqual([
      expect.objectContaining({ password: PASSWORD }),
      expect.objectContaining({ username: "bob", password: CONFIG_PASSWORD }),
    ]);
    mock.daemon.clearRequests();
    await docker.containers.create({ Image: "busybox:latest", Env: [`TOKEN=${ENV_SECRET}`] });
    expect(mock.daemon.requests.find((r) => r.path === "/containers/create")?.body).toContain(ENV_SECRET);
  });
});
