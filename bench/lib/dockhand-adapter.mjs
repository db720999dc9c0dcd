// The dockhand adapter over one compiled build: clients/dockhand.mjs (the current tree) and
// clients/dockhand-baseline.mjs (another commit, for an A/B in the same run) both use it.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { untilAborted } from "./sink.mjs";

const version = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;

/** The adapter for the dockhand build in `dir` (a tsc output folder holding src/index.js). */
export async function dockhandAdapter(dir, name) {
  const { Docker } = await import(pathToFileURL(`${dir}/src/index.js`).href);
  return { info: { name, package: null, version }, open: (where) => open(Docker, where) };
}

async function open(Docker, { socket, host }) {
  const docker = new Docker({ host: host ?? `unix://${socket}` });
  return {
    list: () => docker.containers.list(),
    version: () => docker.system.version(),
    ping: () => docker.system.ping(),
    logs: (container, sink, signal) =>
      untilAborted(signal, async () => {
        for await (const { stream, data } of await docker.containers.logs(container, { stdout: true, stderr: true, follow: true }, { signal })) {
          sink(stream, data.length);
        }
      }),
    export: (container, onBytes, signal) =>
      untilAborted(signal, async () => {
        for await (const chunk of await docker.containers.export(container, { signal })) onBytes(chunk.length);
      }),
    pull: (onMessage, signal) =>
      untilAborted(signal, async () => {
        for await (const message of await docker.images.create({ fromImage: "busybox", tag: "latest" }, { signal })) onMessage(message);
      }),
    // The workflow a user would call: create (pull only if the daemon lacks the image), attach, start, wait, remove.
    runEcho: async (image) => (await docker.run(image, ["echo", "hi"])).stdout,
    // Build figure (dockhand only): the image id and, for BuildKit, what the session sent.
    build: async (params) => {
      const build = await docker.images.build(params);
      const id = await build.imageId();
      return { id, transfer: build.transfer ?? null };
    },
    close: () => docker.close(),
  };
}
