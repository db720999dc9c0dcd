import type { OutputStream } from "../streams/output-stream.js";
import type { HijackedStream } from "../streams/stdio.js";

/** Input for a process: text, bytes, or a stream of bytes (a Node `Readable` is one). */
export type StdinSource = string | Uint8Array | AsyncIterable<Uint8Array>;

/** Environment variables as `["NAME=value"]` or `{ NAME: "value" }`. */
export type EnvironmentInput = readonly string[] | Readonly<Record<string, string>>;

/** `["K=V"]` as given, `{ K: "V" }` turned into that form. */
export function environment(env: EnvironmentInput | undefined): string[] | undefined {
  if (env === undefined) return undefined;
  if (Array.isArray(env)) return [...(env as readonly string[])];
  return Object.entries(env).map(([name, value]) => `${name}=${value}`);
}

/**
 * Writes `stdin` (then half-closes) while `read` consumes the output. The process may exit without
 * reading all its input; failed writes then only mean it is gone, and the output tells the rest.
 * A failing input source ends the exchange with its error.
 */
export async function converse<T>(session: HijackedStream, stdin: StdinSource, read: (output: OutputStream) => Promise<T>): Promise<T> {
  let outputDone = false;
  let inputError: { error: unknown } | undefined;
  const feeding = (async () => {
    const chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> =
      typeof stdin === "string" || stdin instanceof Uint8Array ? [stdin] : stdin;
    for await (const chunk of chunks) {
      if (outputDone) return;
      if (!(await accepted(session.write(chunk)))) return;
    }
    await accepted(session.end());
  })().catch((error: unknown) => {
    inputError = { error };
    return session.close();
  });
  try {
    const output = await read(session.output);
    if (inputError) throw inputError.error;
    return output;
  } catch (err) {
    throw inputError ? inputError.error : err;
  } finally {
    outputDone = true;
    // An input source that never ends must not hold the caller: it is left behind, not awaited.
    void feeding;
  }
}

/** Whether a write went through; a rejected one means the connection is gone, which the output reports. */
function accepted(write: Promise<void>): Promise<boolean> {
  return write.then(
    () => true,
    () => false,
  );
}
