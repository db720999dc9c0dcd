/**
 * A CI step: build an image from a directory, run the tests inside it with their output streamed
 * live, clean up, and exit with the tests' exit code.
 *
 *   npx tsx examples/ci-script.ts                         # builds examples/ci-app, runs its test.sh
 *   npx tsx examples/ci-script.ts ./my-app -- npm test    # another project and test command
 *   BASE_IMAGE=busybox:local npx tsx examples/ci-script.ts  # base image passed as build arg BASE
 *
 * Everything the run creates carries one label, so a cancelled job (Ctrl-C) cleans up too.
 */
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { BuildError, Docker, DockerAbortError, DockerError } from "../src/index.js";

const args = process.argv.slice(2);
const split = args.indexOf("--");
const context = (split < 0 ? args : args.slice(0, split))[0] ?? fileURLToPath(new URL("./ci-app", import.meta.url));
const command = split < 0 ? undefined : args.slice(split + 1);
const run = randomUUID().slice(0, 8);
const label = `dockhand.ci-example=${run}`;
const tag = `dockhand-ci-example:${run}`;

const docker = Docker.fromEnv();
const cancel = new AbortController();
process.once("SIGINT", () => cancel.abort(new Error("cancelled (SIGINT)")));

async function main(): Promise<number> {
  console.log(`::group::build ${context} → ${tag}`);
  const build = await docker.images.build({
    context,
    tags: [tag],
    labels: { "dockhand.ci-example": run },
    buildargs: process.env["BASE_IMAGE"] ? { BASE: process.env["BASE_IMAGE"] } : undefined,
  }, { signal: cancel.signal });
  const imageId = await build.imageId((message) => {
    if (message.stream) process.stdout.write(message.stream);
  });
  console.log(`::endgroup::\nbuilt ${imageId.slice(0, 19)}`);

  console.log(`::group::test ${command ? command.join(" ") : "(image default command)"}`);
  const { exitCode } = await docker.run(tag, command, {
    output: { stdout: process.stdout, stderr: process.stderr },
    labels: { "dockhand.ci-example": run },
    pull: "never",
    timeout: Number(process.env["CI_TIMEOUT_MS"] ?? 600_000),
    signal: cancel.signal,
  });
  console.log(`::endgroup::\ntests exited with code ${exitCode}`);
  return exitCode;
}

try {
  process.exitCode = await main();
} catch (err) {
  if (err instanceof BuildError) {
    console.error(`build failed: ${err.message}`);
  } else if (err instanceof DockerAbortError) {
    console.error("cancelled; cleaning up");
  } else if (err instanceof DockerError) {
    console.error(`${err.name}: ${err.message}`);
  } else {
    throw err;
  }
  process.exitCode = 1;
} finally {
  const { failures } = await docker.removeByLabel(label);
  for (const failure of failures) console.error(`could not remove ${failure.kind} ${failure.id}: ${String(failure.error)}`);
  await docker.close();
}
