#!/usr/bin/env node
// Records what a real engine answers to each read operation, as evidence for which result fields
// every supported engine always sends (openapi/required-fields.mjs reads it; the tests replay it).
//
//   DOCKER_HOST=unix:///tmp/dk/docker.sock node scripts/record-answers.mjs
//
// Creates its own objects first (an image committed from busybox:local, a network, a volume, a
// running container with a health check, a volume and a bind mount, an exited one, a created one,
// an exec), asks for each
// answer over plain HTTP (never through dockhand, so the client cannot colour the evidence),
// removes the objects again and writes test/fixtures/answers/<engine>/<OperationId>.json, where
// <engine> is dockerd-<major.minor> or podman-<major.minor>. Lists are narrowed to these objects
// (plus busybox:local), and host-specific text (the host name) is replaced.
import { mkdir, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { hostname } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const IMAGE = "busybox:local";
const RUN = `dockhand-answers-${process.pid}`;
const LABEL = `dockhand.answers=${RUN}`;
const labels = { "dockhand.answers": RUN };

const host = process.env.DOCKER_HOST?.trim();
if (!host?.startsWith("unix://")) throw new Error("set DOCKER_HOST to the engine's unix:// socket");
const socketPath = decodeURIComponent(new URL(host).pathname);

/** One request; resolves with status and parsed JSON (or text), rejects on a transport error. */
function call(method, url, body) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        path: url,
        method,
        headers: payload === undefined ? {} : { "content-type": "application/json" },
        signal: AbortSignal.timeout(120_000),
      },
      (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json;
          try {
            json = text === "" ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, text, json });
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** A call that must succeed (2xx); returns the parsed answer. */
async function ok(method, url, body) {
  const res = await call(method, url, body);
  if (res.status < 200 || res.status > 299) throw new Error(`${method} ${url} answered ${res.status}: ${res.text.trim()}`);
  return res.json;
}

const q = (params) => new URLSearchParams(params).toString();
const filters = (f) => q({ filters: JSON.stringify(f) });

/** The engine's fixture folder name, e.g. dockerd-20.10 or podman-4.3. */
async function engineName() {
  const version = await ok("GET", "/version");
  const podman = version.Components?.find((c) => /podman/i.test(c.Name ?? ""));
  const [major, minor] = (podman?.Version ?? version.Version).split(".");
  return `${podman ? "podman" : "dockerd"}-${major}.${minor}`;
}

/** Deep copy with every occurrence of this host's name replaced (info.Name, hostnames in paths…). */
function scrub(value) {
  const name = hostname();
  return JSON.parse(JSON.stringify(value).replaceAll(name, "recording-host"));
}

