// Gate for unit tests that make keys with ssh-keygen and openssl and talk to an agent with ssh-add
// (OpenSSH's own tools as the reference). Without them those tests skip (test/support/skips.ts
// says why, once); with DOCKHAND_REQUIRE_FIXTURES set (CI) a missing tool fails instead.
import { execFileSync } from "node:child_process";

const TOOLS = ["ssh-keygen", "ssh-add", "openssl", "mkfifo"];

/** Why the ssh key tests cannot run here, or undefined when they can. */
export function sshToolsMissing(): string | undefined {
  const missing = TOOLS.filter((tool) => {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return undefined;
  const reason = `${missing.join(", ")} not found (apt packages openssh-client, openssl)`;
  const flag = process.env["DOCKHAND_REQUIRE_FIXTURES"]?.trim().toLowerCase();
  if (flag === "1" || flag === "true") throw new Error(`DOCKHAND_REQUIRE_FIXTURES is set but ${reason}`);
  return reason;
}
