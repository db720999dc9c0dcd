// The mock daemon's classic builds against dockerd 20.10's: the same tar contexts are sent to both
// as raw `POST /build` requests, and the answers (status, every JSON line, error bodies) must be
// the same byte for byte once object ids are masked. Only dockerd 20.10 (API 1.41) is the model:
// later engines changed the classic builder's output.
import { mkdir, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { tarFs } from "../../src/build/tar.js";
import { startMockDaemon, type MockDaemon } from "../../src/testing/index.js";
import { cleanup, tempDir } from "../unit/build/tar-helpers.js";
import { TEST_IMAGE, describeEngine, engineHost, engineRequest } from "./engine.js";
import { engineKind } from "./engines.js";

const apiVersion = engineKind === "docker" ? (JSON.parse((await engineRequest("/version")).body) as { ApiVersion?: string }).ApiVersion : undefined;
const isModel = apiVersion === "1.41" && engineHost()?.startsWith("unix://") === true;

const FROM = `FROM ${TEST_IMAGE}\n`;
/** Contexts (file name → content) and query strings; `nocache` keeps the engine's cache out of it. */
const CASES: Array<{ name: string; files: Record<string, string>; query: string }> = [
  {
    name: "every metadata instruction, COPY and RUN, with tags, build args and labels",
    files: {
      "a.txt": "hello\n",
      Dockerfile: `# syntax=docker/dockerfile:1\nARG BASE=${TEST_IMAGE}\nFROM $BASE AS first\nARG FLAVOUR=plain\nENV GREETING=hi \\\n    OTHER="two words"\nLABEL stage=first\nWORKDIR /app\nCOPY a.txt /app/\nRUN echo "flavour=$FLAVOUR $GREETING"\nUSER nobody\nEXPOSE 8080/tcp 9090\nENTRYPOINT ["sh","-c"]\nCMD echo hello\n`,
    },
    query: `t=dockhand-parity:1&buildargs=${encodeURIComponent('{"FLAVOUR":"spicy","UNUSED":"x"}')}&labels=${encodeURIComponent('{"l1":"v1","a b":"c"}')}&nocache=1`,
  },
  { name: "a failing RUN, forcerm", files: { Dockerfile: `${FROM}RUN echo out && exit 2\n` }, query: "forcerm=1&nocache=1" },
  { name: "rm=0", files: { Dockerfile: `${FROM}ENV A=1\nRUN true\n` }, query: "rm=0&nocache=1" },
  { name: "exec form failing", files: { Dockerfile: `${FROM}RUN ["false"]\n` }, query: "nocache=1" },
  { name: "an unknown command", files: { Dockerfile: `${FROM}RUN frobnicate\n` }, query: "nocache=1" },
  { name: "COPY of a missing file", files: { Dockerfile: `${FROM}COPY nope.txt dir/ /x/\n` }, query: "" },
  { name: "COPY of a glob matching nothing", files: { Dockerfile: `${FROM}COPY *.md /x/\n` }, query: "" },
  { name: "COPY from outside the context", files: { Dockerfile: `${FROM}COPY ../a.txt /x/\n` }, query: "" },
  { name: "COPY of a Dockerfile .dockerignore lists", files: { ".dockerignore": "Dockerfile\n", Dockerfile: `${FROM}COPY Dockerfile /\n` }, query: "" },
  { name: "RUN --mount", files: { Dockerfile: `${FROM}RUN --mount=type=cache,target=/x true\n` }, query: "" },
  { name: "an unknown instruction", files: { Dockerfile: `${FROM}FROB x\n` }, query: "" },
  { name: "no FROM", files: { Dockerfile: "ENV A=b\n" }, query: "" },
  { name: "no instructions", files: { Dockerfile: "# just a comment\n" }, query: "" },
  { name: "ENV without arguments", files: { Dockerfile: `${FROM}ENV\n` }, query: "" },
  { name: "ENV without =", files: { Dockerfile: `${FROM}ENV A=1 B\n` }, query: "" },
  {
    name: "a target stage with labels",
    files: { Dockerfile: `FROM ${TEST_IMAGE} AS a\nRUN echo a\nFROM a AS b\nRUN echo b\nFROM ${TEST_IMAGE}\nCOPY --from=a /etc/passwd /p\n` },
    query: `target=b&nocache=1&labels=${encodeURIComponent('{"z z":"v 1","a":"b"}')}`,
  },
  { name: "an unknown target", files: { Dockerfile: `FROM ${TEST_IMAGE} AS a\n` }, query: "target=zz" },
  { name: "quiet", files: { Dockerfile: `${FROM}RUN echo quiet\n` }, query: "q=1&nocache=1" },
  { name: "a missing Dockerfile", files: { Dockerfile: FROM }, query: "dockerfile=Other" },
  { name: "ARG before FROM from build args", files: { Dockerfile: "ARG BASE\nFROM $BASE\nENV X=${BASE:-none}\n" }, query: `nocache=1&buildargs=${encodeURIComponent(`{"BASE":"${TEST_IMAGE}"}`)}` },
  { name: "FROM scratch", files: { "a.txt": "x", Dockerfile: "FROM scratch\nCOPY a.txt /\n" }, query: "nocache=1" },
  { name: "the escape directive", files: { Dockerfile: `# escape=\`\n${FROM}RUN echo a \`\n  b\n` }, query: "nocache=1" },
];

/** One raw `POST /build` over a unix socket. */
function postBuild(socketPath: string, query: string, tar: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: `/v1.41/build?${query}`, method: "POST", headers: { "Content-Type": "application/x-tar" }, signal: AbortSignal.timeout(60_000) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => resolve(`${res.statusCode}\n${Buffer.concat(chunks).toString("utf8")}`));
    });
    req.on("error", reject);
    req.end(tar);
  });
}

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const dir = await tempDir("dockhand-parity-");
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of (await tarFs()).pack(dir, { sort: true })) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Ids masked, and a step's stderr joined where dockerd split it: it relays each write of the
 * process as its own red (`\u001b[91m…\u001b[0m`) message, so `/bin/sh: ` and the rest of its
 * line arrive as one message or two depending on timing (seen in CI).
 */