async function main() {
  const engine = await engineName();
  const v = `/v${(await ok("GET", "/version")).ApiVersion}`;
  const answers = {};
  const since = Math.floor(Date.now() / 1000) - 1;
  const made = { containers: [], images: [], networks: [], volumes: [] };
  try {
    const network = (await ok("POST", `${v}/networks/create`, { Name: `${RUN}-net`, Labels: labels })).Id;
    made.networks.push(network);
    const volume = (await ok("POST", `${v}/volumes/create`, { Name: `${RUN}-vol`, Labels: labels })).Name;
    made.volumes.push(volume);
    const create = async (name, config) => {
      const { Id } = await ok("POST", `${v}/containers/create?${q({ name: `${RUN}-${name}` })}`, {
        Image: IMAGE,
        Labels: labels,
        ...config,
      });
      made.containers.push(Id);
      return Id;
    };
    const running = await create("running", {
      Cmd: ["sleep", "600"],
      Env: ["ANSWERS=1"],
      Healthcheck: { Test: ["CMD", "true"], Interval: 1e9, Retries: 3 },
      HostConfig: { NetworkMode: `${RUN}-net`, Binds: [`${volume}:/data`, "/tmp:/host-tmp:ro"] },
    });
    const exited = await create("exited", { Cmd: ["sh", "-c", "exit 3"] });
    await create("created", { Cmd: ["true"] });
    await ok("POST", `${v}/containers/${running}/start`);
    await ok("POST", `${v}/containers/${exited}/start`);
    await ok("POST", `${v}/containers/${exited}/wait`);
    const image = (await ok("POST", `${v}/commit?${q({ container: exited, repo: `${RUN}-image`, tag: "latest" })}`, {
      Labels: labels,
    })).Id;
    made.images.push(image);
    const exec = (await ok("POST", `${v}/containers/${running}/exec`, { Cmd: ["true"], AttachStdout: true })).Id;
    await ok("POST", `${v}/exec/${exec}/start`, { Detach: true });
    for (let i = 0; i < 50 && (await ok("GET", `${v}/exec/${exec}/json`)).Running; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const containerFilter = filters({ label: [LABEL] });
    answers.ContainerList = await ok("GET", `${v}/containers/json?all=1&${containerFilter}`);
    for (const [name, id] of [["running", running], ["exited", exited], ["created", made.containers[2]]]) {
      answers[`ContainerInspect.${name}`] = await ok("GET", `${v}/containers/${id}/json`);
    }
    answers.ContainerTop = await ok("GET", `${v}/containers/${running}/top`);
    answers.ContainerChanges = await ok("GET", `${v}/containers/${running}/changes`);
    answers["ContainerStats.running"] = await ok("GET", `${v}/containers/${running}/stats?stream=false`);
    // Podman answers a stopped container's stats with an empty 200: nothing to record then.
    const stopped = await ok("GET", `${v}/containers/${exited}/stats?stream=false`);
    if (stopped !== undefined) answers["ContainerStats.exited"] = stopped;
    answers.ImageList = [
      ...(await ok("GET", `${v}/images/json?${filters({ reference: [IMAGE] })}`)),
      ...(await ok("GET", `${v}/images/json?${filters({ label: [LABEL] })}`)),
    ];
    answers["ImageInspect.busybox"] = await ok("GET", `${v}/images/${IMAGE}/json`);
    answers["ImageInspect.committed"] = await ok("GET", `${v}/images/${image}/json`);
    answers.ImageHistory = await ok("GET", `${v}/images/${image}/history`);
    answers.NetworkList = await ok("GET", `${v}/networks?${filters({ label: [LABEL] })}`);
    answers.NetworkInspect = await ok("GET", `${v}/networks/${network}`);
    answers.VolumeList = await ok("GET", `${v}/volumes?${filters({ label: [LABEL] })}`);
    answers.VolumeInspect = await ok("GET", `${v}/volumes/${volume}`);
    answers.ExecInspect = await ok("GET", `${v}/exec/${exec}/json`);
    answers.SystemInfo = await ok("GET", `${v}/info`);
    answers.SystemVersion = await ok("GET", `${v}/version`);
    // Engine-wide lists: a few entries are evidence enough, and keep other users' objects out.
    const usage = await ok("GET", `${v}/system/df`);
    for (const key of ["Images", "Containers", "Volumes", "BuildCache"]) {
      if (Array.isArray(usage[key])) usage[key] = usage[key].slice(0, 3);
    }
    answers.SystemDataUsage = usage;
  } finally {
    for (const id of made.containers) await call("DELETE", `${v}/containers/${id}?force=1&v=1`);
    for (const id of made.images) await call("DELETE", `${v}/images/${id}?force=1`);
    for (const id of made.networks) await call("DELETE", `${v}/networks/${id}`);
    for (const name of made.volumes) await call("DELETE", `${v}/volumes/${name}`);
  }
  // The whole window, so every object's create/start/die/destroy (and network/volume events) is in.
  const until = Math.floor(Date.now() / 1000) + 1;
  const events = await call("GET", `${v}/events?${q({ since: String(since), until: String(until) })}`);
  answers.SystemEvents = events.text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line))
    .filter((event) => JSON.stringify(event).includes(RUN) || made.images.includes(event.id) || made.containers.includes(event.id));

  const dir = path.join(ROOT, "test/fixtures/answers", engine);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const [name, answer] of Object.entries(answers)) {
    await writeFile(path.join(dir, `${name}.json`), `${JSON.stringify(scrub(answer), null, 2)}\n`);
  }
  console.log(`recorded ${Object.keys(answers).length} answers of ${engine} (API ${v.slice(2)}) in ${path.relative(ROOT, dir)}`);
}

main().catch((error) => {
  console.error(`record-answers failed: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
});
