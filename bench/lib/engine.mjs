import { request } from "node:http";
import { exec } from "./proc.mjs";

/** The test image every real-engine figure runs or builds from. */
export const IMAGE = "busybox:local";

/**
 * One request on the engine's unix socket; resolves with the status code and the body's text
 * (rejects when unreachable).
 */
export function engineRequest(socketPath, path, { method = "GET", timeoutMs = 3000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

/**
 * The engine of DOCKER_HOST (or the default socket), if it answers and has the test image;
 * `{ skip }` says why not. With `cli`, the docker CLI must be installed too.
 */
export async function findEngine({ cli = true } = {}) {
  const host = process.env.DOCKER_HOST || "unix:///var/run/docker.sock";
  if (!host.startsWith("unix://")) return { skip: `DOCKER_HOST=${host} is not a unix socket; this figure runs on a local engine only` };
  const socketPath = host.slice("unix://".length);
  try {
    if ((await engineRequest(socketPath, "/_ping")).status !== 200) return { skip: `the engine at ${host} does not answer /_ping` };
    if ((await engineRequest(socketPath, `/images/${IMAGE}/json`)).status !== 200) return { skip: `the engine at ${host} has no ${IMAGE} image` };
  } catch (err) {
    return { skip: `no engine at ${host} (${err.message})` };
  }
  if (cli) {
    try {
      await exec("docker", ["--version"]);
    } catch {
      return { skip: "the docker CLI is not installed" };
    }
  }
  return { host, socketPath };
}
