/** An error the mock daemon answers with `{"message": ...}` and the given status. */
export class DaemonError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "DaemonError";
  }
}

/** The daemon's error body: `{"message": "..."}`. */
export function errorResponse(status: number, message: string): Response {
  return json({ message }, status);
}

/** A JSON answer, ending with a newline as the daemon's encoder writes it. */
export function json(body: unknown, status = 200): Response {
  return new Response(`${JSON.stringify(body)}\n`, { status, headers: { "Content-Type": "application/json" } });
}

/** An empty answer: 204 for done, 304 for "already in that state". */
export function empty(status: 200 | 201 | 204 | 304 = 204): Response {
  return new Response(null, { status });
}

/** `No such container: <ref>`: the daemon's wording for an unknown container. */
export function noSuchContainer(ref: string): DaemonError {
  return new DaemonError(404, `No such container: ${ref}`);
}

/** `No such image: <ref>`: the daemon's wording for an unknown image. */
export function noSuchImage(ref: string): DaemonError {
  return new DaemonError(404, `No such image: ${ref}`);
}