const mask = (text: string) =>
  text
    .replace(/\\u001b\[0m"\}\r?\n\{"stream":"\\u001b\[91m/g, "")
    .replace(/[0-9a-f]{64}/g, "<id>")
    .replace(/[0-9a-f]{12}/g, "<short>");

describeEngine("mock daemon builds against dockerd 20.10", () => {
  let mock: MockDaemon;
  /** What the engine made: images, and the intermediate containers it keeps (rm=0, a failed step). */
  const built = new Set<string>();
  const containers = new Set<string>();

  beforeAll(async () => {
    mock = await startMockDaemon({ apiVersion: "1.41" });
    mock.state.addImage({ tags: [TEST_IMAGE] });
  });

  afterAll(async () => {
    await mock?.close();
    await cleanup();
    for (const id of containers) await engineRequest(`/containers/${id}?force=1`, { method: "DELETE" });
    // Removing what the engine built also removes its untagged parents.
    for (const id of built) await engineRequest(`/images/${id}?force=1`, { method: "DELETE" });
  });

  it.skipIf(!isModel).each(CASES)("$name", async ({ files, query }) => {
    const tar = await tarOf(files);
    const real = await postBuild(decodeURIComponent(new URL(engineHost()!).pathname), query, tar);
    for (const [, id] of real.matchAll(/"(?:ID|stream)":"(sha256:[0-9a-f]{64})/g)) built.add(id!);
    for (const [, id] of real.matchAll(/Running in ([0-9a-f]{12})/g)) containers.add(id!);
    const fake = await postBuild(mock.socketPath, query, tar);
    expect(mask(fake)).toBe(mask(real));
  }, 120_000);
});
