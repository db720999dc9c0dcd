import { directiveResponse, type HijackIO, type HijackSession } from "./directives.js";

/**
 * Answers with a hijacked stream, like the daemon does for attach and exec start. With
 * `Connection: Upgrade` the server replies `101 UPGRADED` and the socket becomes a byte pipe;
 * without it the same output is sent as a streamed `200` body (and there is no stdin).
 */
export function hijack(contentType: string, run: HijackSession["run"]): Response {
  return directiveResponse({ kind: "hijack", session: { contentType, run } }, { headers: { "Content-Type": contentType } });
}
