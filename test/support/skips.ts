// vitest globalSetup: one line per group of tests this run skips for want of something outside
// the repository, so a green run on a bare clone says what it did not check and why.
import { sshToolsMissing } from "./ssh-tools.js";
import { buildkitProtoMissing, upstreamMissing } from "./upstream.js";

export function setup(): void {
  const skipped: string[] = [];
  const specs = upstreamMissing();
  if (specs) skipped.push(`upstream-spec checks (test/unit/compat/specs, response-shapes, generate): ${specs}`);
  const protos = buildkitProtoMissing();
  if (protos) skipped.push(`BuildKit generation checks (test/unit/generate/buildkit): ${protos}`);
  const ssh = sshToolsMissing();
  if (ssh) skipped.push(`ssh key file checks (test/unit/session/ssh-keyring, sshforward's key files): ${ssh}`);
  if (!process.env["DOCKER_HOST"]?.trim()) {
    skipped.push("e2e tests (test/e2e): DOCKER_HOST is not set; e2e tests never pick an engine implicitly");
  }
  for (const line of skipped) console.log(`skipped ${line}`);
}
