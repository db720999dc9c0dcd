// Smoke test of the packed dockhand package in one runtime (Node, Deno or Bun), against a real
// engine (DOCKER_HOST). Plain JavaScript so every runtime runs it as is; it imports "dockhand"
// by name, so it checks the package's exports, not the source tree. scripts/runtimes.sh copies it
// into a small project that installed the tarball and runs it once per runtime.
//
// Optional steps run when their fixture is up: DOCKHAND_TLS_DIR (scripts/tls.sh) and
// DOCKHAND_SSH_DIR (scripts/sshd.sh). Exit status 1 when any step fails.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as unrefTimer } from "node:timers";
import {
  CLIENT_MAX_API_VERSION,
  Docker,
  DockerAbortError,
  DockerArgumentError,
  DockerLimitError,
  DockerTLSError,
  NotFoundError,
} from "dockhand";

const IMAGE = process.env.DOCKHAND_TEST_IMAGE || "busybox:local";
const runtime = globalThis.Deno
  ? `deno ${globalThis.Deno.version.deno}`
  : globalThis.Bun
    ? `bun ${globalThis.Bun.version}`
    : `node ${process.versions.node}`;

const docker = Docker.fromEnv();
const cleanup = [];
const results = [];

/** Runs one step with a time limit; records ok / FAIL / skip. */
async function step(name, fn, { timeout = 30_000 } = {}) {
  const started = performance.now();
  let timer;
  try {
    const limit = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result within ${timeout} ms`)), timeout);
    });
    const skipped = await Promise.race([fn(), limit]);
    const ms = Math.round(performance.now() - started);
    if (typeof skipped === "string") {
      results.push({ name, status: "skip" });
      console.log(`  skip ${name}: ${skipped}`);
    } else {
      results.push({ name, status: "ok" });
      console.log(`  ok   ${name} (${ms} ms)`);
    }
  } catch (err) {
    results.push({ name, status: "FAIL" });
    console.log(`  FAIL ${name}: ${err?.constructor?.name ?? "Error"}: ${err?.message ?? err}`);
  } finally {
    clearTimeout(timer);
  }
}

function check(condition, what) {
  if (!condition) throw new Error(what);
}

function olderVersion(a, b) {
  return Number(a.split(".")[1]) <= Number(b.split(".")[1]) ? a : b;
}

/** Creates, starts and waits for a container; returns its id (removed at the end). */
async function runToEnd(cmd) {
  const { Id } = await docker.containers.create({ Image: IMAGE, Cmd: cmd, Labels: { "dockhand.test": "runtimes" } });
  cleanup.push(Id);
  await docker.containers.start(Id);
  const { StatusCode } = await docker.containers.wait(Id);
  return { id: Id, status: StatusCode };
}

/** Feeds a line to `tr` in a running container through a hijacked exec and checks what comes back. */
async function execWithStdin(client, container, text) {
  const { Id } = await client.exec.create(container, {
    Cmd: ["sh", "-c", "tr a-z A-Z; echo done >&2"],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
  });
  const session = await client.exec.start(Id, { stdin: true });
  await session.write(`${text}\n`);
  await session.end();
  const { stdout, stderr } = await session.output.text();
  check(stdout === `${text.toUpperCase()}\n`, `stdout was ${JSON.stringify(stdout)}`);
  check(stderr === "done\n", `stderr was ${JSON.stringify(stderr)}`);
  const { ExitCode } = await client.exec.inspect(Id);
  check(ExitCode === 0, `exit code ${ExitCode}`);
}

console.log(`${runtime} on ${process.env.DOCKER_HOST ?? "(discovered engine)"}`);

let daemonVersion;
await step("ping", async () => {
  const info = await docker.system.ping();
  daemonVersion = info.apiVersion;
  check(/^1\.\d+$/.test(daemonVersion ?? ""), `ping gave no API version (${daemonVersion})`);
});

await step("negotiated version", async () => {
  const version = await docker.apiVersion();
  const expected = olderVersion(daemonVersion, CLIENT_MAX_API_VERSION);
  check(version === expected, `negotiated ${version}, expected ${expected}`);
});

await step("run echo, demuxed logs", async () => {
  const { id, status } = await runToEnd(["sh", "-c", `echo hello from ${runtime}; echo to stderr >&2`]);
  check(status === 0, `exit status ${status}`);
  const { stdout, stderr } = await (await docker.containers.logs(id, { stdout: true, stderr: true })).text();
  check(stdout === `hello from ${runtime}\n`, `stdout was ${JSON.stringify(stdout)}`);
  check(stderr === "to stderr\n", `stderr was ${JSON.stringify(stderr)}`);
});

let sleeper;
await step("exec with stdin", async () => {
  const { Id } = await docker.containers.create({ Image: IMAGE, Cmd: ["sleep", "120"] });
  cleanup.push(Id);
  await docker.containers.start(Id);
  sleeper = Id;
  await execWithStdin(docker, Id, "over the socket");
});

await step("typed 404", async () => {
  try {
    await docker.containers.inspect("dockhand-runtimes-no-such-container");
  } catch (err) {
    check(err instanceof NotFoundError, `got ${err?.constructor?.name}: ${err?.message}`);
    check(err.statusCode === 404 && /no such container/i.test(err.message), `unexpected error ${err.message}`);
    return;
  }
  throw new Error("inspecting a missing container succeeded");
});

await step("an oversized response head is a DockerLimitError", async () => {
  // A fake daemon on a unix socket whose heads run past the limit: 8 KiB (ours) and 4 MiB (past
  // the runtime HTTP client's own cap, e.g. Bun's fetch).
  const { createServer } = await import("node:net");
  const dir = mkdtempSync(join(tmpdir(), "dockhand-head-"));
  const socket = join(dir, "head.sock");
  let size = 0;
  const server = createServer((conn) => {
    conn.on("error", () => {});
    conn.once("data", () => conn.end(`HTTP/1.1 200 OK\r\nX-Padding: ${"a".repeat(size)}\r\nContent-Length: 2\r\n\r\nOK`));
  });
  await new Promise((resolve) => server.listen(socket, resolve));
  try {
    for (size of [8 << 10, 4 << 20]) {
      const client = new Docker({ host: `unix://${socket}`, apiVersion: "1.41", limits: { responseHead: 4096 } });
      try {
        await client.system.ping();
        throw new Error(`a ${size}-byte header was accepted`);
      } catch (err) {
        check(err instanceof DockerLimitError && err.limit === "responseHead", `${size}-byte header: ${err?.constructor?.name}: ${err?.message}`);
      } finally {
        await client.close();
      }
    }
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

await step("events stream, aborted", async () => {
  const controller = new AbortController();
  const events = await docker.system.events(
    { filters: { type: ["container"], label: ["dockhand.test=runtimes"] } },
    { signal: controller.signal },
  );
  const seen = [];
  // Settled at once, so the abort error is never an unhandled rejection.
  const reading = (async () => {
    for await (const event of events) {
      seen.push(event.Action);
      if (event.Action === "create") controller.abort();
    }
  })().then(
    () => "ended",
    (err) => err,
  );
  await runToEnd(["true"]);
  const outcome = await reading;
  check(seen.includes("create"), `saw ${JSON.stringify(seen)} before the abort`);
  check(outcome instanceof DockerAbortError, `the stream ${outcome === "ended" ? "ended quietly" : `failed with ${outcome?.constructor?.name}: ${outcome?.message}`}`);
});

await step("BuildKit build through the session", async () => {
  // The session's gRPC server (node:http2 on the upgraded /session socket) is what differs most
  // between runtimes; a fresh file keeps the RUN step from being cached, so its output shows.
  const context = mkdtempSync(join(tmpdir(), "dockhand-runtimes-build-"));
  const tag = `dockhand-runtimes-build:${process.pid}`;
  try {
    const stamp = `${runtime} ${Date.now()}`;
    writeFileSync(join(context, "Dockerfile"), `FROM ${IMAGE}\nCOPY stamp.txt /\nRUN cat /stamp.txt\n`);
    writeFileSync(join(context, "stamp.txt"), `${stamp}\n`);
    const build = await docker.images.build({ context, builder: "buildkit", tags: [tag], labels: { "dockhand.test": "runtimes" } });
    let output = "";
    for await (const event of build.events()) if (event.type === "log") output += event.text;
    const id = await build.imageId();
    check(/^sha256:[0-9a-f]{64}$/.test(id ?? ""), `image id ${id}`);
    check(output.includes(stamp), `the RUN step printed ${JSON.stringify(output)}`);
    check((build.transfer?.bytes ?? 0) > stamp.length, `the session sent ${JSON.stringify(build.transfer)}`);
  } finally {
    rmSync(context, { recursive: true, force: true });
    await docker.images.remove(tag, { force: true }).catch(() => {});
  }
}, { timeout: 120_000 });

await step("BuildKit build with SSH key files", async () => {
  // Reading the keys (OpenSSH and PEM formats) into node:crypto is what differs between runtimes;
  // the build's ssh mount asks the session for the agent dockhand holds.
  const dir = mkdtempSync(join(tmpdir(), "dockhand-runtimes-ssh-"));
  try {
    const keygen = (name, ...args) => execFileSync("ssh-keygen", ["-q", ...args, "-f", join(dir, name)], { stdio: "ignore" });
    try {
      keygen("ed25519", "-t", "ed25519", "-N", "");
    } catch (err) {
      if (err?.code === "ENOENT") return "ssh-keygen is missing (apt package openssh-client)";
      throw err;
    }
    keygen("ecdsa", "-t", "ecdsa", "-b", "521", "-m", "PEM", "-N", "");
    keygen("rsa", "-t", "rsa", "-m", "PKCS8", "-N", "");
    keygen("locked", "-t", "ed25519", "-N", "secret-pass");
    const build = await docker.images.build({
      builder: "buildkit",
      dockerfileContent: `FROM ${IMAGE}\nRUN --mount=type=ssh,required=true test -S "$SSH_AUTH_SOCK"\nRUN --mount=type=ssh,id=more,required=true test -S "$SSH_AUTH_SOCK"\n`,
      ssh: { default: join(dir, "ed25519"), more: { keys: [join(dir, "ecdsa"), join(dir, "rsa")] } },
      nocache: true,
      labels: { "dockhand.test": "runtimes" },
    });
    const id = await build.imageId();
    await docker.images.remove(id, { force: true }).catch(() => {});
    const refused = await docker.images.build({ builder: "buildkit", dockerfileContent: `FROM ${IMAGE}\n`, ssh: { default: join(dir, "locked") } }).catch((err) => err);
    check(refused instanceof DockerArgumentError && /passphrase-protected/.test(refused.message), `an encrypted key gave ${refused?.constructor?.name}: ${refused?.message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, { timeout: 120_000 });

const tlsDir = process.env.DOCKHAND_TLS_DIR;
await step("mutual TLS", async () => {
  if (!tlsDir) return "DOCKHAND_TLS_DIR is not set (scripts/tls.sh up)";
  const host = "tcp://127.0.0.1:2376";
  const good = new Docker({ host, tls: { certPath: join(tlsDir, "client") } });
  try {
    check((await good.system.ping()).apiVersion, "no API version over TLS");
  } finally {
    await good.close();
  }
  const client = (file) => readFileSync(join(tlsDir, "client", file), "utf8");
  const wrongCA = new Docker({
    host,
    tls: { ca: readFileSync(join(tlsDir, "other-ca", "ca.pem"), "utf8"), cert: client("cert.pem"), key: client("key.pem") },
  });
  try {
    await wrongCA.system.ping();
    throw new Error("a daemon certificate from another CA was accepted");
  } catch (err) {
    check(err instanceof DockerTLSError, `wrong CA gave ${err?.constructor?.name}: ${err?.message}`);
  } finally {
    await wrongCA.close();
  }
});

const sshDir = process.env.DOCKHAND_SSH_DIR;
await step("ssh://", async () => {
  if (!sshDir) return "DOCKHAND_SSH_DIR is not set (scripts/sshd.sh up)";
  const socket = new URL(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").pathname;
  const target = readFileSync(join(sshDir, "target"), "utf8").trim();
  const remote = new Docker({
    host: `ssh://${target}${socket}`,
    sshOptions: ["-F", "/dev/null", "-i", join(sshDir, "id_ed25519"), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
      "-o", `UserKnownHostsFile=${join(sshDir, "known_hosts")}`],
  });
  try {
    const version = await remote.system.version();
    check(version.ApiVersion === daemonVersion, `ssh reached API ${version.ApiVersion}, the socket ${daemonVersion}`);
    if (!sleeper) return "no running container to exec into (see exec with stdin)";
    await execWithStdin(remote, sleeper, "over ssh");
  } finally {
    await remote.close();
  }
});

for (const id of cleanup) await docker.containers.remove(id, { force: true }).catch(() => {});
await docker.close();

const failed = results.filter((r) => r.status === "FAIL").length;
const passed = results.filter((r) => r.status === "ok").length;
const skipped = results.length - failed - passed;
console.log(`${runtime}: ${passed} ok, ${failed} failing, ${skipped} skipped`);
process.exitCode = failed ? 1 : 0;

// A closed client must not keep the process alive (timers, sockets, ssh children): this timer
// does not hold the process open itself, so it fires only when something else does.
unrefTimer(() => {
  console.log(`FAIL ${runtime} was still running 5 s after the client was closed`);
  process.exit(1);
}, 5000).unref();
