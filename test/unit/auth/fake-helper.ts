/**
 * A fake `docker-credential-test` written to a temp dir, answering by server URL:
 *   *found*    → alice / the password below       *token*   → identity token
 *   *missing*  → "credentials not found" (exit 1)   *error*   → an error message with secrets (exit 1)
 *   *leaky*    → credentials JSON but exit 1         *garbage* → exit 0 with non-JSON output
 *   *hang*     → sleeps (as the helper process)     *orphan*  → leaves a sleeping grandchild holding stdout
 *   *empty*    → exit 0 with empty Username/Secret   anything else → not found
 *   *stderr-secret* → the secret on stderr only (exit 1)  *stderr-known* → a helper's fixed message on stderr (exit 1)
 *   *forker*   → starts a background child (its pid in $HELPER_PIDFILE) and hangs, printing the secret on stderr
 * Each call appends the server URL to $HELPER_LOG when set.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PASSWORD = "pa55-w0rd-alice";
export const IDENTITY_TOKEN = "identity-token-9f8e7d6c5b4a";
export const LEAKED_SECRET = "leaky-secret-value";
export const ERROR_TOKEN = "ghp_1234567890abcdefghijklmnopqrstuv";

const SCRIPT = `#!/bin/sh
[ "$1" = "get" ] || { echo "unsupported action: $1"; exit 1; }
read -r server || true
[ -n "$HELPER_LOG" ] && echo "$server" >> "$HELPER_LOG"
case "$server" in
  *found*) printf '{"ServerURL":"%s","Username":"alice","Secret":"${PASSWORD}"}\\n' "$server" ;;
  *token*) printf '{"ServerURL":"%s","Username":"<token>","Secret":"${IDENTITY_TOKEN}"}' "$server" ;;
  *missing*) echo "credentials not found in native keychain"; exit 1 ;;
  *error*) echo "keychain refused token ${ERROR_TOKEN} for alice; password=hunter2 Bearer abc.def"; exit 1 ;;
  *leaky*) printf '{"Username":"alice","Secret":"${LEAKED_SECRET}"}'; echo " then crashed with ${LEAKED_SECRET}"; exit 3 ;;
  *garbage*) echo "not json, but contains ${PASSWORD}" ;;
  *hang*) echo $$ > "$HELPER_PIDFILE"; exec sleep 30 ;;
  *orphan*) sleep 30 & echo $! > "$HELPER_PIDFILE"; wait ;;
  *empty*) echo '{"ServerURL":"x","Username":"","Secret":""}' ;;
  *stderr-secret*) echo "panic: decrypting ${LEAKED_SECRET} failed" >&2; exit 1 ;;
  *stderr-known*) echo "no credentials username" >&2; exit 1 ;;
  *forker*) (trap '' HUP; exec sleep 30) </dev/null >/dev/null 2>&1 & echo $! > "$HELPER_PIDFILE"; echo "token ${LEAKED_SECRET}" >&2; exec sleep 30 ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`;

export interface FakeHelper {
  dir: string;
  /** process.env with the fake helper first on PATH and a fresh call log. */
  env: Record<string, string | undefined>;
  /** Server URLs the helper was asked for, in order. */
  calls(): string[];
  /** Pid the *hang* / *orphan* cases recorded (0 until one is recorded). */
  pid(): number;
  /** Forgets the recorded pid. */
  resetPid(): void;
  cleanup(): void;
}

export function installFakeHelper(): FakeHelper {
  const dir = mkdtempSync(join(tmpdir(), "dockhand-helper-"));
  const script = join(dir, "docker-credential-test");
  writeFileSync(script, SCRIPT);
  chmodSync(script, 0o755);
  const log = join(dir, "calls.log");
  const pidfile = join(dir, "pid");
  const read = (file: string) => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return "";
    }
  };
  return {
    dir,
    env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ""}`, HELPER_LOG: log, HELPER_PIDFILE: pidfile },
    calls: () => read(log).split("\n").filter(Boolean),
    pid: () => Number(read(pidfile).trim()),
    resetPid: () => rmSync(pidfile, { force: true }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
