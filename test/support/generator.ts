import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The repository root, where the generator scripts run. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** What a generator run printed and how it ended. */
export interface GeneratorRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a generator script (e.g. `openapi/generate.mjs`) with Node from the repository root;
 * resolves with its exit code and output instead of throwing, so tests can assert on failures.
 */
export async function runGenerator(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<GeneratorRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, script), ...args], { cwd: ROOT, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as GeneratorRun;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
