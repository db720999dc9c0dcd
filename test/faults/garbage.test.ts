// The audit of the README's promise that every error is a DockerError: every public method,
// against a daemon answering garbage of every shape (garbage.ts), its result read to the end.
// Whatever a call throws must be a DockerError; a plain TypeError, SyntaxError or RangeError
// escaping is a leak, as is a call still pending long after the daemon closed the connection.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Docker, DockerError, DockerProtocolError } from "../../src/index.js";
import { OLD_TTY_SHAPES, SHAPES, startGarbageDaemon, userAgentOf, type GarbageDaemon, type Shape } from "./garbage.js";
import { consume, hostFiles, publicMethods, RECIPES, type HostFiles } from "./recipes.js";
import { guardProcess } from "./support.js";

guardProcess();

/** Far beyond any answer here (each comes at once); a call still pending then waits for nothing. */
const HUNG = 30_000;

let daemon: GarbageDaemon;
let host: HostFiles;
// An empty CLI config: credentials come from the recipes, never from the machine's helpers.
const configDir = mkdtempSync(join(tmpdir(), "dockhand-garbage-config-"));

beforeAll(async () => {
  daemon = await startGarbageDaemon();
  host = hostFiles();
});
afterAll(() => daemon?.close());

const client = (shape?: Shape, apiVersion?: string) =>
  new Docker({ host: daemon.host, configDir, logger: false, userAgent: shape && userAgentOf(shape), apiVersion });

it("has a recipe for every public method, and none for a method that is gone", async () => {
  await using docker = client();
  expect(publicMethods(docker)).toEqual(Object.keys(RECIPES).sort());
});

/** How one call ended: its error if it threw, or a leak (what it did that it must not). */
interface Outcome {
  method: string;
  error?: unknown;
  leak?: string;
}

/** Runs one recipe to the end; a leak when it throws anything but a DockerError, or hangs. */
async function audit(docker: Docker, method: string): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), HUNG)));
  const work = (async () => consume(await RECIPES[method]!(docker, host)))();
  try {
    if ((await Promise.race([work, hung])) === "hung") {
      work.catch(() => {});
      return { method, leak: `${method}: still pending after ${HUNG} ms` };
    }
    return { method };
  } catch (error) {
    if (error instanceof DockerError) return { method, error };
    const e = error as Error;
    const stack = e?.stack?.split("\n").slice(1, 4).join("\n") ?? "";
    return { method, error, leak: `${method}: ${e?.constructor?.name ?? typeof error}: ${e?.message ?? String(error)}\n${stack}` };
  } finally {
    clearTimeout(timer);
  }
}

describe("every public method, against a daemon answering", () => {
  // A few shapes at a time (vitest's maxConcurrency): each client's User-Agent picks its shape.
  it.concurrent.each(SHAPES.map((shape) => [shape.name, shape] as const))("%s", { timeout: 60_000 }, async (_name, shape) => {
    const docker = client(shape);
    let outcomes: Outcome[];
    try {
      // All at once: the calls are independent, each meeting the same shape.
      outcomes = await Promise.all(publicMethods(docker).map((method) => audit(docker, method)));
    } finally {
      await docker.close();
    }
    const leaks = outcomes.flatMap(({ leak }) => (leak ? [leak] : []));
    expect(leaks).toEqual([]);
    expectRefused(shape, outcomes);
  });
});

describe("below API 1.42, where container output is labelled raw and the TTY setting is looked up", () => {
  it.concurrent.each(OLD_TTY_SHAPES.map((shape) => [shape.name, shape] as const))("%s", { timeout: 60_000 }, async (_name, shape) => {
    await using docker = client(shape, "1.41");
    expectRefused(shape, await Promise.all(shape.refused!.by.map((method) => audit(docker, method))));
  });
});

/** Where the client relies on a field, a lie in it is refused by name, with the call's facts. */
function expectRefused(shape: Shape, outcomes: readonly Outcome[]): void {
  for (const method of shape.refused?.by ?? []) {
    const { error } = outcomes.find((outcome) => outcome.method === method)!;
    expect(error, method).toBeInstanceOf(DockerProtocolError);
    expect((error as DockerProtocolError).message, method).toContain(`in ${shape.refused!.path}`);
    expect((error as DockerProtocolError).operation, method).toBeDefined();
  }
}
